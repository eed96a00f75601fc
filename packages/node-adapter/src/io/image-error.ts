import { WgcamError } from '@wgcam/core';

/**
 * An input that is not an image wgcam reads: not a regular file, too large, an unsupported
 * format, or corrupt / truncated data. The message names the file, what was wrong and
 * what to do about it.
 *
 * @example
 * try { await readImage('x.png'); } catch (e) { if (e instanceof ImageFormatError) console.error(e.message); }
 */
export class ImageFormatError extends WgcamError {
  constructor(message: string, options?: ErrorOptions) {
    super('BAD_IMAGE', message, options);
  }
}

import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { OutputError } from '../errors.js';

/**
 * Writes a file under a temporary name in the same folder, then renames it into place,
 * so a crash or error never leaves a half-written output. A failure is an OutputError
 * naming the path and why.
 *
 * @example
 * await writeFileAtomic('out/overlay.png', pngBytes);
 */
export async function writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, data);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'EISDIR'
        ? 'it is a folder; give a file path'
        : code === 'ENOENT'
          ? 'its folder does not exist'
          : code === 'EACCES' || code === 'EPERM'
            ? 'permission denied; choose a place you can write to'
            : (code ?? (error as Error).message);
    throw new OutputError(`cannot write ${path}: ${why}`, { cause: error });
  }
}

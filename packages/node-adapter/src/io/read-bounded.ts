import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { ImageFormatError } from './image-error.js';
import { MAX_IMAGE_FILE_BYTES } from './image-limits.js';

function kindOf(info: Awaited<ReturnType<FileHandle['stat']>>): string {
  if (info.isDirectory()) return 'a folder';
  if (info.isFIFO()) return 'a named pipe (FIFO)';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}

async function openForReading(path: string): Promise<FileHandle> {
  try {
    // O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer; it does
    // not change how regular files are read.
    return await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? (error as Error).message})`;
    throw new ImageFormatError(`${path} ${why}`, { cause: error });
  }
}

/**
 * Reads a regular file (links followed) of at most `maxBytes` bytes. The file is checked
 * with fstat on the opened descriptor before anything is read, so a FIFO, a device such
 * as /dev/zero behind a symlink, or a folder is refused at once, and no read goes past
 * the size the file had when it was opened.
 *
 * @example
 * const bytes = await readRegularFile('samples/star.png');
 */
export async function readRegularFile(path: string, maxBytes = MAX_IMAGE_FILE_BYTES): Promise<Buffer> {
  const handle = await openForReading(path);
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new ImageFormatError(`${path} is ${kindOf(info)}, not an image file; only regular files are read`);
    if (info.size > maxBytes) {
      throw new ImageFormatError(`${path} is ${info.size} bytes, over the limit of ${maxBytes} bytes (MAX_IMAGE_FILE_BYTES); downscale or recompress it first`);
    }
    const buffer = Buffer.allocUnsafe(info.size);
    let filled = 0;
    while (filled < info.size) {
      const { bytesRead } = await handle.read(buffer, filled, info.size - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  } finally {
    await handle.close();
  }
}

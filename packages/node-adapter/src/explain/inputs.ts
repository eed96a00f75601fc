import { realpath, readdir, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';

/** Extensions of the formats wgcam reads (the decoder checks the bytes, not the name). */
const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.jpe', '.jfif', '.webp', '.avif', '.gif', '.tif', '.tiff']);

/** Extensions of image formats wgcam does not read: listed with a note, never skipped silently. */
const UNREAD_IMAGE_EXTENSIONS = new Set(['.bmp', '.svg', '.svgz', '.heic', '.heif', '.jp2', '.j2k', '.jxl', '.ico', '.psd', '.ppm', '.pgm', '.pbm', '.pnm', '.exr', '.hdr', '.dng', '.cr2', '.nef', '.arw', '.raw', '.pdf']);

/** One path the user named, expanded: an image file to explain, or a reason it cannot be. */
export interface InputItem {
  readonly path: string;
  readonly problem?: string;
}

/** How folders are expanded. */
export interface ExpandOptions {
  /** Folders not to descend into: the output folder, so that earlier outputs are not explained again. */
  readonly skip?: readonly string[];
}

async function canonical(path: string): Promise<string> {
  return realpath(path).catch(() => resolve(path));
}

async function walk(dir: string, skip: ReadonlySet<string>, found: InputItem[]): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    const extension = extname(entry.name).toLowerCase();
    if (entry.isDirectory()) {
      if (!skip.has(await canonical(full))) await walk(full, skip, found);
    } else if (IMAGE_EXTENSIONS.has(extension)) {
      found.push({ path: full });
    } else if (UNREAD_IMAGE_EXTENSIONS.has(extension)) {
      found.push({ path: full, problem: `${full} is a ${extension.slice(1).toUpperCase()} file, a format wgcam does not read; convert it to PNG, JPEG, WebP, AVIF, GIF or TIFF` });
    }
  }
}

/**
 * Expands files and folders (recursively, images by extension, sorted) into input items.
 * A missing path, and an image format wgcam does not read found in a folder, become items
 * with a problem, so they are reported while the rest of the batch still runs. Folders in
 * `skip` (the output folder) are not entered when met inside a named folder.
 *
 * @example
 * const items = await expandInputs(['samples', 'cat.jpg'], { skip: ['wgcam-out'] });
 */
export async function expandInputs(paths: readonly string[], options: ExpandOptions = {}): Promise<InputItem[]> {
  const skip = new Set(await Promise.all((options.skip ?? []).map(canonical)));
  const items: InputItem[] = [];
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch {
      items.push({ path, problem: `${path} does not exist` });
      continue;
    }
    if (info.isDirectory()) {
      const found: InputItem[] = [];
      await walk(path, skip, found);
      if (found.length === 0) items.push({ path, problem: `${path} holds no PNG, JPEG, WebP, AVIF, GIF or TIFF images` });
      items.push(...found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)));
    } else {
      items.push({ path });
    }
  }
  return items;
}

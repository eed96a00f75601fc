import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);

/** One path the user named, expanded: an image file to explain, or a reason it cannot be. */
export interface InputItem {
  readonly path: string;
  readonly problem?: string;
}

/**
 * Expands files and folders (recursively, PNG/JPEG by extension, sorted) into input items;
 * a missing path becomes an item with a problem so the rest of the batch still runs.
 *
 * @example
 * const items = await expandInputs(['samples', 'cat.jpg']);
 */
export async function expandInputs(paths: readonly string[]): Promise<InputItem[]> {
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
      const found: string[] = [];
      const walk = async (dir: string): Promise<void> => {
        for (const entry of await readdir(dir, { withFileTypes: true })) {
          const full = join(dir, entry.name);
          if (entry.isDirectory()) await walk(full);
          else if (IMAGE_EXTENSIONS.has(extname(entry.name).toLowerCase())) found.push(full);
        }
      };
      await walk(path);
      if (found.length === 0) items.push({ path, problem: `${path} holds no .png or .jpg images` });
      items.push(...found.sort().map((p) => ({ path: p })));
    } else {
      items.push({ path });
    }
  }
  return items;
}

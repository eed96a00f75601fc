import { readImage, encodePng, type RgbaImage } from './images.js';
import { renderPanel, type PanelTile } from '../render/panel.js';

/** Work a codec thread does: decode an image file, encode a PNG, or render a panel. */
export type CodecTask =
  | { readonly op: 'decode'; readonly path: string }
  | { readonly op: 'png'; readonly image: RgbaImage }
  | { readonly op: 'panel'; readonly tiles: readonly PanelTile[]; readonly title: string };

/**
 * What a codec task gives back: pixels or bytes with the milliseconds of CPU work, or the
 * failure as plain data (error classes do not survive a thread boundary).
 */
export type CodecOutcome =
  | { readonly ok: true; readonly image?: RgbaImage; readonly bytes?: Uint8Array; readonly ms: number }
  | { readonly ok: false; readonly name: string; readonly code: string | undefined; readonly message: string };

/** Runs one codec task in the calling thread. */
export async function runCodecTask(task: CodecTask): Promise<CodecOutcome> {
  const start = performance.now();
  try {
    switch (task.op) {
      case 'decode':
        return { ok: true, image: await readImage(task.path), ms: performance.now() - start };
      case 'png':
        return { ok: true, bytes: encodePng(task.image), ms: performance.now() - start };
      case 'panel':
        return { ok: true, bytes: renderPanel(task.tiles, task.title), ms: performance.now() - start };
    }
  } catch (error) {
    const e = error as Error & { code?: string };
    return { ok: false, name: e.name, code: e.code, message: e.message };
  }
}

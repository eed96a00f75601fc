import { renderPanel, type PanelTile } from '../render/panel.js';
import type { Rgb } from './background.js';
import { encodePng, readImage, type RgbaImage } from './images.js';

/** A result of the codecs, with the milliseconds the codec work took. */
export interface Timed<T> {
  readonly value: T;
  readonly ms: number;
}

async function timed<T>(work: () => Promise<T>): Promise<Timed<T>> {
  const start = performance.now();
  const value = await work();
  return { value, ms: performance.now() - start };
}

/**
 * Image decoding, PNG encoding and panel rendering for the pipeline, timed. The work runs
 * in libvips (sharp) on libuv's thread pool (UV_THREADPOOL_SIZE, default 4 threads), so
 * it overlaps the GPU work of the main thread without worker threads of its own; the main
 * thread only composites transparent pixels and converts CMYK. The times are wall-clock
 * times of each task, including any wait for a free pool thread.
 *
 * @example
 * const codecs = CodecPool.create();
 * const { value: image } = await codecs.decodeFile('samples/star.png');
 * await codecs.destroy();
 */
export class CodecPool {
  private constructor() {}

  /** The codecs of one session. */
  static create(): CodecPool {
    return new CodecPool();
  }

  /** Reads and decodes an image file; transparent pixels go onto `background` (white). */
  decodeFile(path: string, background?: Rgb): Promise<Timed<RgbaImage>> {
    return timed(() => readImage(path, background ? { background } : {}));
  }

  /** Encodes an opaque PNG. */
  encodePng(image: RgbaImage): Promise<Timed<Uint8Array>> {
    return timed(() => encodePng(image));
  }

  /** Renders a labelled panel as PNG bytes. */
  renderPanel(tiles: readonly PanelTile[], title: string): Promise<Timed<Uint8Array>> {
    return timed(() => renderPanel(tiles, title));
  }

  /** Nothing to stop: kept so that sessions end their codecs explicitly. */
  async destroy(): Promise<void> {}
}

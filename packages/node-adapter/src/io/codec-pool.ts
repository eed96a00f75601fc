import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { WgcamError } from '@wgcam/core';
import type { PanelTile } from '../render/panel.js';
import { ImageFormatError, type RgbaImage } from './images.js';
import { runCodecTask, type CodecOutcome, type CodecTask } from './codec-tasks.js';

/** A result of the pool, with the milliseconds the codec work itself took. */
export interface Timed<T> {
  readonly value: T;
  readonly ms: number;
}

function defaultThreads(): number {
  const configured = Number(process.env['WGCAM_CODEC_THREADS']);
  if (process.env['WGCAM_CODEC_THREADS'] !== undefined && Number.isInteger(configured) && configured >= 0) return configured;
  return Math.min(4, availableParallelism() - 1);
}

function rebuildError(outcome: Extract<CodecOutcome, { ok: false }>): Error {
  if (outcome.name === 'ImageFormatError') return new ImageFormatError(outcome.message);
  if (outcome.code && outcome.name !== 'Error') return new WgcamError(outcome.code, outcome.message);
  const error = new Error(outcome.message) as Error & { code?: string };
  if (outcome.code) error.code = outcome.code;
  return error;
}

/**
 * Image decoding, PNG encoding and panel rendering on worker threads, so that they overlap
 * the GPU work of the main thread. Where the compiled worker is absent (running from the
 * TypeScript sources) the same code runs in the calling thread.
 *
 * @example
 * const codecs = CodecPool.create();
 * const { value: image } = await codecs.decodeFile('samples/star.png');
 * await codecs.destroy();
 */
export class CodecPool {
  private constructor(private readonly pool: Piscina | null) {}

  /** A pool of `threads` codec threads (default: WGCAM_CODEC_THREADS, else the cores left after the main thread, at most 4); 0 runs codecs in the calling thread. */
  static create(threads = defaultThreads()): CodecPool {
    const worker = new URL('./codec-worker.js', import.meta.url);
    if (threads < 1 || !existsSync(fileURLToPath(worker))) return new CodecPool(null);
    return new CodecPool(new Piscina({ filename: worker.href, minThreads: 1, maxThreads: threads, idleTimeout: 5_000 }));
  }

  /** Whether work runs on worker threads (false: in the calling thread). */
  get threaded(): boolean {
    return this.pool !== null;
  }

  decodeFile(path: string): Promise<Timed<RgbaImage>> {
    return this.run({ op: 'decode', path }).then((o) => ({ value: o.image!, ms: o.ms }));
  }

  encodePng(image: RgbaImage): Promise<Timed<Uint8Array>> {
    return this.run({ op: 'png', image }).then((o) => ({ value: o.bytes!, ms: o.ms }));
  }

  renderPanel(tiles: readonly PanelTile[], title: string): Promise<Timed<Uint8Array>> {
    return this.run({ op: 'panel', tiles, title }).then((o) => ({ value: o.bytes!, ms: o.ms }));
  }

  /** Stops the threads once queued work is done. */
  async destroy(): Promise<void> {
    await this.pool?.close();
  }

  private async run(task: CodecTask): Promise<Extract<CodecOutcome, { ok: true }>> {
    const outcome = this.pool ? ((await this.pool.run(task)) as CodecOutcome) : await runCodecTask(task);
    if (!outcome.ok) throw rebuildError(outcome);
    return outcome;
  }
}

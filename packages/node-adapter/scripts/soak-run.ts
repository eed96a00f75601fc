// The soak run: many explanations in one process across image sizes and every method in
// rotation, with overlays, panels and .npy files written, sampling the engine's GPU pool, TF.js's
// tensors and bytes, and the process's RSS as it goes. Used by `npm run soak` and the quick test.
import { mkdirSync, rmSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as tf from '@tensorflow/tfjs';
import { METHOD_NAMES, type MethodName } from '@wgcam/core';
import { ExplainSession } from '../src/index.js';

/** One sample of the process's memory after `done` explanations. */
export interface SoakSample {
  readonly done: number;
  readonly rssMiB: number;
  readonly heapMiB: number;
  /** Memory V8 holds for the JS heap (used or not): what RSS sees of it. */
  readonly heapTotalMiB: number;
  /** Memory of JS objects bound to native memory (Buffers, ArrayBuffers), of which arrayBuffersMiB. */
  readonly externalMiB: number;
  readonly arrayBuffersMiB: number;
  /** The TF.js wasm module's linear memory (grows, never shrinks); 0 on other backends. */
  readonly wasmMiB: number;
  readonly tensors: number;
  readonly tensorMiB: number;
  readonly poolBuffers: number;
  readonly poolMiB: number;
  readonly poolInUse: number;
  readonly seconds: number;
}

/** What a soak run found: its samples and whether memory stayed flat after warm-up. */
export interface SoakReport {
  readonly count: number;
  readonly backend: string;
  readonly samples: readonly SoakSample[];
  /** RSS after warm-up: the first post-warm-up sample, the highest, and the spread relative to the first. */
  readonly rss: { readonly baseline: number; readonly max: number; readonly growth: number };
  readonly flat: { readonly rss: boolean; readonly tensors: boolean; readonly pool: boolean };
  readonly failures: number;
}

/** Options of runSoak. */
export interface SoakOptions {
  readonly count: number;
  /** Sample every this many explanations (500 in the full run). */
  readonly every: number;
  /** Where files are written (emptied as the run goes, so the disk stays bounded). */
  readonly out: string;
  /** Samples before this many explanations are warm-up and not judged. */
  readonly warmup: number;
  readonly onSample?: (sample: SoakSample) => void;
}

const SIZES = [
  [32, 32],
  [64, 48],
  [97, 61],
  [128, 128],
  [200, 150],
] as const;

/**
 * SS-CAM and IS-CAM run numSamples·C masked forward passes per image (35·C and 10·C by
 * default): with their defaults they would take most of the soak's time. The soak keeps them
 * in rotation with 2 samples each, which runs the same code (noise, running sums, averaging
 * over samples) at a fraction of the passes; every other method runs with its defaults.
 */
export const SOAK_SCORE_OPTIONS = { numSamples: 2 } as const;

function image(width: number, height: number, seed: number): { data: Uint8Array; width: number; height: number } {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i++) data[i] = (i % 4 === 3 ? 255 : (i * 2654435761 + seed * 97) >>> 24) & 255;
  return { data, width, height };
}

// A full collection before each sample, so RSS measures what is kept, not garbage not yet collected.
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/**
 * A full collection frees the JS heap's dead objects at once, but V8 sweeps pages and
 * returns empty ones to the system on background threads afterwards; read right after the
 * collection, RSS still counts pages about to be returned. Measured in the soak: right after
 * gc() V8's old space held 47-107 MiB (varying sample to sample, which moved RSS by up to
 * 80 MiB) for 55-57 MiB of live heap; after this wait, 28-33 MiB. So a sample collects,
 * waits for that work, and collects again before reading.
 */
const SETTLE_MS = 250;
async function settle(): Promise<void> {
  collect();
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  collect();
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
}

/** Bytes of the TF.js wasm backend's linear memory, or 0 when another backend runs. */
function wasmHeapBytes(): number {
  const backend = tf.getBackend() === 'wasm' ? (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }) : undefined;
  return backend?.wasm?.HEAPU8?.buffer.byteLength ?? 0;
}

const mib = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;

/**
 * Runs `count` explanations and samples memory every `every`.
 *
 * @example
 * const report = await runSoak({ count: 300, every: 50, warmup: 100, out: '/tmp/soak' });
 * if (!report.flat.rss) throw new Error('RSS grew');
 */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const session = await ExplainSession.open();
  const methods: (MethodName | 'all')[] = [...METHOD_NAMES, 'all'];
  const samples: SoakSample[] = [];
  const started = performance.now();
  let failures = 0;
  const sample = async (done: number): Promise<void> => {
    await settle();
    const pool = session.explainer.engine.poolStats() as unknown as { created: number; inUse: number; bytesHeld?: number; bytesCreated?: number };
    const memory = tf.memory();
    const usage = process.memoryUsage();
    const s: SoakSample = {
      done,
      rssMiB: mib(usage.rss),
      heapMiB: mib(usage.heapUsed),
      heapTotalMiB: mib(usage.heapTotal),
      externalMiB: mib(usage.external),
      arrayBuffersMiB: mib(usage.arrayBuffers),
      wasmMiB: mib(wasmHeapBytes()),
      tensors: memory.numTensors,
      tensorMiB: mib(memory.numBytes),
      poolBuffers: pool.created,
      poolMiB: mib(pool.bytesHeld ?? pool.bytesCreated ?? 0),
      poolInUse: pool.inUse,
      seconds: Math.round((performance.now() - started) / 100) / 10,
    };
    samples.push(s);
    options.onSample?.(s);
  };
  try {
    mkdirSync(options.out, { recursive: true });
    for (let i = 0; i < options.count; i++) {
      const [width, height] = SIZES[i % SIZES.length]!;
      const method = methods[Math.floor(i / SIZES.length) % methods.length]!;
      const result = await session
        .explainImage(image(width, height, i), { name: `soak-${i % 50}.png`, method, out: options.out, npy: i % 7 === 0, panel: method === 'all', scoreCam: SOAK_SCORE_OPTIONS })
        .catch(() => null);
      if (!result) failures += 1;
      if ((i + 1) % options.every === 0) {
        await sample(i + 1);
        rmSync(options.out, { recursive: true, force: true });
        mkdirSync(options.out, { recursive: true });
      }
    }
  } finally {
    await session.dispose();
    rmSync(options.out, { recursive: true, force: true });
  }
  const judged = samples.filter((s) => s.done > options.warmup);
  const first = judged[0] ?? samples.at(-1)!;
  const max = Math.max(...judged.map((s) => s.rssMiB));
  const growth = (max - first.rssMiB) / first.rssMiB;
  return {
    count: options.count,
    backend: session.runtime.backend,
    samples,
    rss: { baseline: first.rssMiB, max, growth },
    flat: {
      rss: growth <= 0.1,
      tensors: judged.every((s) => s.tensors === first.tensors),
      pool: judged.every((s) => s.poolBuffers === first.poolBuffers && s.poolInUse === 0),
    },
    failures,
  };
}



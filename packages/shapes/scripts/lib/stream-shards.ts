import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { trainingItem, type TrainingMix } from './training-inputs.js';

/**
 * The training stream (trainingItem at full clutter) written to disk in fixed-size shards,
 * for a trainer in another process (the torch engine's Python script) to read.
 *
 * A stream folder holds `meta.json` ({@link StreamMeta}) and `shard-NNNNNN.bin` files. Shard k
 * holds samples k·shardSize … (k+1)·shardSize − 1 of the stream: first their model inputs,
 * float32 little-endian NHWC (shardSize·size·size·3 values), then two int8 labels per sample
 * (the second −1 for a single object). A shard appears by rename only when complete, so a
 * reader polling for it never sees half a file, and a shard already on disk is reused: the
 * stream is a pure function of (seed, mix), so runs with the same stream share the folder.
 */
export interface StreamMeta {
  readonly seed: number;
  readonly size: number;
  readonly videoEvery: number;
  readonly twoObjectEvery: number;
  /** Width of the camera frames (4:3) before they are shrunk to `size`. */
  readonly videoWidth: number;
  readonly shardSize: number;
  /** Always 1: the shards hold the stream at full clutter (no curriculum). */
  readonly clutter: 1;
}

/** Folder name of a stream under a cache root: one folder per (seed, mix, shard size, frame width). */
export function streamFolder(root: string, meta: StreamMeta): string {
  return join(root, `seed${meta.seed}-s${meta.size}-v${meta.videoEvery}-t${meta.twoObjectEvery}-n${meta.shardSize}-w${meta.videoWidth}`);
}

/** Path of shard `k` in a stream folder. */
export function shardPath(folder: string, k: number): string {
  return join(folder, `shard-${String(k).padStart(6, '0')}.bin`);
}

/**
 * Creates the stream folder with its meta.json, or checks that an existing one describes the
 * same stream (a mismatch throws rather than mixing two streams).
 *
 * @example
 * const folder = openStream('/tmp/wgcam-shapes-stream', { seed: 1001, size: 32, videoEvery: 2, twoObjectEvery: 8, videoWidth: 320, shardSize: 1024, clutter: 1 });
 */
export function openStream(root: string, meta: StreamMeta): string {
  const folder = streamFolder(root, meta);
  mkdirSync(folder, { recursive: true });
  const file = join(folder, 'meta.json');
  if (existsSync(file)) {
    const old = JSON.parse(readFileSync(file, 'utf8')) as StreamMeta;
    if (JSON.stringify(old) !== JSON.stringify(meta)) throw new Error(`stream folder ${folder} holds another stream: ${JSON.stringify(old)}`);
  } else {
    writeFileSync(file, JSON.stringify(meta) + '\n');
  }
  return folder;
}

/**
 * Samples in the shard format: their inputs (float32 NHWC, back to back), then two int8
 * labels each (the second −1 for one object).
 *
 * @example
 * const bytes = encodeSamples([{ input, labels: [2] }]);
 */
export function encodeSamples(samples: readonly { readonly input: Float32Array; readonly labels: readonly number[] }[]): Buffer {
  const per = samples[0]?.input.length ?? 0;
  const inputs = new Float32Array(samples.length * per);
  const labels = new Int8Array(samples.length * 2).fill(-1);
  samples.forEach((s, j) => {
    if (s.input.length !== per) throw new Error('encodeSamples: inputs of different sizes');
    if (s.labels.length < 1 || s.labels.length > 2) throw new Error(`encodeSamples: a sample needs one or two labels, got ${s.labels.length}`);
    inputs.set(s.input, j * per);
    s.labels.forEach((l, m) => (labels[2 * j + m] = l));
  });
  return Buffer.concat([Buffer.from(inputs.buffer, inputs.byteOffset, inputs.byteLength), Buffer.from(labels.buffer)]);
}

/**
 * Bytes of shard `k`: samples k·shardSize … of the stream, as described on {@link StreamMeta}.
 *
 * @example
 * const bytes = encodeShard(meta, 3);
 */
export function encodeShard(meta: StreamMeta, k: number): Buffer {
  const mix: TrainingMix = { size: meta.size, videoEvery: meta.videoEvery, twoObjectEvery: meta.twoObjectEvery, videoWidth: meta.videoWidth };
  return encodeSamples(
    [...Array(meta.shardSize).keys()].map((j) => {
      const item = trainingItem(meta.seed, k * meta.shardSize + j, mix, meta.clutter);
      return { input: item.input, labels: item.objects.map((o) => o.label) };
    }),
  );
}

/**
 * Writes shard `k` unless it is already on disk (written to a temporary name, then renamed).
 * Returns whether it generated the shard.
 */
export function ensureShard(folder: string, meta: StreamMeta, k: number): boolean {
  const path = shardPath(folder, k);
  if (existsSync(path)) return false;
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, encodeShard(meta, k));
  renameSync(tmp, path);
  return true;
}

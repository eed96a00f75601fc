// The shared real-architecture fixtures beside the project (../shared/fixtures): Keras
// models converted by the official converter, with Keras's own answers. Under CI they
// must be there: a missing folder fails the suite instead of skipping it.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readNpy, type NpyArray } from '../src/io/npy.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const FIXTURES = resolve(REPO_ROOT, '..', 'shared', 'fixtures');

/** Whether a fixture folder is present; under CI its absence is an error, not a skip. */
export function fixturesPresent(sub: string): boolean {
  const present = existsSync(join(FIXTURES, sub));
  if (!present && process.env['CI']) {
    throw new Error(`the test fixtures ${join(FIXTURES, sub)} are missing; CI must have ../shared/fixtures beside the repository`);
  }
  return present;
}

/** What a golden/meta.json says about a fixture model. */
export interface FixtureMeta {
  readonly name: string;
  readonly input_size: readonly [number, number];
  readonly preprocess: 'unit' | 'tf' | 'caffe' | 'torch' | 'raw';
  readonly layer: string;
  readonly layer_shape: readonly number[];
  readonly top1: number;
  readonly classes: number;
  readonly head: string;
}

export function fixtureMeta(dir: string): FixtureMeta {
  return JSON.parse(readFileSync(join(dir, 'golden', 'meta.json'), 'utf8')) as FixtureMeta;
}

export function goldenArray(dir: string, name: string): NpyArray {
  return readNpy(readFileSync(join(dir, 'golden', `${name}.npy`)), name);
}

/** Per-map min-max normalisation, (x − min)/(max − min + 1e-7), as wgcam's heatmaps are. */
export function minMax(values: ArrayLike<number>): Float64Array {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    min = Math.min(min, values[i]!);
    max = Math.max(max, values[i]!);
  }
  return Float64Array.from(values as ArrayLike<number>, (v) => (v - min) / (max - min + 1e-7));
}

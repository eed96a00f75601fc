// The shapes every kernel is tested on: feature sizes, channel counts, batch sizes and
// targets per image from the design's list, with output sizes that are not multiples of
// the workgroup size.
import { METHODS, scorePasses, scorePlan, type ComputeOptions, type MethodName, type Size2D } from '../src/index.js';
import { makeRng, randomFloats } from './gpu-fixture.js';

export interface TestCase {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly batch: number;
  readonly targets: number;
  readonly size: Size2D | undefined;
}

export const CASES: readonly TestCase[] = [
  { height: 1, width: 1, channels: 1, batch: 1, targets: 1, size: undefined },
  { height: 1, width: 1, channels: 2048, batch: 4, targets: 3, size: { height: 5, width: 3 } },
  { height: 7, width: 7, channels: 3, batch: 1, targets: 1, size: { height: 224, width: 224 } },
  { height: 7, width: 7, channels: 2048, batch: 1, targets: 1, size: { height: 224, width: 224 } },
  { height: 7, width: 7, channels: 512, batch: 4, targets: 3, size: undefined },
  { height: 5, width: 9, channels: 64, batch: 4, targets: 1, size: { height: 37, width: 13 } },
  { height: 5, width: 9, channels: 1, batch: 1, targets: 3, size: { height: 50, width: 90 } },
  { height: 14, width: 14, channels: 512, batch: 1, targets: 3, size: { height: 97, width: 61 } },
  { height: 14, width: 14, channels: 2048, batch: 4, targets: 1, size: { height: 7, width: 7 } },
  { height: 28, width: 28, channels: 64, batch: 4, targets: 3, size: { height: 64, width: 64 } },
  { height: 28, width: 28, channels: 2048, batch: 1, targets: 1, size: undefined },
  { height: 28, width: 28, channels: 3, batch: 1, targets: 1, size: { height: 28, width: 28 } },
  // Channel counts that give every reduction lane width of the map kernels (2, 4, 16, 32),
  // with cell counts that leave the last workgroup partly empty.
  { height: 3, width: 5, channels: 20, batch: 3, targets: 2, size: { height: 11, width: 7 } },
  { height: 6, width: 6, channels: 40, batch: 1, targets: 1, size: undefined },
  { height: 4, width: 3, channels: 200, batch: 2, targets: 1, size: { height: 9, width: 9 } },
  { height: 9, width: 2, channels: 300, batch: 1, targets: 2, size: undefined },
];

export const CLASSES = 10;

export function describeCase(c: TestCase): string {
  const out = c.size ? ` → ${c.size.height}×${c.size.width}` : '';
  return `${c.height}×${c.width}×${c.channels}, B=${c.batch}, K=${c.targets}${out}`;
}

/**
 * Activations [B, S, C] with a dominant principal component, the input class Eigen-CAM's
 * accuracy contract covers (λ₂/λ₁ well under EIGEN's bound): per image a spatial pattern
 * times channel loadings, plus uniform noise of the same amplitude. Values in [0, 2), or
 * shifted by −1 with `signed`.
 */
export function plantedActivations(rng: () => number, c: TestCase, signed: boolean): Float32Array {
  const S = c.height * c.width;
  const out = new Float32Array(c.batch * S * c.channels);
  for (let b = 0; b < c.batch; b++) {
    const pattern = randomFloats(rng, S, 0, 1);
    const loadings = randomFloats(rng, c.channels, 0, 1);
    for (let s = 0; s < S; s++) {
      for (let ch = 0; ch < c.channels; ch++) out[(b * S + s) * c.channels + ch] = pattern[s]! * loadings[ch]! + rng() - (signed ? 1 : 0);
    }
  }
  return out;
}

/** Gradients [B·K, S, C] that keep G·A's dominant component: a per-channel factor in [−1, 1) plus ±0.25 noise. */
export function channelGradients(rng: () => number, c: TestCase): Float32Array {
  const S = c.height * c.width;
  const out = new Float32Array(c.batch * c.targets * S * c.channels);
  for (let m = 0; m < c.batch * c.targets; m++) {
    const factors = randomFloats(rng, c.channels, -1, 1);
    for (let s = 0; s < S; s++) {
      for (let ch = 0; ch < c.channels; ch++) out[(m * S + s) * c.channels + ch] = factors[ch]! + 0.5 * rng() - 0.25;
    }
  }
  return out;
}

/**
 * Random inputs for `method` on `c`, chosen by what its row needs: activations in [0, 1)
 * like a ReLU layer's output (or in [−1, 1) with `signedActivations`), gradients in
 * [−1, 1); projection methods (Eigen-CAM) get inputs with a dominant component instead.
 */
export function makeInputs(method: MethodName, c: TestCase, seed: number, signedActivations = false): ComputeOptions {
  const rng = makeRng(seed);
  const featureSize = c.batch * c.height * c.width * c.channels;
  const info = METHODS[method];
  const projection = info.encoding.kind === 'projection';
  const activationData = projection ? plantedActivations(rng, c, signedActivations) : randomFloats(rng, featureSize, signedActivations ? -1 : 0, 1);
  const activations = { data: activationData, shape: [c.batch, c.height, c.width, c.channels] };
  const targetRows = Array.from({ length: c.batch }, () => Array.from({ length: c.targets }, () => Math.floor(rng() * CLASSES)));
  const base = { method, activations, ...(c.size ? { size: c.size } : {}) };
  switch (info.needs) {
    case 'activations':
      return base;
    case 'dense-kernel':
      return { ...base, denseKernel: { data: randomFloats(rng, c.channels * CLASSES, -1, 1), shape: [c.channels, CLASSES] }, targets: targetRows };
    case 'scores': {
      // One logit row per pass the method runs with its default options (samples · B · masked channels).
      const passes = scorePasses(scorePlan(method), c.batch, c.channels);
      return {
        ...base,
        scoreCam: {
          scores: { data: randomFloats(rng, passes * CLASSES, -4, 4), shape: [passes, CLASSES] },
          inputSize: { height: 2 * c.height + 3, width: 3 * c.width + 1 },
          baseline: { data: randomFloats(rng, c.batch * CLASSES, -4, 4), shape: [c.batch, CLASSES] },
        },
        targets: targetRows,
      };
    }
    case 'gradients': {
      // Smooth Grad-CAM++ reads its default number of noisy samples' gradients, sample-major.
      const samples = info.noisySamples?.numSamples ?? 1;
      const lead = samples * c.batch;
      const shape = c.targets === 1 ? [lead, c.height, c.width, c.channels] : [lead, c.targets, c.height, c.width, c.channels];
      const data = projection ? channelGradients(rng, c) : randomFloats(rng, featureSize * c.targets * samples, -1, 1);
      return { ...base, gradients: { data, shape } };
    }
  }
}

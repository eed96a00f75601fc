// Faithfulness metrics where the answer is known by construction: a TF.js model built here
// whose class-1 score depends only on the pixels inside a known rectangle R, so the map
// that ranks R first is the right explanation and every metric must say so. (On the
// bundled shapes model, faithfulness-shapes.test.ts, the model's own behaviour decides
// what the right map is; here nothing but the metric code does.)
//
//   conv 1×1 (identity, linear) → flatten → dense: logit₁ = (4 / (3·|R|))·Σ_{i ∈ R, ch} x − 2, logit₀ = 0
//
// Images are bright inside R (0.8–1.0) and dark outside (0–0.2), so removing R, or
// imputing it from its dark surroundings (ROAD), lowers p₁ = sigmoid(logit₁) from ≈0.8
// to ≈0.12, and nothing outside R moves it.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '@wgcam/shapes';
import { averageFaithfulness, type FaithfulnessSummary } from '@wgcam/core';
import { Explainer, measureFaithfulness } from '@wgcam/core/tfjs';
import { openModelRuntime, type ModelRuntime } from '../src/index.js';

const SIZE = 16;
/** R: rows 4..10, columns 5..12 (56 of 256 pixels). */
const inRegion = (i: number): boolean => {
  const y = Math.floor(i / SIZE);
  const x = i % SIZE;
  return y >= 4 && y <= 10 && x >= 5 && x <= 12;
};
const REGION = Array.from({ length: SIZE * SIZE }, (_, i) => inRegion(i));
const REGION_PIXELS = REGION.filter(Boolean).length;

let runtime: ModelRuntime;
let explainer: Explainer;
let model: tf.LayersModel;

/** The model above, its weights set by hand. */
function regionModel(): tf.LayersModel {
  const input = tf.input({ shape: [SIZE, SIZE, 3] });
  const conv = tf.layers.conv2d({ filters: 3, kernelSize: 1, useBias: false, name: 'features' });
  const features = conv.apply(input) as tf.SymbolicTensor;
  const flat = tf.layers.flatten().apply(features) as tf.SymbolicTensor;
  const dense = tf.layers.dense({ units: 2 });
  const logits = dense.apply(flat) as tf.SymbolicTensor;
  const built = tf.model({ inputs: input, outputs: logits });
  conv.setWeights([tf.eye(3).reshape([1, 1, 3, 3])]);
  const kernel = new Float32Array(SIZE * SIZE * 3 * 2);
  for (let i = 0; i < SIZE * SIZE; i++) {
    if (!REGION[i]) continue;
    for (let ch = 0; ch < 3; ch++) kernel[(i * 3 + ch) * 2 + 1] = 4 / (3 * REGION_PIXELS);
  }
  dense.setWeights([tf.tensor2d(kernel, [SIZE * SIZE * 3, 2]), tf.tensor1d([0, -2])]);
  return built;
}

/** RGBA images bright inside R and dark outside, with seeded noise. */
function regionImages(count: number, seed: number): { data: Uint8Array; width: number; height: number }[] {
  const rng = mulberry32(seed);
  return Array.from({ length: count }, () => {
    const data = new Uint8Array(SIZE * SIZE * 4);
    for (let i = 0; i < SIZE * SIZE; i++) {
      for (let ch = 0; ch < 3; ch++) data[i * 4 + ch] = Math.round(255 * (REGION[i] ? 0.8 + 0.2 * rng() : 0.2 * rng()));
      data[i * 4 + 3] = 255;
    }
    return { data, width: SIZE, height: SIZE };
  });
}

/** R's pixels at 0.5–1 and every pixel graded by distance to R's centre, so values rarely tie. */
function truthMap(): Float32Array {
  const far = Math.SQRT2 * SIZE;
  return Float32Array.from(REGION, (inside, i) => 0.5 * (inside ? 1 : 0) + 0.5 * (1 - Math.hypot(Math.floor(i / SIZE) - 7, (i % SIZE) - 8.5) / far));
}

/** Uniform noise on a 4×4 lattice, nearest-neighbour upsampled: random values with a CAM's blocks. */
function blockMap(rng: () => number): Float32Array {
  const coarse = Array.from({ length: 16 }, () => rng());
  return Float32Array.from({ length: SIZE * SIZE }, (_, i) => coarse[Math.floor(Math.floor(i / SIZE) / 4) * 4 + Math.floor((i % SIZE) / 4)]!);
}

function show(name: string, s: FaithfulnessSummary): string {
  return `${name}: deletion ${s.deletionAuc.toFixed(4)} insertion ${s.insertionAuc.toFixed(4)} ROAD morf ${s.roadMorf.toFixed(4)} lerf ${s.roadLerf.toFixed(4)} combined ${s.roadCombined.toFixed(4)}`;
}

beforeAll(async () => {
  runtime = await openModelRuntime({ backend: 'wasm' });
  model = regionModel();
  explainer = new Explainer(model, { engine: runtime.engine!, preprocess: 'unit' });
});

afterAll(() => {
  explainer?.dispose();
  model?.dispose();
  runtime?.release();
});

describe('faithfulness metrics on a model whose answer is known (score from a known region only)', () => {
  it('the model is what the test says: p₁ ≈ 0.8 on the images, ≈ 0.12 with R blacked out, and pixels outside R do not matter', async () => {
    const [image] = regionImages(1, 3);
    const probability = async (data: Uint8Array): Promise<number> => {
      const x = tf.tensor4d(Float32Array.from({ length: SIZE * SIZE * 3 }, (_, i) => data[Math.floor(i / 3) * 4 + (i % 3)]! / 255), [1, SIZE, SIZE, 3]);
      const p = tf.tidy(() => tf.softmax(model.predict(x) as tf.Tensor2D));
      const value = (await p.data())[1]!;
      tf.dispose([x, p]);
      return value;
    };
    const original = await probability(image!.data);
    const blackR = image!.data.map((v, i) => (REGION[Math.floor(i / 4)] && i % 4 < 3 ? 0 : v));
    const whiteOutside = image!.data.map((v, i) => (!REGION[Math.floor(i / 4)] && i % 4 < 3 ? 255 : v));
    expect(original).toBeGreaterThan(0.75);
    expect(original).toBeLessThan(0.85);
    expect(Math.abs((await probability(blackR)) - 1 / (1 + Math.exp(2)))).toBeLessThan(1e-5);
    expect(Math.abs((await probability(whiteOutside)) - original)).toBeLessThan(1e-5);
  });

  it('a map from R beats random maps (i.i.d. and blocky) and the inverted map on deletion, insertion and ROAD', { timeout: 600_000 }, async () => {
    const images = regionImages(3, 11);
    const target = 1;
    const rng = mulberry32(2025);
    const truth = images.map(() => truthMap());
    const noise = images.map(() => Float32Array.from({ length: SIZE * SIZE }, () => rng()));
    const blocks = images.map(() => blockMap(rng));
    const inverted = truth.map((m) => m.map((v) => 1 - v));
    const results: FaithfulnessSummary[] = [];
    for (const maps of [truth, noise, blocks, inverted]) results.push(averageFaithfulness(await measureFaithfulness(explainer, images, maps, { target })));
    const [t, n, b, i] = results as [FaithfulnessSummary, FaithfulnessSummary, FaithfulnessSummary, FaithfulnessSummary];
    console.log(['known-region model (3 images):', show('ground truth', t), show('i.i.d. noise', n), show('blocky random', b), show('inverted', i)].join('\n'));
    for (const [name, other] of [['i.i.d. noise', n], ['blocky random', b], ['inverted', i]] as const) {
      expect(t.deletionAuc, `deletion (lower is better) vs ${name}`).toBeLessThan(other.deletionAuc);
      expect(t.insertionAuc, `insertion (higher is better) vs ${name}`).toBeGreaterThan(other.insertionAuc);
      expect(t.roadCombined, `ROAD (LeRF − MoRF)/2 (higher is better) vs ${name}`).toBeGreaterThan(other.roadCombined);
    }
    // Removing R first drops the score, and removing the rest first does not move it.
    expect(t.roadMorf).toBeLessThan(-0.3);
    expect(Math.abs(t.roadLerf)).toBeLessThan(0.05);
  });

  it('a constant map: deletion AUC = insertion AUC and ROAD combined = 0, the documented values', { timeout: 300_000 }, async () => {
    const images = regionImages(2, 5);
    const scores = await measureFaithfulness(explainer, images, images.map(() => new Float32Array(SIZE * SIZE).fill(0.5)), { target: 1 });
    for (const s of scores) {
      expect(Math.abs(s.deletion.auc - s.insertion.auc)).toBeLessThan(1e-5);
      expect(s.road.morf).toEqual(s.road.lerf);
      expect(s.road.combined).toBe(0);
    }
  });
});

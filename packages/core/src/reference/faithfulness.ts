// Float64 references of the faithfulness metrics: the perturbed inputs the kernels write
// (cam_multiply, deletion_insertion, road_impute, with map_ranks' counts), the target
// scores (metric_scores) and whole metrics from a model given as a function.
import { planFaithfulness, resolveFaithfulnessOptions, summarizeFaithfulness, type FaithfulnessOptions, type FaithfulnessPlan, type FaithfulnessScores } from '../faithfulness-plan.js';

/** Sizes of the model input the metrics perturb. */
export interface MetricInputDims {
  readonly batch: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/**
 * map_ranks in float64: for each value, how many values of its map are greater and how
 * many equal (itself included), as [greater, equal] pairs.
 *
 * @example
 * mapRanks(new Float32Array([0.5, 1, 0.5]), 1, 3); // [1, 2, 0, 1, 1, 2]
 */
export function mapRanks(values: ArrayLike<number>, maps: number, pixels: number): Uint32Array {
  const out = new Uint32Array(maps * pixels * 2);
  for (let b = 0; b < maps; b++) {
    for (let i = 0; i < pixels; i++) {
      const v = values[b * pixels + i]!;
      let greater = 0;
      let equal = 0;
      for (let j = 0; j < pixels; j++) {
        const o = values[b * pixels + j]!;
        if (o > v) greater++;
        else if (o === v) equal++;
      }
      out[(b * pixels + i) * 2] = greater;
      out[(b * pixels + i) * 2 + 1] = equal;
    }
  }
  return out;
}

/**
 * numpy's percentile (method 'linear') of a list of values.
 *
 * @example
 * percentileLinear([1, 2, 3, 4], 50); // 2.5
 */
export function percentileLinear(values: ArrayLike<number>, p: number): number {
  const sorted = Float64Array.from(values).sort();
  const position = (p / 100) * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.min(lower + 1, sorted.length - 1);
  return sorted[lower]! + (position - lower) * (sorted[upper]! - sorted[lower]!);
}

/**
 * The PCG hash (Jarzynski & Olano 2020) on u32, as road_impute.wgsl computes it.
 *
 * @example
 * pcgHash(0); // 129708002
 */
export function pcgHash(v: number): number {
  const state = (Math.imul(v >>> 0, 747796405) + 2891336453) >>> 0;
  const word = Math.imul(((state >>> ((state >>> 28) + 4)) ^ state) >>> 0, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}

/**
 * The standard normal draw road_impute.wgsl adds (times the noise level) to removed value `key`.
 *
 * @example
 * roadGaussian(0, 17);
 */
export function roadGaussian(seed: number, key: number): number {
  const a = pcgHash((seed ^ pcgHash(Math.imul(key, 2) >>> 0)) >>> 0);
  const b = pcgHash((seed ^ pcgHash((Math.imul(key, 2) + 1) >>> 0)) >>> 0);
  const u1 = ((a >>> 8) + 1) / 16777216;
  const u2 = (b >>> 8) / 16777216;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/**
 * ROAD's kept pixels (1) of one map in exact arithmetic: MoRF keeps v < τ, LeRF v > τ,
 * τ = numpy's linear percentile at p (MoRF) or 100 − p (LeRF, passed here already flipped).
 *
 * @example
 * roadKeep([0, 0.5, 1], 50, 'morf'); // [1, 0, 0]
 */
export function roadKeep(map: readonly number[], p: number, order: 'morf' | 'lerf'): number[] {
  const sorted = Float64Array.from(map).sort();
  const position = (p / 100) * (map.length - 1);
  const lower = Math.floor(position);
  const fraction = position - lower;
  const low = sorted[lower]!;
  const high = sorted[Math.min(lower + 1, map.length - 1)]!;
  // v < τ and v > τ for τ = low + fraction·(high − low), decided without rounding τ.
  return map.map((v) => {
    const kept = order === 'morf' ? v < low || (v === low && fraction > 0 && high > low) : v > high || (v === high && high > low);
    return kept ? 1 : 0;
  });
}

const NEIGHBOURS: readonly (readonly [number, number, number])[] = [
  [-1, -1, 1 / 12], [-1, 0, 1 / 6], [-1, 1, 1 / 12],
  [0, -1, 1 / 6], [0, 1, 1 / 6],
  [1, -1, 1 / 12], [1, 0, 1 / 6], [1, 1, 1 / 12],
];

/**
 * Noisy linear imputation without the noise, solved exactly (conjugate gradients in
 * float64 to machine precision): removed pixels (keep = 0) become the weighted mean of
 * their in-image 8-neighbours, per channel. Where nothing is kept they are 0.
 *
 * @example
 * const filled = linearImpute(image, keep, 32, 32, 3);
 */
export function linearImpute(image: ArrayLike<number>, keep: ArrayLike<number>, height: number, width: number, channels: number): Float64Array {
  const pixels = height * width;
  const out = Float64Array.from({ length: pixels * channels }, (_, i) => (keep[Math.floor(i / channels)] ? image[i]! : 0));
  const unknown: number[] = [];
  const index = new Int32Array(pixels).fill(-1);
  for (let i = 0; i < pixels; i++) if (!keep[i]) index[i] = unknown.push(i) - 1;
  const n = unknown.length;
  if (n === 0) return out;
  const diagonal = new Float64Array(n);
  const links: { j: number; w: number }[][] = unknown.map(() => []);
  const knownLinks: { p: number; w: number }[][] = unknown.map(() => []);
  unknown.forEach((pixel, u) => {
    const y = Math.floor(pixel / width);
    const x = pixel % width;
    for (const [dy, dx, w] of NEIGHBOURS) {
      const ny = y + dy;
      const nx = x + dx;
      if (ny < 0 || nx < 0 || ny >= height || nx >= width) continue;
      diagonal[u] = diagonal[u]! + w;
      const other = ny * width + nx;
      if (index[other]! >= 0) links[u]!.push({ j: index[other]!, w });
      else knownLinks[u]!.push({ p: other, w });
    }
  });
  const multiply = (v: Float64Array): Float64Array =>
    Float64Array.from({ length: n }, (_, u) => diagonal[u]! * v[u]! - links[u]!.reduce((s, l) => s + l.w * v[l.j]!, 0));
  for (let ch = 0; ch < channels; ch++) {
    const rhs = Float64Array.from({ length: n }, (_, u) => knownLinks[u]!.reduce((s, l) => s + l.w * image[l.p * channels + ch]!, 0));
    const x = new Float64Array(n);
    const r = Float64Array.from(rhs);
    const d = Float64Array.from(r);
    let rr = r.reduce((s, v) => s + v * v, 0);
    const stop = 1e-28 * Math.max(rr, 1e-300);
    for (let iteration = 0; iteration < 10 * n + 100 && rr > stop; iteration++) {
      const Ad = multiply(d);
      const alpha = rr / d.reduce((s, v, i) => s + v * Ad[i]!, 0);
      for (let i = 0; i < n; i++) {
        x[i] = x[i]! + alpha * d[i]!;
        r[i] = r[i]! - alpha * Ad[i]!;
      }
      const next = r.reduce((s, v) => s + v * v, 0);
      const beta = next / rr;
      rr = next;
      for (let i = 0; i < n; i++) d[i] = r[i]! + beta * d[i]!;
    }
    unknown.forEach((pixel, u) => {
      out[pixel * channels + ch] = x[u]!;
    });
  }
  return out;
}

/**
 * Plan entries first..first+count−1 as float64 model inputs [count, H, W, Cin], what the
 * perturbation kernels must write.
 *
 * @example
 * const expected = perturbedInputs(plan, input, maps, dims, 0, plan.entries);
 */
export function perturbedInputs(
  plan: FaithfulnessPlan,
  input: ArrayLike<number>,
  maps: ArrayLike<number>,
  dims: MetricInputDims,
  first: number,
  count: number,
): Float64Array {
  const { height, width, channels } = dims;
  const pixels = height * width;
  const size = pixels * channels;
  const ranks = mapRanks(maps, dims.batch, pixels);
  const { steps, baseline, percentiles, noise, seed } = plan.options;
  const P = percentiles.length;
  const out = new Float64Array(count * size);
  for (let q = first; q < first + count; q++) {
    const segment = plan.segments.find((s) => q >= s.start && q < s.start + s.count)!;
    const local = q - segment.start;
    const target = (q - first) * size;
    if (segment.kind === 'multiply') {
      for (let i = 0; i < size; i++) out[target + i] = input[local * size + i]! * maps[local * pixels + Math.floor(i / channels)]!;
    } else if (segment.kind === 'deletion' || segment.kind === 'insertion') {
      const image = Math.floor(local / (steps + 1));
      const t = local % (steps + 1);
      for (let pixel = 0; pixel < pixels; pixel++) {
        const g = ranks[(image * pixels + pixel) * 2]!;
        const e = ranks[(image * pixels + pixel) * 2 + 1]!;
        const m = Math.min(1, Math.max(0, ((t * pixels) / steps - g) / e));
        const keep = segment.kind === 'deletion' ? 1 - m : m;
        for (let ch = 0; ch < channels; ch++) {
          out[target + pixel * channels + ch] = input[image * size + pixel * channels + ch]! * keep + baseline * (1 - keep);
        }
      }
    } else {
      const image = Math.floor(local / (2 * P));
      const order = Math.floor((local % (2 * P)) / P);
      const k = local % P;
      const map = Array.from({ length: pixels }, (_, i) => maps[image * pixels + i]!);
      const keep = roadKeep(map, order === 0 ? percentiles[k]! : 100 - percentiles[k]!, order === 0 ? 'morf' : 'lerf');
      const filled = linearImpute(Array.from({ length: size }, (_, i) => input[image * size + i]!), keep, height, width, channels);
      for (let pixel = 0; pixel < pixels; pixel++) {
        for (let ch = 0; ch < channels; ch++) {
          const key = (((image * P + k) * pixels + pixel) * channels + ch) >>> 0;
          out[target + pixel * channels + ch] = filled[pixel * channels + ch]! + (keep[pixel] ? 0 : noise * roadGaussian(seed, key));
        }
      }
    }
  }
  return out;
}

/**
 * metric_scores in float64: each entry's target probability (softmax) or logit.
 *
 * @example
 * metricScores(logits, 5, targets, plan.entryImages, 0, plan.entries, 'probability');
 */
export function metricScores(
  logits: ArrayLike<number>,
  classes: number,
  targets: ArrayLike<number>,
  entryImages: ArrayLike<number>,
  first: number,
  count: number,
  score: 'probability' | 'logit',
): Float64Array {
  return Float64Array.from({ length: count }, (_, j) => {
    const row = Array.from({ length: classes }, (_, c) => logits[j * classes + c]!);
    const chosen = row[targets[entryImages[first + j]!]!]!;
    if (score === 'logit') return chosen;
    const largest = Math.max(...row);
    return Math.exp(chosen - largest) / row.reduce((s, v) => s + Math.exp(v - largest), 0);
  });
}

/**
 * Every metric in float64 for a model given as a function from a batch of inputs
 * [count, H, W, Cin] to logits [count, classes].
 *
 * @example
 * const [scores] = referenceFaithfulness((x, n) => linearModel(x, n), input, maps, dims, [2], 5, {});
 */
export function referenceFaithfulness(
  model: (inputs: Float64Array, count: number) => ArrayLike<number>,
  input: ArrayLike<number>,
  maps: ArrayLike<number>,
  dims: MetricInputDims,
  targets: readonly number[],
  classes: number,
  options: FaithfulnessOptions = {},
): FaithfulnessScores[] {
  const plan = planFaithfulness(dims.batch, resolveFaithfulnessOptions(options));
  const inputs = perturbedInputs(plan, input, maps, dims, 0, plan.entries);
  const logits = model(inputs, plan.entries);
  const scores = metricScores(logits, classes, targets, plan.entryImages, 0, plan.entries, plan.options.score);
  return summarizeFaithfulness(plan, scores);
}

// The faithfulness metrics' batch layout and their summaries from target scores. One plan
// covers B images: every perturbed model input the metrics need, in one entry order that
// the GPU writes, the model scores and the summary reads.
import { InvalidInputError } from './errors.js';

/** How perturbed inputs are scored: the target's softmax probability (default) or its logit. */
export type FaithfulnessScore = 'probability' | 'logit';

/** The metrics' knobs; every field has a documented default. */
export interface FaithfulnessOptions {
  /** Deletion/insertion steps T: the curves are scored at t/T of the pixels, t = 0..T (default 32). */
  readonly steps?: number;
  /** The value removed pixels take in deletion and insertion, in model-input units (default 0). */
  readonly baseline?: number;
  /** ROAD percentiles p in (0, 100) (default 10, 20, …, 90, as pytorch-grad-cam). */
  readonly percentiles?: readonly number[];
  /** ROAD's imputation noise standard deviation, model-input units (default 0.01, as pytorch-grad-cam). */
  readonly noise?: number;
  /** Seed of ROAD's noise (default 0). */
  readonly seed?: number;
  /** Score of a perturbed input (default 'probability'). */
  readonly score?: FaithfulnessScore;
}

/** The options with their defaults filled in. */
export interface ResolvedFaithfulnessOptions {
  readonly steps: number;
  readonly baseline: number;
  readonly percentiles: readonly number[];
  readonly noise: number;
  readonly seed: number;
  readonly score: FaithfulnessScore;
}

/** ROAD's default percentiles, pytorch-grad-cam's ROADCombined. */
export const ROAD_PERCENTILES: readonly number[] = [10, 20, 30, 40, 50, 60, 70, 80, 90];

/** The kinds of perturbed input, in plan order. */
export type PerturbationKind = 'multiply' | 'deletion' | 'insertion' | 'road';

/** A run of consecutive plan entries of one kind. */
export interface PlanSegment {
  readonly kind: PerturbationKind;
  /** First plan entry of the segment. */
  readonly start: number;
  /** Entries in it: B (multiply), B·(T+1) (deletion, insertion), B·2·P (road). */
  readonly count: number;
}

/** Every perturbed input of B images, in the order the GPU writes them. */
export interface FaithfulnessPlan {
  readonly images: number;
  readonly options: ResolvedFaithfulnessOptions;
  readonly segments: readonly PlanSegment[];
  readonly entries: number;
  /** The image each entry perturbs. */
  readonly entryImages: Uint32Array;
}

/**
 * Fills in and checks the options (InvalidInputError names the bad one and its range).
 *
 * @example
 * resolveFaithfulnessOptions({ steps: 16 }).percentiles; // [10, 20, …, 90]
 */
export function resolveFaithfulnessOptions(options: FaithfulnessOptions = {}): ResolvedFaithfulnessOptions {
  const steps = options.steps ?? 32;
  if (!Number.isInteger(steps) || steps < 1 || steps > 4096) throw new InvalidInputError(`steps must be an integer from 1 to 4096; got ${steps}`);
  const baseline = options.baseline ?? 0;
  if (!Number.isFinite(baseline)) throw new InvalidInputError(`baseline must be a finite number (model-input units); got ${baseline}`);
  const percentiles = options.percentiles ?? ROAD_PERCENTILES;
  if (!Array.isArray(percentiles) || percentiles.length === 0 || percentiles.some((p) => typeof p !== 'number' || !(p > 0 && p < 100))) {
    throw new InvalidInputError(`percentiles must be a non-empty list of numbers strictly between 0 and 100; got [${String(percentiles)}]`);
  }
  const noise = options.noise ?? 0.01;
  if (!Number.isFinite(noise) || noise < 0) throw new InvalidInputError(`noise must be a finite number ≥ 0; got ${noise}`);
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new InvalidInputError(`seed must be an integer from 0 to 2^32 − 1; got ${seed}`);
  const score = options.score ?? 'probability';
  if (score !== 'probability' && score !== 'logit') throw new InvalidInputError(`score must be 'probability' or 'logit'; got '${String(score)}'`);
  return { steps, baseline, percentiles: [...percentiles], noise, seed, score };
}

/**
 * The entry layout for B images: multiply (B), deletion (B·(T+1)), insertion (B·(T+1)),
 * road (B·2·P: per image MoRF at each percentile, then LeRF), each image-major.
 *
 * @example
 * const plan = planFaithfulness(2, resolveFaithfulnessOptions());
 * plan.entries; // 2·(1 + 33 + 33 + 18) = 170
 */
export function planFaithfulness(images: number, options: ResolvedFaithfulnessOptions): FaithfulnessPlan {
  if (!Number.isInteger(images) || images < 1) throw new InvalidInputError(`images must be a positive integer; got ${images}`);
  const perImage: [PerturbationKind, number][] = [
    ['multiply', 1],
    ['deletion', options.steps + 1],
    ['insertion', options.steps + 1],
    ['road', 2 * options.percentiles.length],
  ];
  const segments: PlanSegment[] = [];
  let start = 0;
  for (const [kind, n] of perImage) {
    segments.push({ kind, start, count: images * n });
    start += images * n;
  }
  const entryImages = new Uint32Array(start);
  for (const [s, [, n]] of segments.map((seg, i) => [seg, perImage[i]!] as const)) {
    for (let e = 0; e < s.count; e++) entryImages[s.start + e] = Math.floor(e / n);
  }
  return { images, options, segments, entries: start, entryImages };
}

/** One image's faithfulness scores. Higher is better except where noted. */
export interface FaithfulnessScores {
  /** The target's score on the unperturbed input (Y). */
  readonly original: number;
  /** Deletion curve (t = 0..T) and its area by the trapezoid rule over [0, 1]: lower is better. */
  readonly deletion: { readonly curve: readonly number[]; readonly auc: number };
  /** Insertion curve (t = 0..T) and its area: higher is better. */
  readonly insertion: { readonly curve: readonly number[]; readonly auc: number };
  /** The score of input × map (O). */
  readonly multiplied: number;
  /** max(0, Y − O) / Y (Chattopadhyay et al. 2018; 0 when Y = 0): lower is better. Average it over images for Average Drop. */
  readonly drop: number;
  /** 1 when O > Y, else 0: average over images for Increase in Confidence. */
  readonly increase: 0 | 1;
  /** ROAD: score change (imputed − original) per percentile, their means, and (LeRF − MoRF) / 2 (higher is better). */
  readonly road: {
    readonly percentiles: readonly number[];
    readonly morf: readonly number[];
    readonly lerf: readonly number[];
    readonly morfMean: number;
    readonly lerfMean: number;
    readonly combined: number;
  };
}

/**
 * Area under a curve sampled at t/T, t = 0..T, by the trapezoid rule.
 *
 * @example
 * curveArea([1, 0.5, 0]); // 0.5
 */
export function curveArea(curve: ArrayLike<number>): number {
  const steps = curve.length - 1;
  if (steps < 1) throw new InvalidInputError('a curve needs at least two points');
  let sum = 0;
  for (let t = 0; t < steps; t++) sum += (curve[t]! + curve[t + 1]!) / 2;
  return sum / steps;
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * Turns the plan's target scores (one per entry) into each image's metrics, in float64.
 * The original score Y is the deletion curve's first point (the unperturbed input).
 *
 * @example
 * const perImage = summarizeFaithfulness(plan, scores);
 * perImage[0].deletion.auc;
 */
export function summarizeFaithfulness(plan: FaithfulnessPlan, scores: ArrayLike<number>): FaithfulnessScores[] {
  if (scores.length !== plan.entries) throw new InvalidInputError(`expected ${plan.entries} scores (one per plan entry); got ${scores.length}`);
  const { steps, percentiles } = plan.options;
  const P = percentiles.length;
  const segment = (kind: PerturbationKind): PlanSegment => plan.segments.find((s) => s.kind === kind)!;
  const slice = (kind: PerturbationKind, image: number, n: number): number[] => {
    const start = segment(kind).start + image * n;
    return Array.from({ length: n }, (_, i) => scores[start + i]!);
  };
  return Array.from({ length: plan.images }, (_, b) => {
    const deletion = slice('deletion', b, steps + 1);
    const insertion = slice('insertion', b, steps + 1);
    const original = deletion[0]!;
    const multiplied = slice('multiply', b, 1)[0]!;
    const road = slice('road', b, 2 * P);
    const morf = road.slice(0, P).map((s) => s - original);
    const lerf = road.slice(P).map((s) => s - original);
    const morfMean = mean(morf);
    const lerfMean = mean(lerf);
    return {
      original,
      deletion: { curve: deletion, auc: curveArea(deletion) },
      insertion: { curve: insertion, auc: curveArea(insertion) },
      multiplied,
      drop: original > 0 ? Math.max(0, original - multiplied) / original : 0,
      increase: multiplied > original ? 1 : 0,
      road: { percentiles: [...percentiles], morf, lerf, morfMean, lerfMean, combined: (lerfMean - morfMean) / 2 },
    };
  });
}

/** How road_impute solves ROAD's linear system (see road_impute.wgsl). */
export interface RoadSolverSettings {
  /** Cap on conjugate-gradient steps (each preconditioned by one multigrid V-cycle) per channel group. */
  readonly maxIterations: number;
  /** A channel is done once its true residual is ≤ tolerance·‖b‖ (norms weighted by 1/D). */
  readonly tolerance: number;
  /** A CG cycle ends (and the true residual is formed again) once its recursive residual fell by this factor, or to tolerance/10·‖b‖. */
  readonly drop: number;
}

/**
 * The stopping rule and cap of ROAD's imputation for an H×W input (the same for every
 * size). Conjugate gradients preconditioned by a multigrid V-cycle (Galerkin coarse
 * operators of the masked system) take a number of steps that does not grow with the
 * image: in float64 at most 9 steps to
 * a relative residual of 1e-7 on CAM-like and random masks from 24×40 to 128×128, and in
 * float32 on the GPU every case of road-solver.test.ts (16×16 to 64×64) converged within
 * 9 steps, restart included (the same figures with the cap at 9 as at 11). The cap, 50
 * steps whatever the size, is more than five times that. tolerance 1e-6: where float32's
 * floor lies above it a channel stops when a cycle no longer halves its true residual
 * instead. 1e-7 brought the tests' worst input from 1.8e-6 to 1.9e-7 but cost 40–70% more
 * CPU time on the road-solver bench (a second cycle to reach it). drop 1e-6: the first
 * cycle runs to tolerance/10 uninterrupted (a restart costs CG its superlinear
 * convergence); later cycles only polish the float32 drift of the recursive residual.
 *
 * @example
 * roadSolverSettings(32, 32).maxIterations; // 50
 */
export function roadSolverSettings(height: number, width: number): RoadSolverSettings {
  return { maxIterations: 50, tolerance: 1e-6, drop: 1e-6 };
}

/**
 * numpy's 'linear' percentile position p/100·(N − 1) as (⌊pos⌋, pos − ⌊pos⌋), formed in
 * float64 so the GPU lands on the same sorted values as numpy: MoRF's P percentiles, then
 * LeRF's (at 100 − p), as road_impute reads them.
 *
 * @example
 * roadPositions([50], 5); // Float32Array [2, 0, 2, 0]
 */
export function roadPositions(percentiles: readonly number[], pixels: number): Float32Array {
  const out = new Float32Array(percentiles.length * 4);
  [...percentiles, ...percentiles.map((p) => 100 - p)].forEach((p, i) => {
    const position = (p / 100) * (pixels - 1);
    const lower = Math.floor(position);
    out[2 * i] = lower;
    out[2 * i + 1] = position - lower;
  });
  return out;
}

/** Metrics averaged over images: what a method's row in a comparison shows. */
export interface FaithfulnessSummary {
  readonly images: number;
  /** Mean deletion AUC (lower is better). */
  readonly deletionAuc: number;
  /** Mean insertion AUC (higher is better). */
  readonly insertionAuc: number;
  /** Average Drop: mean of max(0, Y − O)/Y, as a fraction (lower is better). */
  readonly averageDrop: number;
  /** Increase in Confidence: share of images with O > Y (higher is better). */
  readonly increaseInConfidence: number;
  /** Mean ROAD MoRF score change (more negative is better). */
  readonly roadMorf: number;
  /** Mean ROAD LeRF score change (closer to 0 is better). */
  readonly roadLerf: number;
  /** Mean ROAD (LeRF − MoRF)/2 (higher is better). */
  readonly roadCombined: number;
}

/**
 * The mean of each metric over images.
 *
 * @example
 * const row = averageFaithfulness(await session.finish());
 * console.log(row.deletionAuc, row.roadCombined);
 */
export function averageFaithfulness(scores: readonly FaithfulnessScores[]): FaithfulnessSummary {
  if (scores.length === 0) throw new InvalidInputError('no scores to average');
  const avg = (f: (s: FaithfulnessScores) => number): number => scores.reduce((sum, s) => sum + f(s), 0) / scores.length;
  return {
    images: scores.length,
    deletionAuc: avg((s) => s.deletion.auc),
    insertionAuc: avg((s) => s.insertion.auc),
    averageDrop: avg((s) => s.drop),
    increaseInConfidence: avg((s) => s.increase),
    roadMorf: avg((s) => s.road.morfMean),
    roadLerf: avg((s) => s.road.lerfMean),
    roadCombined: avg((s) => s.road.combined),
  };
}

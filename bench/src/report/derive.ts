// The figures a report shows, derived from raw samples: medians, and ratios taken per
// round (all ways of one round ran back to back) before their median is taken.
import type { MethodResult, ModelCaseResult, Samples, ScoreCamResult } from './result-types.js';
import { addSamples, median, pairedRatios, summarize, type Summary } from '../stats/summary.js';

/** One row of the main table. */
export interface MethodRow {
  readonly model: string;
  readonly batch: number;
  readonly method: string;
  readonly feature: string;
  readonly output: string;
  /** Forward (CAM) or forward + backward, per round. */
  readonly modelPass: Summary;
  readonly wgcamPost: Summary;
  readonly wgcamReadback: Summary;
  readonly tfjsOps: Summary;
  readonly cpu: Summary;
  /** Median of (model + post + readback). */
  readonly totalMs: number;
  /** (wgcam post + readback) / model pass, ratio of medians. */
  readonly postShareOfModel: number;
  /** Per-round ratios, baseline ÷ wgcam, post-processing including readback. */
  readonly speedupVsTfjsOps: Summary;
  readonly speedupVsCpu: Summary;
  /** Per-round ratio of the GPU work alone (TF.js ops ÷ wgcam), readbacks left out. */
  readonly gpuSpeedupVsTfjsOps: Summary;
}

function modelPass(result: ModelCaseResult, method: string): Summary {
  return summarize(method === 'cam' ? result.forward.ms : addSamples(result.forward.ms, result.backward.ms));
}

function endToEnd(post: Samples, readback: Samples): number[] {
  return addSamples(post.ms, readback.ms);
}

/**
 * The main table's row for one timed method of one case; null when it was not timed.
 *
 * @example
 * const rows = results.cases.flatMap((c) => c.methods.map((m) => methodRow(c, m))).filter(Boolean);
 */
export function methodRow(result: ModelCaseResult, method: MethodResult): MethodRow | null {
  const t = method.times;
  if (!t) return null;
  const pass = modelPass(result, method.method);
  const wg = endToEnd(t.wgcam.post, t.wgcam.readback);
  const tfjs = endToEnd(t.tfjsOps.post, t.tfjsOps.readback);
  const cpu = addSamples(t.cpu.readback.ms, t.cpu.post.ms);
  const wgPost = summarize(t.wgcam.post.ms);
  const wgRead = summarize(t.wgcam.readback.ms);
  const { feature, output } = result;
  return {
    model: result.model,
    batch: result.batch,
    method: method.method,
    feature: `${feature.height}×${feature.width}×${feature.channels}`,
    output: `${output.height}×${output.width}`,
    modelPass: pass,
    wgcamPost: wgPost,
    wgcamReadback: wgRead,
    tfjsOps: summarize(tfjs),
    cpu: summarize(cpu),
    totalMs: pass.median + wgPost.median + wgRead.median,
    postShareOfModel: median(wg) / pass.median,
    speedupVsTfjsOps: pairedRatios(tfjs, wg),
    speedupVsCpu: pairedRatios(cpu, wg),
    gpuSpeedupVsTfjsOps: pairedRatios(t.tfjsOps.post.ms, t.wgcam.post.ms),
  };
}

/**
 * Every row of the main table, in run order.
 *
 * @example
 * const rows = methodRows(results.cases);
 */
export function methodRows(cases: readonly ModelCaseResult[]): MethodRow[] {
  return cases.flatMap((c) => c.methods.map((m) => methodRow(c, m)).filter((row): row is MethodRow => row !== null));
}

/** One row of the Score-CAM table. */
export interface ScoreCamRow {
  readonly model: string;
  readonly batch: number;
  readonly channels: number;
  readonly pairs: string;
  readonly maskPerChunk: number;
  readonly forwardPerChunk: number;
  readonly weightsPerChunk: number;
  /** (Σ masks + Σ weights) / Σ masked forwards. */
  readonly overheadShare: number;
  /** Σ TF.js-ops masking / Σ wgcam masking. */
  readonly maskSpeedupVsTfjsOps: number;
  /** Whole Score-CAM (all pairs): measured when every pair was timed, else scaled up from the timed chunks. */
  readonly totalMs: number;
  readonly totalMeasured: boolean;
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/**
 * The Score-CAM table's row of one result; null when it was not timed.
 *
 * @example
 * const row = scoreCamRow(results.scoreCam[0]);
 */
export function scoreCamRow(result: ScoreCamResult): ScoreCamRow | null {
  if (!result.passed || result.masks.ms.length === 0) return null;
  const masks = sum(result.masks.ms);
  const forwards = sum(result.forwards.ms);
  const weights = sum(result.weights.ms);
  const measured = result.pairsTimed === result.pairsTotal;
  const tail = measured ? sum(result.complete?.finish.ms ?? []) + sum(result.complete?.readback.ms ?? []) : 0;
  const scale = result.pairsTotal / result.pairsTimed;
  return {
    model: result.model,
    batch: result.batch,
    channels: result.channels,
    pairs: `${result.pairsTimed} of ${result.pairsTotal}`,
    maskPerChunk: median(result.masks.ms),
    forwardPerChunk: median(result.forwards.ms),
    weightsPerChunk: median(result.weights.ms),
    overheadShare: (masks + weights) / forwards,
    maskSpeedupVsTfjsOps: sum(result.tfjsMasks.ms) / masks,
    totalMs: (masks + forwards + weights) * scale + tail,
    totalMeasured: measured,
  };
}

// The JSON a run writes: raw samples of every timed span, the checks that gate them, the
// environment, and the targets evaluated from the samples.
import type { BenchMethod } from '../baselines/feature-shape.js';
import type { Growth } from '../stats/growth.js';
import type { BenchMode } from '../plan.js';
import type { Clock } from '../timing/span-timer.js';
import type { E2eResults } from '../e2e/e2e-types.js';

export const RESULT_SCHEMA = 'wgcam-bench/1';

/** Raw samples of one timed span, in milliseconds, in round order. */
export interface Samples {
  /** Which clock `ms` comes from: GPU timestamps, or wall time (CPU work, readbacks, no timestamps). */
  readonly clock: Clock;
  readonly ms: readonly number[];
  /** Wall time of the same spans (equal to ms when clock is 'wall'). */
  readonly wallMs: readonly number[];
}

/** Buffer-pool counters of the engine (flat `created` = no new GPU buffers). */
export interface PoolCounters {
  readonly created: number;
  readonly bytesCreated: number;
  readonly inUse: number;
  readonly free: number;
}

/** Pool counters after the warm-up and at the end of the timed rounds. */
export interface PoolCheck {
  readonly afterWarmup: PoolCounters;
  readonly end: PoolCounters;
  /** No buffer was created after the warm-up. */
  readonly flat: boolean;
}

/** How closely a baseline's output agrees with wgcam's, checked before anything is timed. */
export interface Agreement {
  /** Relative L2 error of the heatmaps (gate: < 1e-4). */
  readonly heatmapRelL2: number;
  /** Overlay bytes that differ, and by how much at most (colormap bin boundaries may round differently). */
  readonly overlayBytesDiffering: number;
  readonly overlayMaxDiff: number;
}

/** One method on one model at one batch size. */
export interface MethodResult {
  readonly method: BenchMethod;
  readonly agreement: { readonly tfjsOps: Agreement; readonly cpu: Agreement };
  readonly passed: boolean;
  /** Present only when the agreement check passed. */
  readonly times?: {
    readonly wgcam: { readonly post: Samples; readonly readback: Samples };
    readonly tfjsOps: { readonly post: Samples; readonly readback: Samples };
    readonly cpu: { readonly readback: Samples; readonly post: Samples };
  };
}

/** One model at one batch size: its passes and every method's post-processing. */
export interface ModelCaseResult {
  readonly model: string;
  readonly batch: number;
  readonly input: { readonly height: number; readonly width: number; readonly channels: number };
  readonly feature: { readonly height: number; readonly width: number; readonly channels: number };
  readonly output: { readonly height: number; readonly width: number };
  /** Trunk + head forward (what CAM needs). */
  readonly forward: Samples;
  /** Gradient of the target score w.r.t. the target layer (head forward + backward). */
  readonly backward: Samples;
  readonly methods: readonly MethodResult[];
  readonly pool: PoolCheck;
}

/** Score-CAM on one model at one batch size, timed per chunk of masked inputs. */
export interface ScoreCamResult {
  readonly model: string;
  readonly batch: number;
  readonly channels: number;
  readonly chunk: number;
  readonly pairsTotal: number;
  readonly pairsTimed: number;
  /** Per chunk: wgcam's mask kernel, the model on the masked chunk, wgcam's weights, TF.js ops masking (baseline 3). */
  readonly masks: Samples;
  readonly forwards: Samples;
  readonly weights: Samples;
  readonly tfjsMasks: Samples;
  /** Relative L2 of wgcam's masks against the TF.js-ops masks (gate: < 1e-4). */
  readonly maskRelL2: number;
  /** When every pair was scored: the final maps, their readback, and agreement with the baselines. */
  readonly complete?: {
    readonly finish: Samples;
    readonly readback: Samples;
    readonly agreement: { readonly tfjsOps: Agreement; readonly cpu: Agreement };
  };
  readonly passed: boolean;
  readonly pool: PoolCheck;
}

/** Post-processing time of one synthetic shape. */
export interface ScalingPoint {
  readonly size: number;
  readonly label: string;
  readonly samples: Samples;
}

/** A sweep of one parameter with the others fixed. */
export interface ScalingSeries {
  readonly parameter: 'channels' | 'feature positions (h×w)' | 'output pixels' | 'batch' | 'Score-CAM channels';
  readonly fixed: string;
  readonly points: readonly ScalingPoint[];
  readonly growth: Growth;
}

/** One of the targets with the ratio this run measured. */
export interface TargetCheck {
  readonly name: string;
  readonly goal: string;
  readonly measured: number | null;
  readonly met: boolean | null;
  readonly detail: string;
}

export interface Environment {
  readonly runtime: 'node' | 'browser';
  readonly adapter: { readonly vendor: string; readonly architecture: string; readonly device: string; readonly description: string };
  readonly software: boolean;
  readonly timestampQuery: boolean;
  readonly clock: Clock;
  /** Median of an empty timed span (just the two marker passes): the floor under every GPU time. */
  readonly emptySpanMs: number;
  readonly tfBackend: string;
  readonly versions: Readonly<Record<string, string>>;
  readonly platform: string;
  readonly cpus: number | null;
}

export interface BenchResults {
  readonly schema: typeof RESULT_SCHEMA;
  readonly mode: BenchMode;
  readonly startedAt: string;
  readonly durationS: number;
  readonly environment: Environment;
  readonly cases: readonly ModelCaseResult[];
  readonly scoreCam: readonly ScoreCamResult[];
  readonly scaling: readonly ScalingSeries[];
  readonly targets: readonly TargetCheck[];
  /** End to end (file → overlay file) per backend and batch, against the Python peer; Node only. */
  readonly e2e?: E2eResults;
  /** 'e2e-only' for a --e2e-only run (written as <runtime>-<mode>-e2e.*); absent for a whole run. */
  readonly scope?: 'e2e-only';
  readonly skipped: readonly string[];
  /** Failures (a check that did not pass, a model that could not load); non-empty fails the run. */
  readonly failures: readonly string[];
}

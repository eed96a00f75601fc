// What a run measures. --quick keeps every suite but trims batch sizes, repeats and the
// Score-CAM chunks on the 224×224 networks, whose forward passes take tens of seconds on
// a software GPU; the report lists everything a run skipped.
import type { BenchMethod } from './baselines/feature-shape.js';
import type { ModelName } from './models/bench-model.js';

/** How often to time one model at one batch size. */
export interface ModelPlan {
  readonly model: ModelName;
  /** Batch sizes, each with its timed forward+backward passes (after one untimed warm-up pass). */
  readonly batches: readonly { readonly batch: number; readonly modelRounds: number }[];
  /** Timed rounds of every method's post-processing and its baselines (after one warm-up round). */
  readonly postRounds: number;
}

/** Which Score-CAM pairs to time for one model and batch size. */
export interface ScoreCamPlan {
  readonly model: ModelName;
  readonly batch: number;
  /** Masked inputs per chunk (one model call each). */
  readonly chunk: number;
  /** 'all': every (image, channel) pair, then the heatmap; a number: only that many chunks, no heatmap. */
  readonly chunks: 'all' | number;
}

/** Synthetic post-processing sweeps (no model) and the Score-CAM channel sweep. */
export interface ScalingPlan {
  readonly rounds: number;
  readonly channels: readonly number[];
  readonly sides: readonly number[];
  readonly outputs: readonly number[];
  readonly batches: readonly number[];
  readonly scoreCamChannels: readonly number[];
}

/** full: everything; quick: under five minutes on two cores; smoke: seconds, small models only, to check a setup. */
export type BenchMode = 'full' | 'quick' | 'smoke';

/** Models run in this order; the trained shapes CNN goes last (it loads from disk, and is the cheapest). */
export interface BenchPlan {
  readonly mode: BenchMode;
  readonly methods: readonly BenchMethod[];
  readonly models: readonly ModelPlan[];
  readonly scoreCam: readonly ScoreCamPlan[];
  readonly scaling: ScalingPlan;
  /** What this plan leaves out compared with the full run, for the report. */
  readonly skipped: readonly string[];
}

const METHODS: readonly BenchMethod[] = ['cam', 'gradcam', 'gradcam++', 'xgradcam', 'layercam', 'hirescam'];

/**
 * The plan of a run; `heavy` adds resnet50-style at batch 8 to a full run (two ResNet50
 * passes at batch 8: about 20 minutes on two cores with a software GPU).
 *
 * @example
 * const plan = benchPlan('quick');
 */
export function benchPlan(mode: BenchMode, heavy = false): BenchPlan {
  if (mode === 'smoke') {
    return {
      mode,
      methods: METHODS,
      models: [{ model: 'shapes-cnn', batches: [{ batch: 2, modelRounds: 1 }], postRounds: 1 }],
      scoreCam: [{ model: 'shapes-cnn', batch: 1, chunk: 16, chunks: 2 }],
      scaling: { rounds: 1, channels: [256, 512], sides: [7, 14], outputs: [56, 112], batches: [1, 2], scoreCamChannels: [8, 16] },
      skipped: ['smoke run: checks the setup in seconds; the 224×224 networks and most repeats are left out, so its ratios are not results'],
    };
  }
  if (mode === 'quick') {
    return {
      mode,
      methods: METHODS,
      models: [
        { model: 'mobilenetv2-style', batches: [{ batch: 1, modelRounds: 1 }], postRounds: 3 },
        { model: 'resnet50-style', batches: [{ batch: 1, modelRounds: 1 }], postRounds: 3 },
        { model: 'shapes-cnn', batches: [{ batch: 1, modelRounds: 3 }, { batch: 8, modelRounds: 3 }], postRounds: 5 },
      ],
      scoreCam: [
        { model: 'shapes-cnn', batch: 1, chunk: 16, chunks: 'all' },
        { model: 'mobilenetv2-style', batch: 1, chunk: 1, chunks: 1 },
      ],
      scaling: { rounds: 3, channels: [256, 512, 1024, 2048], sides: [7, 14, 28], outputs: [56, 112, 224, 448], batches: [1, 2, 4, 8], scoreCamChannels: [8, 16, 32, 64] },
      skipped: [
        'batch 8 on mobilenetv2-style and resnet50-style (one forward+backward at batch 8 takes minutes on a software GPU)',
        'Score-CAM on resnet50-style; Score-CAM on mobilenetv2-style times one masked forward pass, not all 1280',
        'repeats: 1 timed model pass per big model, 3 post-processing rounds',
      ],
    };
  }
  return {
    mode,
    methods: METHODS,
    models: [
      { model: 'mobilenetv2-style', batches: [{ batch: 1, modelRounds: 3 }, { batch: 8, modelRounds: 1 }], postRounds: 7 },
      { model: 'resnet50-style', batches: [{ batch: 1, modelRounds: 3 }, ...(heavy ? [{ batch: 8, modelRounds: 1 }] : [])], postRounds: 7 },
      { model: 'shapes-cnn', batches: [{ batch: 1, modelRounds: 5 }, { batch: 8, modelRounds: 5 }], postRounds: 9 },
    ],
    scoreCam: [
      { model: 'shapes-cnn', batch: 1, chunk: 16, chunks: 'all' },
      { model: 'shapes-cnn', batch: 8, chunk: 32, chunks: 'all' },
      { model: 'mobilenetv2-style', batch: 1, chunk: 2, chunks: 2 },
      { model: 'resnet50-style', batch: 1, chunk: 1, chunks: 2 },
    ],
    scaling: { rounds: 5, channels: [128, 256, 512, 1024, 2048, 4096], sides: [7, 14, 28, 56], outputs: [56, 112, 224, 448, 896], batches: [1, 2, 4, 8, 16], scoreCamChannels: [8, 16, 32, 64, 128] },
    skipped: [
      'Score-CAM on mobilenetv2-style and resnet50-style times a few chunks of masked inputs (all 1280 / 2048 channels would take hours on a software GPU), so no heatmap is checked there; the masks are',
      heavy ? 'resnet50-style and mobilenetv2-style at batch 8: 1 timed model pass' : 'mobilenetv2-style at batch 8: 1 timed model pass',
      ...(heavy ? [] : ['resnet50-style at batch 8 (its untimed and timed passes take about 20 minutes on two software-GPU cores; add --heavy)']),
    ],
  };
}

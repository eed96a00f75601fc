// The whole explanation in float64, stage by stage as CamEngine.compute runs it.
import { colormapTable } from '../colormaps.js';
import type { ComputeOptions } from '../engine.js';
import type { Normalization } from '../output-plan.js';
import { activationDims, gradientTargets, resolveTargets, type FeatureDims, type Size2D } from '../inputs.js';
import { gradientSamples } from '../gradient-samples.js';
import { METHODS } from '../methods.js';
import { eigenSmoothedMaps } from './eigen-smooth.js';
import { mapRanges, normalizeMaps } from './maps.js';
import { colormapOverlay } from './overlay.js';
import { upsampleBilinear } from './resample.js';

/** Every intermediate of a reference explanation. */
export interface ReferenceStages {
  readonly dims: FeatureDims;
  readonly weights: Float64Array | null;
  readonly rawMaps: Float64Array;
  /** (min, max) per map at feature resolution. */
  readonly ranges: Float64Array;
  /** The maps normalised at feature resolution. */
  readonly normalized: Float64Array;
  /** The heatmaps at the requested size, normalised by the requested convention. */
  readonly heatmap: Float64Array;
}

/**
 * Raw maps [count, h·w] resized to `size` and min-max normalised by `normalize`: at
 * `size` after resizing ('output') or at feature resolution before it ('feature').
 *
 * @example
 * const heat = normalizedHeat(rawMaps, 1, { height: 7, width: 7 }, { height: 224, width: 224 }, 'output');
 */
export function normalizedHeat(rawMaps: ArrayLike<number>, count: number, feature: Size2D, size: Size2D, normalize: Normalization): Float64Array {
  const same = size.height === feature.height && size.width === feature.width;
  if (normalize === 'feature') {
    const positions = feature.height * feature.width;
    const normalized = normalizeMaps(rawMaps, mapRanges(rawMaps, count, positions), count, positions);
    return same ? normalized : upsampleBilinear(normalized, count, feature, size);
  }
  const resized = same ? Float64Array.from(rawMaps) : upsampleBilinear(rawMaps, count, feature, size);
  const pixels = size.height * size.width;
  return normalizeMaps(resized, mapRanges(resized, count, pixels), count, pixels);
}

function cpuData(source: { data: unknown }, name: string): Float32Array {
  if (!(source.data instanceof Float32Array)) throw new Error(`reference: ${name} must be a Float32Array`);
  return source.data;
}

/**
 * Computes in float64 what `engine.compute(options)` computes (typed-array inputs only),
 * normalised as `options.normalize` says (default 'output', the engine's default).
 *
 * @example
 * const expected = referenceHeatmaps({ method: 'gradcam', activations, gradients, size: { height: 32, width: 32 } });
 */
export function referenceHeatmaps(options: ComputeOptions): ReferenceStages {
  const base = activationDims(options.activations);
  const info = METHODS[options.method];
  const classes = options.denseKernel?.shape[1] ?? options.scoreCam?.scores.shape[1] ?? 0;
  let dims: FeatureDims = { ...base, targets: 1 };
  let targets: Uint32Array | null = null;
  let samples = 1;
  switch (info.needs) {
    case 'activations':
      break;
    case 'gradients':
      if (info.noisySamples) {
        const noisy = gradientSamples(options.gradients!, base);
        samples = noisy.samples;
        dims = { ...base, targets: noisy.targets };
      } else {
        dims = { ...base, targets: gradientTargets(options.gradients!, base) };
      }
      break;
    case 'dense-kernel':
    case 'scores':
      targets = resolveTargets(options.targets, base.batch, classes);
      dims = { ...base, targets: targets.length / base.batch };
      break;
  }
  const activations = cpuData(options.activations, 'activations');
  const gradients = options.gradients ? cpuData(options.gradients, 'gradients') : null;
  const { weights, rawMaps: summed } = info.reference({
    dims,
    activations,
    gradients,
    gradientSamples: samples,
    denseKernel: options.denseKernel ? cpuData(options.denseKernel, 'denseKernel') : null,
    scores: options.scoreCam ? cpuData(options.scoreCam.scores, 'scores') : null,
    inputSize: options.scoreCam?.inputSize ?? null,
    variant: options.scoreCam?.variant ?? 'probability',
    ...(options.scoreCam ? { scoreOptions: options.scoreCam, baseline: options.scoreCam.baseline ? cpuData(options.scoreCam.baseline, 'baseline') : null } : {}),
    classes,
    targets,
  });
  const rawMaps = options.eigenSmooth && info.encoding.kind !== 'projection' ? eigenSmoothedMaps(info.encoding, weights, activations, gradients, dims) : summed;
  const count = dims.batch * dims.targets;
  const positions = dims.height * dims.width;
  const ranges = mapRanges(rawMaps, count, positions);
  const normalized = normalizeMaps(rawMaps, ranges, count, positions);
  const feature: Size2D = { height: dims.height, width: dims.width };
  const heatmap = normalizedHeat(rawMaps, count, feature, options.size ?? feature, options.normalize ?? 'output');
  return { dims, weights, rawMaps, ranges, normalized, heatmap };
}

/**
 * The reference overlay for heat planes already at the overlay size (e.g. the engine's
 * own float heatmap, so that colormap bins are compared on identical inputs).
 *
 * @example
 * const bytes = referenceOverlay(heatmap, options, dims);
 */
export function referenceOverlay(heat: ArrayLike<number>, options: ComputeOptions, dims: FeatureDims, pixels: number): Uint8Array {
  const overlay = options.overlay ?? {};
  const image = overlay.image && !(typeof overlay.image.data === 'object' && 'mapAsync' in overlay.image.data) ? (overlay.image.data as Uint8Array) : null;
  return colormapOverlay(heat, colormapTable(overlay.colormap ?? 'jet'), image, dims.batch * dims.targets, dims.targets, pixels, overlay.alpha ?? 0.5);
}

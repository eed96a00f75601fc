// The whole explanation in float64, stage by stage as CamEngine.compute runs it.
import { colormapTable } from '../colormaps.js';
import type { ComputeOptions } from '../engine.js';
import { activationDims, gradientTargets, resolveTargets, type FeatureDims, type Size2D } from '../inputs.js';
import { elementwiseSumRelu, mapRanges, normalizeMaps, weightedSumRelu } from './maps.js';
import { colormapOverlay } from './overlay.js';
import { upsampleBilinear } from './resample.js';
import { channelRanges, scoreCamWeights } from './scorecam.js';
import { camWeights, gradcamppWeights, gradcamWeights, xgradcamWeights } from './weights.js';

/** Every intermediate of a reference explanation. */
export interface ReferenceStages {
  readonly dims: FeatureDims;
  readonly weights: Float64Array | null;
  readonly rawMaps: Float64Array;
  readonly ranges: Float64Array;
  readonly normalized: Float64Array;
  readonly heatmap: Float64Array;
}

function cpuData(source: { data: unknown }, name: string): Float32Array {
  if (!(source.data instanceof Float32Array)) throw new Error(`reference: ${name} must be a Float32Array`);
  return source.data;
}

/**
 * Computes in float64 what `engine.compute(options)` computes (typed-array inputs only).
 *
 * @example
 * const expected = referenceHeatmaps({ method: 'gradcam', activations, gradients, size: { height: 32, width: 32 } });
 */
export function referenceHeatmaps(options: ComputeOptions): ReferenceStages {
  const base = activationDims(options.activations);
  const A = cpuData(options.activations, 'activations');
  let dims: FeatureDims = { ...base, targets: 1 };
  let weights: Float64Array | null = null;
  let rawMaps: Float64Array;
  if (options.method === 'cam') {
    const kernel = options.denseKernel!;
    const classes = kernel.shape[1]!;
    const targets = resolveTargets(options.targets, base.batch, classes);
    dims = { ...base, targets: targets.length / base.batch };
    weights = camWeights(cpuData(kernel, 'denseKernel'), targets, dims, classes);
    rawMaps = weightedSumRelu(A, weights, dims);
  } else if (options.method === 'scorecam') {
    const score = options.scoreCam!;
    const classes = score.scores.shape[1]!;
    const targets = resolveTargets(options.targets, base.batch, classes);
    dims = { ...base, targets: targets.length / base.batch };
    const ranges = channelRanges(A, dims, score.inputSize);
    weights = scoreCamWeights(cpuData(score.scores, 'scores'), targets, ranges, dims, classes, score.variant ?? 'probability');
    rawMaps = weightedSumRelu(A, weights, dims);
  } else {
    const gradients = options.gradients!;
    dims = { ...base, targets: gradientTargets(gradients, base) };
    const G = cpuData(gradients, 'gradients');
    if (options.method === 'layercam' || options.method === 'hirescam') {
      rawMaps = elementwiseSumRelu(A, G, dims, options.method === 'layercam');
    } else {
      weights =
        options.method === 'gradcam' ? gradcamWeights(G, dims) : options.method === 'gradcam++' ? gradcamppWeights(A, G, dims) : xgradcamWeights(A, G, dims);
      rawMaps = weightedSumRelu(A, weights, dims);
    }
  }
  const count = dims.batch * dims.targets;
  const positions = dims.height * dims.width;
  const ranges = mapRanges(rawMaps, count, positions);
  const normalized = normalizeMaps(rawMaps, ranges, count, positions);
  const feature: Size2D = { height: dims.height, width: dims.width };
  const size = options.size ?? feature;
  const heatmap = size.height === feature.height && size.width === feature.width ? normalized : upsampleBilinear(normalized, count, feature, size);
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

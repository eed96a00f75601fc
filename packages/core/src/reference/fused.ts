// Float64 reference of CamEngine.computeFused: several layers' maps normalised at their
// feature resolution, resized, fused and normalised again (pytorch-grad-cam's
// aggregate_multi_layers, or the maximum as torch-cam's fuse), then optionally the mean of
// T augmented copies' maps, each flipped back where its input was flipped (aug_smooth).
import { checkFusedRequest, planFused, type FusedComputeOptions } from '../fused-plan.js';
import type { FuseMode } from '../fused-stages.js';
import type { FeatureDims, Size2D } from '../inputs.js';
import { mapRanges, normalizeMaps } from './maps.js';
import { normalizedHeat, referenceHeatmaps } from './pipeline.js';
import { upsampleBilinear } from './resample.js';

/** The stages of a reference fused explanation. */
export interface ReferenceFused {
  /** Each layer's raw maps [B·T·K, h_l·w_l]. */
  readonly layerMaps: readonly Float64Array[];
  readonly layerDims: readonly FeatureDims[];
  /** The fused maps [B·T·K, H·W] before their final normalisation. */
  readonly fused: Float64Array;
  readonly size: Size2D;
  /** The heatmaps [B·K, H·W]: fused and normalised, or (augmented) the mean of the normalised, de-augmented copies. */
  readonly heatmap: Float64Array;
}

/**
 * Fuses per-layer raw maps [count, h_l·w_l]: each normalised at its feature resolution
 * ((x − min)/(max − min + 1e-7)), resized bilinearly (half-pixel centres) to `size`, then
 * averaged or maximised over layers. Not normalised afterwards.
 *
 * @example
 * const fused = fuseLayerMaps([raw4, raw5], [{ height: 14, width: 14 }, { height: 7, width: 7 }], 2, { height: 28, width: 28 }, 'mean');
 */
export function fuseLayerMaps(maps: readonly ArrayLike<number>[], sizes: readonly Size2D[], count: number, size: Size2D, mode: FuseMode): Float64Array {
  const pixels = size.height * size.width;
  const out = new Float64Array(count * pixels);
  maps.forEach((raw, l) => {
    const feature = sizes[l]!;
    const positions = feature.height * feature.width;
    const resized = upsampleBilinear(normalizeMaps(raw, mapRanges(raw, count, positions), count, positions), count, feature, size);
    for (let i = 0; i < out.length; i++) {
      const v = resized[i]!;
      out[i] = l === 0 ? (mode === 'mean' ? v / maps.length : v) : mode === 'mean' ? out[i]! + v / maps.length : Math.max(out[i]!, v);
    }
  });
  return out;
}

/**
 * The mean over T augmentations of maps [(b·T + t)·K + k, H·W], each min-max normalised
 * over its H·W values and flipped back horizontally where `flips[t]`: [B·K, H·W].
 *
 * @example
 * const smoothed = averageAugmentations(fused, 1, 1, { height: 8, width: 8 }, [false, true]);
 */
export function averageAugmentations(maps: ArrayLike<number>, images: number, targets: number, size: Size2D, flips: readonly boolean[]): Float64Array {
  const T = flips.length;
  const pixels = size.height * size.width;
  const normalized = normalizeMaps(maps, mapRanges(maps, images * T * targets, pixels), images * T * targets, pixels);
  const out = new Float64Array(images * targets * pixels);
  for (let b = 0; b < images; b++) {
    for (let k = 0; k < targets; k++) {
      for (let t = 0; t < T; t++) {
        const source = ((b * T + t) * targets + k) * pixels;
        for (let Y = 0; Y < size.height; Y++) {
          for (let X = 0; X < size.width; X++) {
            const x = flips[t] ? size.width - 1 - X : X;
            out[(b * targets + k) * pixels + Y * size.width + X]! += normalized[source + Y * size.width + x]! / T;
          }
        }
      }
    }
  }
  return out;
}

/**
 * Computes in float64 what `engine.computeFused(options)` computes (typed-array inputs).
 *
 * @example
 * const { heatmap } = referenceFused({ method: 'gradcam', layers: [{ activations, gradients }, { activations: a2, gradients: g2 }] });
 */
export function referenceFused(options: FusedComputeOptions): ReferenceFused {
  const { mode, flips } = checkFusedRequest(options);
  const stages = options.layers.map((layer) =>
    referenceHeatmaps({ method: options.method, activations: layer.activations, ...(layer.gradients ? { gradients: layer.gradients } : {}) }),
  );
  const layerDims = stages.map((s) => s.dims);
  const plan = planFused(layerDims, mode, flips, options.size);
  const count = layerDims[0]!.batch * layerDims[0]!.targets;
  const fused = fuseLayerMaps(
    stages.map((s) => s.rawMaps),
    layerDims.map((d) => ({ height: d.height, width: d.width })),
    count,
    plan.size,
    mode,
  );
  const heatmap = flips.length > 1
    ? averageAugmentations(fused, plan.images, plan.targets, plan.size, flips)
    : normalizedHeat(fused, count, plan.size, plan.size, 'output');
  return { layerMaps: stages.map((s) => s.rawMaps), layerDims, fused, size: plan.size, heatmap };
}

// Encoders of the multi-layer and test-time-augmentation stages: each records one kernel
// into a CommandBatch and returns the buffer it wrote. Sizes are validated by the caller.
import type { CommandBatch } from './gpu/command-batch.js';
import { STORAGE_USAGE } from './gpu/flags.js';
import type { FeatureDims, Size2D } from './inputs.js';

/** How the maps of several target layers are combined: their mean (pytorch-grad-cam) or their maximum (torch-cam's fuse). */
export const FUSE_MODES = ['mean', 'max'] as const;

/** One of FUSE_MODES. */
export type FuseMode = (typeof FUSE_MODES)[number];

/**
 * Whether `name` is a fusion mode.
 *
 * @example
 * if (!isFuseMode(flag)) throw new Error(`unknown fuse ${flag}`);
 */
export function isFuseMode(name: unknown): name is FuseMode {
  return typeof name === 'string' && (FUSE_MODES as readonly string[]).includes(name);
}

/** One layer's raw maps and where its contribution goes. */
export interface LayerFuseStep {
  readonly raw: GPUBuffer;
  /** (min, max) per map of `raw` at its feature resolution (map_minmax). */
  readonly ranges: GPUBuffer;
  readonly dims: FeatureDims;
  /** Index of this layer among `layers`. */
  readonly index: number;
  readonly layers: number;
}

/**
 * Adds one layer's maps, normalised at feature resolution and resized to `size`, into
 * `fused` [B·K, size] by `mode` (the first layer overwrites it).
 */
export function encodeLayerFuse(batch: CommandBatch, step: LayerFuseStep, size: Size2D, mode: FuseMode, fused: GPUBuffer): void {
  const maps = step.dims.batch * step.dims.targets;
  batch.run({
    kernel: 'layer_fuse',
    params: {
      maps,
      in_height: step.dims.height,
      in_width: step.dims.width,
      out_height: size.height,
      out_width: size.width,
      first: step.index === 0 ? 1 : 0,
      weight: 1 / step.layers,
    },
    buffers: { maps: step.raw, ranges: step.ranges, fused },
    overrides: { MODE: mode === 'mean' ? 0 : 1 },
    workgroups: Math.ceil((maps * size.height * size.width) / 64),
  });
}

/**
 * The mean over T augmentations of each map [(b·T + t)·K + k, size] normalised by `ranges`
 * and flipped back where `flips[t]`: [B·K, size].
 */
export function encodeAugAverage(batch: CommandBatch, maps: GPUBuffer, ranges: GPUBuffer, images: number, targets: number, size: Size2D, flips: readonly boolean[]): GPUBuffer {
  const outMaps = images * targets;
  const averaged = batch.temporary(outMaps * size.height * size.width * 4, STORAGE_USAGE, 'augmentation mean');
  batch.run({
    kernel: 'aug_average',
    params: {
      maps: outMaps,
      targets,
      augments: flips.length,
      height: size.height,
      width: size.width,
      flips: flips.reduce((bits, flip, t) => (flip ? bits | (1 << t) : bits), 0) >>> 0,
    },
    buffers: { maps, ranges, averaged },
    workgroups: Math.ceil((outMaps * size.height * size.width) / 64),
  });
  return averaged;
}

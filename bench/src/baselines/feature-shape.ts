/** Sizes of one batch of target-layer activations, NHWC, one explained class per image. */
export interface FeatureShape {
  readonly batch: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/** An output size in pixels. */
export interface PixelSize {
  readonly height: number;
  readonly width: number;
}

/** The post-processing methods the benchmark times (Score-CAM's weights come from its own suite). */
export const GRADIENT_METHODS = ['gradcam', 'gradcam++', 'xgradcam', 'layercam', 'hirescam'] as const;
export type GradientMethod = (typeof GRADIENT_METHODS)[number];
export type BenchMethod = GradientMethod | 'cam' | 'scorecam';

/**
 * The shape as the [B, h, w, C] array the engine and TF.js take.
 *
 * @example
 * shapeArray({ batch: 1, height: 7, width: 7, channels: 2048 }); // [1, 7, 7, 2048]
 */
export function shapeArray(shape: FeatureShape): [number, number, number, number] {
  return [shape.batch, shape.height, shape.width, shape.channels];
}

// Baseline 1: wgcam's post-processing written as TF.js ops on the same backend (mean,
// mul, sum, relu, min/max, resizeBilinear, a gather for the colormap, the overlay), the
// way a TF.js user would write it without a dedicated kernel.
import * as tf from '@tensorflow/tfjs';
import type { BenchMethod, PixelSize } from './feature-shape.js';

/** What the TF.js post-processing needs besides the activations, per method. */
export type TfMethodInputs =
  | { readonly method: Exclude<BenchMethod, 'cam' | 'scorecam'>; readonly gradients: tf.Tensor4D }
  | { readonly method: 'cam'; readonly denseKernel: tf.Tensor2D; readonly targets: tf.Tensor1D }
  | { readonly method: 'scorecam'; readonly weights: tf.Tensor2D };

/** The image under the overlay as int32 RGBA [1 or B, H, W, 4], a [256, 3] colour table scaled to 0..255, α. */
export interface TfOverlayInputs {
  readonly image: tf.Tensor4D;
  readonly lut255: tf.Tensor2D;
  readonly alpha: number;
}

/** Heatmaps [B, H, W] and int32 RGBA overlays [B, H, W, 4]. */
export interface TfPostOutputs extends tf.TensorContainerObject {
  readonly heatmap: tf.Tensor3D;
  readonly overlay: tf.Tensor4D;
}

/** Channel weights [B, C] (not for Layer-CAM / HiResCAM, which weight element-wise). */
function channelWeights(A: tf.Tensor4D, inputs: TfMethodInputs): tf.Tensor2D {
  switch (inputs.method) {
    case 'gradcam':
      return tf.mean(inputs.gradients, [1, 2]);
    case 'xgradcam':
      return tf.div(tf.sum(tf.mul(inputs.gradients, A), [1, 2]), tf.add(tf.sum(A, [1, 2]), 1e-7));
    case 'gradcam++': {
      const G = inputs.gradients;
      const g2 = tf.square(G);
      const g3 = tf.mul(g2, G);
      const sumA = tf.sum(A, [1, 2], true);
      const alpha = tf.where(tf.notEqual(G, 0), tf.div(g2, tf.add(tf.add(tf.mul(g2, 2), tf.mul(sumA, g3)), 1e-6)), tf.zerosLike(G));
      return tf.sum(tf.mul(tf.relu(G), alpha), [1, 2]);
    }
    case 'cam':
      // Gather the target columns first: transposing the whole [C, classes] kernel costs more than everything else.
      return tf.transpose(tf.gather(inputs.denseKernel, inputs.targets, 1));
    case 'scorecam':
      return inputs.weights;
    case 'layercam':
    case 'hirescam':
      throw new Error(`${inputs.method} weights element-wise, not per channel`);
  }
}

/** ReLU'd maps [B, h, w]. */
function rawMaps(A: tf.Tensor4D, inputs: TfMethodInputs): tf.Tensor3D {
  if (inputs.method === 'layercam') return tf.relu(tf.sum(tf.mul(tf.relu(inputs.gradients), A), -1)) as tf.Tensor3D;
  if (inputs.method === 'hirescam') return tf.relu(tf.sum(tf.mul(inputs.gradients, A), -1)) as tf.Tensor3D;
  const [batch, , , channels] = A.shape;
  const weights = tf.reshape(channelWeights(A, inputs), [batch, 1, 1, channels]);
  return tf.relu(tf.sum(tf.mul(A, weights), -1)) as tf.Tensor3D;
}

/**
 * The heatmaps and overlays as TF.js ops; call inside tf.tidy (or dispose the outputs).
 *
 * @example
 * const out = tf.tidy(() => tfjsPostProcess(A, { method: 'gradcam', gradients: G }, { height: 224, width: 224 }, overlay));
 */
export function tfjsPostProcess(A: tf.Tensor4D, inputs: TfMethodInputs, size: PixelSize, overlay: TfOverlayInputs): TfPostOutputs {
  // Resized, then normalised at the output size (wgcam's default normalize: 'output').
  const maps = rawMaps(A, inputs);
  const resized = tf.squeeze(tf.image.resizeBilinear(tf.expandDims(maps, -1) as tf.Tensor4D, [size.height, size.width], false, true), [3]);
  const low = tf.min(resized, [1, 2], true);
  const high = tf.max(resized, [1, 2], true);
  const heatmap = tf.div(tf.sub(resized, low), tf.add(tf.sub(high, low), 1e-7)) as tf.Tensor3D;
  const level = tf.minimum(tf.floor(tf.mul(tf.clipByValue(heatmap, 0, 1), 256)), 255).toInt();
  const colour = tf.gather(overlay.lut255, level);
  const [rgbImage, alphaImage] = tf.split(overlay.image, [3, 1], 3);
  const blended = tf.round(tf.add(tf.mul(tf.cast(rgbImage as tf.Tensor, 'float32'), 1 - overlay.alpha), tf.mul(colour, overlay.alpha)));
  const alphaPlane = tf.broadcastTo(alphaImage as tf.Tensor, [...heatmap.shape, 1]);
  const rgba = tf.concat([tf.cast(blended, 'int32'), tf.cast(alphaPlane, 'int32')], 3) as tf.Tensor4D;
  return { heatmap, overlay: rgba };
}

/**
 * A colormap table [256 × 4 floats in 0..1] as the [256, 3] 0..255 tensor the overlay gathers from.
 *
 * @example
 * const lut255 = lutTensor(colormapTable('jet'));
 */
export function lutTensor(table: Float32Array): tf.Tensor2D {
  const rgb = new Float32Array(256 * 3);
  for (let i = 0; i < 256; i++) for (let ch = 0; ch < 3; ch++) rgb[i * 3 + ch] = 255 * (table[i * 4 + ch] as number);
  return tf.tensor2d(rgb, [256, 3]);
}

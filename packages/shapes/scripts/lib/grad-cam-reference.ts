import type * as tfType from '@tensorflow/tfjs';

/** CAM variants computed by {@link camHeatmaps}. */
export type CamMethod = 'gradcam' | 'gradcam++';

/**
 * A small TF.js-ops reference of Grad-CAM and Grad-CAM++ (formulas as in DESIGN.md), used
 * only to check that the bundled model localises objects (pointing game). It is not the
 * project's engine. Splits the shapes CNN at `last_conv` and recomputes the head
 * (GAP → logits) from the activations so the gradient can be taken w.r.t. them.
 *
 * Returns heatmaps [N, S, S] at the input size: ReLU(Σ_c w_c A_c), bilinearly upsampled
 * with half-pixel centres.
 *
 * @example
 * const maps = camHeatmaps(tf, model, x, labels, 'gradcam');
 */
export function camHeatmaps(
  tf: typeof tfType,
  model: tfType.LayersModel,
  x: tfType.Tensor4D,
  targets: readonly number[],
  method: CamMethod,
): tfType.Tensor3D {
  return tf.tidy(() => {
    const features = tf.model({ inputs: model.inputs, outputs: model.getLayer('last_conv').output as tfType.SymbolicTensor });
    const [kernel, bias] = model.getLayer('logits').getWeights() as [tfType.Tensor2D, tfType.Tensor1D];
    const numClasses = kernel.shape[1];
    const a = features.predict(x) as tfType.Tensor4D;
    const oneHot = tf.oneHot(tf.tensor1d(targets as number[], 'int32'), numClasses).toFloat();
    // Target score of each image; images are independent, so one gradient of the sum serves all.
    const score = (act: tfType.Tensor) => tf.sum(tf.mul(tf.add(tf.matMul(tf.mean(act, [1, 2]), kernel), bias), oneHot));
    const g = tf.grad(score)(a) as tfType.Tensor4D;
    let weights: tfType.Tensor2D;
    if (method === 'gradcam') {
      weights = tf.mean(g, [1, 2]) as tfType.Tensor2D;
    } else {
      const g2 = tf.square(g);
      const g3 = tf.mul(g2, g);
      const sumA = tf.sum(a, [1, 2], true);
      const denominator = tf.add(tf.add(tf.mul(g2, 2), tf.mul(sumA, g3)), 1e-6);
      const alpha = tf.where(tf.notEqual(g, 0), tf.div(g2, denominator), tf.zerosLike(g));
      weights = tf.sum(tf.mul(tf.relu(g), alpha), [1, 2]) as tfType.Tensor2D;
    }
    const map = tf.relu(tf.sum(tf.mul(a, tf.expandDims(tf.expandDims(weights, 1), 1)), 3, true)) as tfType.Tensor4D;
    const size = x.shape[1];
    return tf.squeeze(tf.image.resizeBilinear(map, [size, size], false, true), [3]) as tfType.Tensor3D;
  });
}

/**
 * Pointing game: a hit when the heatmap's maximum lies inside the object's mask. Returns
 * one boolean per image. Ties take the first maximum in row-major order; an all-zero map
 * counts as a miss.
 *
 * @example
 * const hits = pointingGame(await maps.data(), size, masks);
 */
export function pointingGame(maps: Float32Array, size: number, masks: readonly Uint8Array[]): boolean[] {
  return masks.map((mask, i) => {
    let best = 0;
    let at = -1;
    for (let p = 0; p < size * size; p++) {
      const v = maps[i * size * size + p] as number;
      if (v > best) {
        best = v;
        at = p;
      }
    }
    return at >= 0 && mask[at] === 1;
  });
}

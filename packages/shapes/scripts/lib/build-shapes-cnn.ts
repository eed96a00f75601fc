import type * as tfType from '@tensorflow/tfjs';

/** Layer sizes of the shapes CNN. */
export interface ShapesCnnOptions {
  readonly imageSize: number;
  readonly numClasses: number;
  /** Filters of conv1, conv2 and last_conv. */
  readonly filters: readonly [number, number, number];
}

/**
 * The bundled shapes classifier, built with the functional API so every layer has a fixed,
 * meaningful name:
 *
 *   input [N,S,S,3] → conv1 (3×3, ReLU) → pool1 (2×2 max) → conv2 (3×3, ReLU) → pool2 (2×2 max)
 *   → last_conv (3×3, ReLU) [N,S/4,S/4,F] → gap (global average pooling) → logits (dense,
 *   linear) → probs (softmax)
 *
 * The GAP → dense head is what plain CAM needs (w_c = W_logits[c, k]); `logits` holds the
 * pre-softmax scores Grad-CAM differentiates, and `probs` is a separate layer so the
 * logits stay reachable.
 *
 * @example
 * const model = buildShapesCnn(tf, { imageSize: 32, numClasses: 5, filters: [16, 32, 64] });
 */
export function buildShapesCnn(tf: typeof tfType, o: ShapesCnnOptions): tfType.LayersModel {
  const input = tf.input({ shape: [o.imageSize, o.imageSize, 3], name: 'input' });
  const conv = (name: string, filters: number) =>
    tf.layers.conv2d({ name, filters, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: 'heNormal' });
  let x = conv('conv1', o.filters[0]).apply(input) as tfType.SymbolicTensor;
  x = tf.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }).apply(x) as tfType.SymbolicTensor;
  x = conv('conv2', o.filters[1]).apply(x) as tfType.SymbolicTensor;
  x = tf.layers.maxPooling2d({ name: 'pool2', poolSize: 2 }).apply(x) as tfType.SymbolicTensor;
  x = conv('last_conv', o.filters[2]).apply(x) as tfType.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tfType.SymbolicTensor;
  x = tf.layers.dense({ name: 'logits', units: o.numClasses }).apply(x) as tfType.SymbolicTensor;
  const probs = tf.layers.softmax({ name: 'probs' }).apply(x) as tfType.SymbolicTensor;
  return tf.model({ name: 'shapes_cnn', inputs: input, outputs: probs });
}

/**
 * The network as it is trained: each convolution without bias, followed by batch
 * normalisation, then ReLU; the head outputs logits (no softmax). Layer names match the
 * deployed model where the weights carry over (conv1, conv2, last_conv, logits); the BN
 * layers are bn1..bn3 and are folded away by {@link foldShapesCnn}.
 *
 * @example
 * const trainable = buildShapesCnnForTraining(tf, { imageSize: 32, numClasses: 5, filters: [16, 32, 64] });
 */
export function buildShapesCnnForTraining(tf: typeof tfType, o: ShapesCnnOptions): tfType.LayersModel {
  const input = tf.input({ shape: [o.imageSize, o.imageSize, 3], name: 'input' });
  let x: tfType.SymbolicTensor = input;
  const names = ['conv1', 'conv2', 'last_conv'] as const;
  o.filters.forEach((filters, l) => {
    x = tf.layers
      .conv2d({ name: names[l] as string, filters, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: 'heNormal' })
      .apply(x) as tfType.SymbolicTensor;
    x = tf.layers.batchNormalization({ name: `bn${l + 1}`, epsilon: 1e-3, momentum: 0.95 }).apply(x) as tfType.SymbolicTensor;
    x = tf.layers.reLU({ name: `relu${l + 1}` }).apply(x) as tfType.SymbolicTensor;
    if (l < 2) x = tf.layers.maxPooling2d({ name: `pool${l + 1}`, poolSize: 2 }).apply(x) as tfType.SymbolicTensor;
  });
  x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tfType.SymbolicTensor;
  const logits = tf.layers.dense({ name: 'logits', units: o.numClasses }).apply(x) as tfType.SymbolicTensor;
  return tf.model({ name: 'shapes_cnn_training', inputs: input, outputs: logits });
}

/**
 * The deployed model (buildShapesCnn) with the weights of a trained
 * buildShapesCnnForTraining model, each BN folded into its convolution.
 *
 * @example
 * const deployed = await foldShapesCnn(tf, trainable, { imageSize: 32, numClasses: 5, filters: [16, 32, 64] });
 */
export async function foldShapesCnn(tf: typeof tfType, trained: tfType.LayersModel, o: ShapesCnnOptions): Promise<tfType.LayersModel> {
  const deployed = buildShapesCnn(tf, o);
  const weights: tfType.Tensor[] = [];
  // Async reads: the webgpu backend has no dataSync.
  const read = async (t: tfType.Tensor | undefined) => (await (t as tfType.Tensor).data()) as Float32Array;
  for (const [l, name] of (['conv1', 'conv2', 'last_conv'] as const).entries()) {
    const [kernel] = trained.getLayer(name).getWeights();
    const [gamma, beta, mean, variance] = trained.getLayer(`bn${l + 1}`).getWeights();
    const folded = foldBatchNorm(await read(kernel), await read(gamma), await read(beta), await read(mean), await read(variance), 1e-3);
    weights.push(tf.tensor(folded.kernel, (kernel as tfType.Tensor).shape), tf.tensor(folded.bias, [folded.bias.length]));
  }
  weights.push(...trained.getLayer('logits').getWeights());
  deployed.setWeights(weights);
  return deployed;
}

/**
 * Folds inference-mode batch normalisation into the preceding bias-free convolution
 * (kernel flattened with the output channel last): with s = γ/√(var + ε),
 * kernel' = kernel·s and bias' = β − mean·s.
 *
 * @example
 * const { kernel, bias } = foldBatchNorm(k, gamma, beta, runningMean, runningVar, 1e-3);
 */
export function foldBatchNorm(
  kernel: Float32Array,
  gamma: Float32Array,
  beta: Float32Array,
  mean: Float32Array,
  variance: Float32Array,
  epsilon: number,
): { kernel: Float32Array; bias: Float32Array } {
  const C = gamma.length;
  const scale = Float32Array.from({ length: C }, (_, c) => (gamma[c] as number) / Math.sqrt((variance[c] as number) + epsilon));
  return {
    kernel: kernel.map((v, i) => v * (scale[i % C] as number)),
    bias: Float32Array.from({ length: C }, (_, c) => (beta[c] as number) - (mean[c] as number) * (scale[c] as number)),
  };
}

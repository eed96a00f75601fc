import type * as tfType from '@tensorflow/tfjs';

/**
 * Replaces the BN moving averages of a buildShapesCnnForTraining model by population
 * statistics of the current weights, measured batch by batch in training mode ("precise
 * BN"): mean = E[batch mean], variance = E[batch variance + batch mean²] − mean². Momentum
 * averages lag far behind weights that are still moving (the js engine saw a folded model
 * score 45 % where the training network scored 88 %), so the TF.js engine calibrates
 * before every validation and fold, like the js engine.
 *
 * @example
 * await calibrateBatchNorm(tf, trainable, calibrationImages, 16);
 */
export async function calibrateBatchNorm(
  tf: typeof tfType,
  model: tfType.LayersModel,
  images: tfType.Tensor4D,
  batchSize: number,
): Promise<void> {
  const convs = ['conv1', 'conv2', 'last_conv'];
  // The BN inputs are the convolution outputs; upstream BNs run in training mode, as while training.
  const probe = tf.model({ inputs: model.inputs, outputs: convs.map((n) => model.getLayer(n).output as tfType.SymbolicTensor) });
  const batches = Math.floor(images.shape[0] / batchSize);
  if (batches === 0) throw new Error('calibrateBatchNorm: fewer images than one batch');
  const sums = convs.map(() => ({ mean: new Float64Array(0), square: new Float64Array(0) }));
  for (let b = 0; b < batches; b++) {
    const moments = tf.tidy(() => {
      const outs = probe.apply(images.slice(b * batchSize, batchSize), { training: true }) as tfType.Tensor[];
      return outs.map((t) => {
        const { mean, variance } = tf.moments(t, [0, 1, 2]);
        return [mean, tf.add(variance, tf.square(mean))];
      });
    });
    for (const [l, [mean, square]] of moments.entries()) {
      const m = (await (mean as tfType.Tensor).data()) as Float32Array;
      const sq = (await (square as tfType.Tensor).data()) as Float32Array;
      const sum = sums[l] as { mean: Float64Array; square: Float64Array };
      if (sum.mean.length === 0) {
        sum.mean = new Float64Array(m.length);
        sum.square = new Float64Array(m.length);
      }
      m.forEach((v, c) => (sum.mean[c] = (sum.mean[c] as number) + v / batches));
      sq.forEach((v, c) => (sum.square[c] = (sum.square[c] as number) + v / batches));
      tf.dispose([mean, square] as tfType.Tensor[]);
    }
  }
  sums.forEach(({ mean, square }, l) => {
    const bn = model.getLayer(`bn${l + 1}`);
    const [gamma, beta] = bn.getWeights();
    const variance = Float32Array.from(square, (s, c) => Math.max(0, s - (mean[c] as number) ** 2));
    bn.setWeights([gamma as tfType.Tensor, beta as tfType.Tensor, tf.tensor1d(Float32Array.from(mean)), tf.tensor1d(variance)]);
  });
}

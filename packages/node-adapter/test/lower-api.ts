// The reference path of the TF.js tests: activations and gradients computed by TF.js, read
// back to the CPU, and given to the engine's lower API (Score-CAM masks from float64;
// Smooth Grad-CAM++'s noisy passes one sample at a time).
import * as tf from '@tensorflow/tfjs';
import { METHODS, scorePlan, type CamEngine, type MethodName, type Normalization, type ScoreMethodOptions } from '@wgcam/core';
import { ablationInputs, channelSelection, scoreFamilyMasks, scoreRanges } from '@wgcam/core/reference';
import { fixedInputShape, toModelInput, UNIT_SCALE, type Explainer, type RgbaPixels } from '@wgcam/core/tfjs';

/** What the lower API gives on A and G computed by TF.js and read back to the CPU. */
export async function lowerApiHeatmapOf(explainer: Explainer, image: RgbaPixels, method: MethodName, target: number, normalize?: Normalization, scoreOptions: ScoreMethodOptions = {}): Promise<Float32Array> {
  const engine = explainer.engine;
  const split = explainer.split;
  const input = toModelInput([image], split.inputShape, UNIT_SCALE);
  const { activations, logits } = split.forward(input);
  const A = (await activations.data()) as Float32Array;
  const shape = activations.shape;
  const size = { height: image.height, width: image.width };
  let options: Parameters<CamEngine['compute']>[0];
  const needs = METHODS[method].needs;
  if (needs === 'activations') {
    options = { method, activations: { data: A, shape }, size };
  } else if (needs === 'dense-kernel') {
    const kernel = split.denseKernel() as tf.Tensor2D;
    options = { method, activations: { data: A, shape }, denseKernel: { data: (await kernel.data()) as Float32Array, shape: kernel.shape }, targets: target, size };
  } else if (needs === 'scores') {
    // Every pass's input built in float64 by the method's plan, run by TF.js, scored by the engine.
    const dims = { batch: 1, height: shape[1], width: shape[2], channels: shape[3], targets: 1 };
    const [inputHeight, inputWidth, inputChannels] = fixedInputShape(split);
    const model3 = { height: inputHeight, width: inputWidth, channels: inputChannels };
    const plan = scorePlan(method, scoreOptions);
    const selection = channelSelection(A, dims, plan);
    const passes = plan.samples * selection.perImage;
    let scores: tf.Tensor2D;
    if (plan.feeds === 'input') {
      const x = (await input.data()) as Float32Array;
      const masks = scoreFamilyMasks(A, scoreRanges(A, dims, plan, model3), selection, x, dims, model3, plan, 0, passes);
      const masked = tf.tensor4d(Float32Array.from(masks), [passes, inputHeight, inputWidth, inputChannels]);
      scores = split.logits(masked);
      masked.dispose();
    } else {
      const ablated = tf.tensor4d(Float32Array.from(ablationInputs(A, dims, 0, passes)), [passes, shape[1], shape[2], shape[3]]);
      const images = tf.tile(input, [passes, 1, 1, 1]) as tf.Tensor4D;
      scores = split.head(ablated, images);
      tf.dispose([ablated, images]);
    }
    const baseline = { data: (await logits.data()) as Float32Array, shape: logits.shape };
    options = { method, activations: { data: A, shape }, scoreCam: { ...scoreOptions, scores: { data: (await scores.data()) as Float32Array, shape: scores.shape }, inputSize: model3, baseline }, targets: target, size };
    scores.dispose();
  } else if (METHODS[method].noisySamples) {
    // Smooth Grad-CAM++: each noisy copy's forward and backward pass on its own (the explainer
    // batches them), with the noise TF.js's seeded generator gives the explainer (seed + 1).
    const defaults = METHODS[method].noisySamples!;
    const samples = scoreOptions.numSamples ?? defaults.numSamples;
    const noise = tf.randomNormal([samples, ...input.shape.slice(1)], 0, scoreOptions.std ?? defaults.std, 'float32', (scoreOptions.seed ?? 0) + 1);
    const oneHot = tf.oneHot(tf.tensor1d([target], 'int32'), split.classes).toFloat();
    const data = new Float32Array(samples * A.length);
    for (let n = 0; n < samples; n++) {
      const noisy = tf.add(input, tf.slice(noise, [n, 0, 0, 0], [1, -1, -1, -1])) as tf.Tensor4D;
      const a = split.forward(noisy);
      const G = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(split.head(x as tf.Tensor4D, noisy), oneHot)))(a.activations);
      data.set((await G.data()) as Float32Array, n * A.length);
      tf.dispose([noisy, a.activations, a.logits, G]);
    }
    options = { method, activations: { data: A, shape }, gradients: { data, shape: [samples * shape[0], shape[1], shape[2], shape[3]] }, size };
    tf.dispose([noise, oneHot]);
  } else {
    const oneHot = tf.oneHot(tf.tensor1d([target], 'int32'), split.classes).toFloat();
    const G = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(split.head(a as tf.Tensor4D, input), oneHot)))(activations);
    options = { method, activations: { data: A, shape }, gradients: { data: (await G.data()) as Float32Array, shape }, size };
    tf.dispose([oneHot, G]);
  }
  tf.dispose([input, activations, logits]);
  const result = engine.compute(normalize ? { ...options, normalize } : options);
  const heatmap = await result.readHeatmap();
  result.release();
  return heatmap;
}

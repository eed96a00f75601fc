// What the bundled model says about Score-CAM's masked inputs: for each sample image and
// class, the probability on the whole image against the mean, spread and range over the
// 64 masked copies (image × upsampled, min-max-normalised channel of last_conv) whose
// probabilities become Score-CAM's channel weights. Float64 masks, TF.js cpu backend.
//   npx tsx packages/node-adapter/scripts/scorecam-masked-scores.ts [images...]
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { scorePlan } from '@wgcam/core';
import { channelSelection, scoreFamilyMasks, scoreRanges } from '@wgcam/core/reference';
import { Explainer, fixedInputShape, toModelInput, UNIT_SCALE } from '@wgcam/core/tfjs';
import { BUNDLED_MODEL } from '../src/explain/bundled.js';
import { decodeImage, loadModel } from '../src/index.js';

const files = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['samples/star.png', 'samples/cross.png', 'samples/two-objects-1.png'];
await tf.setBackend('cpu');
const labels = JSON.parse(readFileSync(BUNDLED_MODEL.replace(/model\.json$/, 'labels.json'), 'utf8')) as string[];
const split = new Explainer(await loadModel(BUNDLED_MODEL)).split;
const [height, width, channels] = fixedInputShape(split);
const inputDims = { height, width, channels };

process.stdout.write('| image | class | whole image | masked: mean | sd | min | max |\n|---|---|---:|---:|---:|---:|---:|\n');
for (const file of files) {
  const input = toModelInput([await decodeImage(readFileSync(file), file)], split.inputShape, UNIT_SCALE);
  const { activations, logits } = split.forward(input);
  const A = (await activations.data()) as Float32Array;
  const [, h, w, C] = activations.shape;
  const dims = { batch: 1, height: h, width: w, channels: C, targets: 1 };
  const plan = scorePlan('scorecam');
  const masks = scoreFamilyMasks(A, scoreRanges(A, dims, plan, inputDims), channelSelection(A, dims, plan), (await input.data()) as Float32Array, dims, inputDims, plan, 0, C);
  const masked = tf.tensor4d(Float32Array.from(masks), [C, height, width, channels]);
  const probabilities = (await tf.softmax(split.logits(masked)).data()) as Float32Array;
  const whole = await tf.softmax(logits).data();
  for (let k = 0; k < split.classes; k++) {
    const p = Array.from({ length: C }, (_, c) => probabilities[c * split.classes + k]!);
    const mean = p.reduce((a, b) => a + b, 0) / C;
    const sd = Math.sqrt(p.reduce((a, b) => a + (b - mean) ** 2, 0) / C);
    const row = [file, labels[k] ?? String(k), whole[k]!.toFixed(3), mean.toFixed(3), sd.toFixed(3), Math.min(...p).toFixed(3), Math.max(...p).toFixed(3)];
    process.stdout.write(`| ${row.join(' | ')} |\n`);
  }
  tf.dispose([input, activations, logits, masked]);
}

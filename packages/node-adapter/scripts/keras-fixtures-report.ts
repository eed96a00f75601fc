// Prints how close wgcam comes to Keras on the shared real-architecture fixtures
// (../shared/fixtures/keras): per model and format, the automatic layer, and the relative
// L2 error of the logits and of Grad-CAM / Grad-CAM++ at feature resolution against the
// float64 goldens. The model runs on TF.js's cpu backend; the maps on wgcam's engine.
//   npx tsx packages/node-adapter/scripts/keras-fixtures-report.ts
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { CamEngine } from '@wgcam/core';
import { relativeL2 } from '@wgcam/core/reference';
import { Explainer } from '@wgcam/core/tfjs';
import { createNodeDevice, decodeImage, loadModel } from '../src/index.js';
import { readNpy } from '../src/io/npy.js';
import { FIXTURES, fixtureMeta, minMax } from '../test/fixtures.js';

await tf.setBackend('cpu');
const node = await createNodeDevice();
const engine = new CamEngine(node.device);
const names = ['mobilenetv2', 'mobilenetv3small', 'efficientnetb0', 'resnet_small', 'densenet_small', 'xception_small', 'vgg_small', 'tm_nested'];
const golden = (dir: string, name: string): Float32Array => readNpy(readFileSync(join(dir, 'golden', `${name}.npy`))).data;
const e = (v: number): string => v.toExponential(1);

process.stdout.write('| model | preprocess | format | layer (automatic) | logits | Grad-CAM | Grad-CAM++ |\n|---|---|---|---|---:|---:|---:|\n');
for (const name of names) {
  const dir = join(FIXTURES, 'keras', name);
  const meta = fixtureMeta(dir);
  for (const format of ['layers', 'graph']) {
    let model: tf.LayersModel | tf.GraphModel;
    try {
      model = await loadModel(join(dir, format, 'model.json'));
    } catch (error) {
      process.stdout.write(`| ${name} | ${meta.preprocess} | ${format} | not loadable: ${(error as Error).message.split(';')[0]} | | | |\n`);
      continue;
    }
    const explainer = new Explainer(model, { engine, preprocess: meta.preprocess });
    const input = readNpy(readFileSync(join(dir, 'golden', 'input.npy')));
    const x = tf.tensor4d(input.data, input.shape as [number, number, number, number]);
    const logits = explainer.split.logits(x);
    const logitsError = relativeL2(await logits.data(), golden(dir, 'logits'));
    tf.dispose([x, logits]);
    const image = await decodeImage(readFileSync(join(dir, 'golden', 'image.png')), 'image.png');
    const errors: string[] = [];
    for (const [method, file] of [['gradcam', 'gradcam'], ['gradcam++', 'gradcampp']] as const) {
      const result = await explainer.explain(image, { method, size: 'feature', overlay: false });
      errors.push(e(relativeL2(result.items[0]!.heatmap, minMax(golden(dir, file)))));
    }
    process.stdout.write(`| ${name} | ${meta.preprocess} | ${format} | ${explainer.split.layer}${explainer.split.note ? ' (ReLU re-applied)' : ''} | ${e(logitsError)} | ${errors.join(' | ')} |\n`);
    explainer.dispose();
    model.dispose();
  }
}
engine.destroy();
node.destroy();

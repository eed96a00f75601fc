/**
 * Scores the saved shapes model on held-out generated images (seeds in SHAPES_DATASET_SEEDS,
 * never used for training or model selection):
 *  - accuracy on single-object images, with the confusion matrix;
 *  - on two-object images, how often the top-2 classes are exactly the two objects;
 *  - with --pointing N, the pointing game of Grad-CAM and Grad-CAM++ (TF.js-ops reference,
 *    target = true class) on the first N single-object images, and on the first N/2
 *    two-object images once per object (target = that object's class, hit = the maximum
 *    lies in that object's mask), which measures class discrimination.
 *
 *   npx tsx packages/shapes/scripts/evaluate.ts [--model models/shapes-cnn] [--count 1000]
 *     [--two-objects 500] [--pointing 1000] [--backend cpu|webgpu]
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { generateDataset, SHAPE_CLASSES, SHAPES_DATASET_SEEDS, type ObjectMask, type Sample } from '../src/index.js';
import { fileSystemLoader, initTfjsWebGpuBackend } from '../src/node/index.js';
import { samplesToTensors } from './lib/batches.js';
import { camHeatmaps, pointingGame, type CamMethod } from './lib/grad-cam-reference.js';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'models/shapes-cnn' },
    count: { type: 'string', default: '1000' },
    'two-objects': { type: 'string', default: '500' },
    pointing: { type: 'string', default: '1000' },
    backend: { type: 'string', default: 'cpu' },
  },
});
if (args.backend === 'webgpu') await initTfjsWebGpuBackend();
else await tf.setBackend(args.backend);
const model = await tf.loadLayersModel(fileSystemLoader(join(args.model, 'model.json')));
const size = model.inputs[0]?.shape[1];
if (typeof size !== 'number') throw new Error('model input size is not fixed');
console.log(`model ${args.model}, input ${size}px, backend ${tf.getBackend()}`);

/** Class probabilities of the samples, in chunks to bound memory. */
async function predict(samples: readonly Sample[]): Promise<Float32Array> {
  const out = new Float32Array(samples.length * SHAPE_CLASSES.length);
  for (let i = 0; i < samples.length; i += 100) {
    const { x, y } = samplesToTensors(tf, samples.slice(i, i + 100));
    const probs = model.predict(x) as tf.Tensor;
    out.set(await probs.data(), i * SHAPE_CLASSES.length);
    tf.dispose([x, y, probs]);
  }
  return out;
}

function ranking(probs: Float32Array, i: number): number[] {
  const k = SHAPE_CLASSES.length;
  return [...Array(k).keys()].sort((a, b) => (probs[i * k + b] as number) - (probs[i * k + a] as number));
}

// Single-object accuracy.
const count = Number(args.count);
const single = generateDataset(SHAPES_DATASET_SEEDS.heldOut, count, { size });
const probs = await predict(single);
const confusion = SHAPE_CLASSES.map(() => SHAPE_CLASSES.map(() => 0));
let correct = 0;
single.forEach((s, i) => {
  const top = ranking(probs, i)[0] as number;
  (confusion[s.label] as number[])[top]! += 1;
  if (top === s.label) correct++;
});
console.log(`single-object accuracy: ${(correct / count).toFixed(4)} (${correct}/${count}, seed ${SHAPES_DATASET_SEEDS.heldOut})`);
console.log(`confusion (rows = true, cols = predicted; ${SHAPE_CLASSES.join(', ')}):`);
confusion.forEach((row, i) => console.log(`  ${(SHAPE_CLASSES[i] as string).padEnd(8)} ${row.map((v) => String(v).padStart(4)).join(' ')}`));

// Two-object images: are the two objects the two most likely classes?
const twoCount = Number(args['two-objects']);
if (twoCount > 0) {
  const two = generateDataset(SHAPES_DATASET_SEEDS.heldOutTwoObjects, twoCount, { size, twoObjects: true });
  const twoProbs = await predict(two);
  let both = 0;
  let topIsOne = 0;
  two.forEach((s, i) => {
    const [a, b] = ranking(twoProbs, i);
    const truth = s.masks.map((m) => m.label);
    if (truth.includes(a as number)) topIsOne++;
    if (truth.includes(a as number) && truth.includes(b as number)) both++;
  });
  console.log(
    `two-object images: top-1 is one of the objects ${(topIsOne / twoCount).toFixed(4)}, ` +
      `top-2 = both objects ${(both / twoCount).toFixed(4)} (${twoCount} images, seed ${SHAPES_DATASET_SEEDS.heldOutTwoObjects})`,
  );
}

// Pointing game with the TF.js reference CAMs.
const pointingCount = Math.min(Number(args.pointing), count);

/** Hits of `method` over (image, target class, mask) triples, in batches of 50. */
async function pointingHits(method: CamMethod, items: readonly { sample: Sample; label: number; mask: Uint8Array }[]): Promise<number> {
  let hits = 0;
  for (let i = 0; i < items.length; i += 50) {
    const batch = items.slice(i, i + 50);
    const { x, y } = samplesToTensors(tf, batch.map((it) => it.sample));
    const maps = camHeatmaps(tf, model, x, batch.map((it) => it.label), method);
    const result = pointingGame((await maps.data()) as Float32Array, size as number, batch.map((it) => it.mask));
    hits += result.filter(Boolean).length;
    tf.dispose([x, y, maps]);
  }
  return hits;
}

if (pointingCount > 0) {
  const singles = single.slice(0, pointingCount).map((s) => ({ sample: s, label: s.label, mask: (s.masks[0] as ObjectMask).mask }));
  const pairs = generateDataset(SHAPES_DATASET_SEEDS.heldOutTwoObjects, Math.floor(pointingCount / 2), { size, twoObjects: true }).flatMap((s) =>
    s.masks.map((m) => ({ sample: s, label: m.label, mask: m.mask })),
  );
  for (const method of ['gradcam', 'gradcam++'] as CamMethod[]) {
    const hits = await pointingHits(method, singles);
    console.log(`pointing game ${method}: ${(hits / singles.length).toFixed(4)} (${hits}/${singles.length}, single objects, target = true class)`);
  }
  for (const method of ['gradcam', 'gradcam++'] as CamMethod[]) {
    const hits = await pointingHits(method, pairs);
    console.log(`pointing game ${method}, two objects: ${(hits / pairs.length).toFixed(4)} (${hits}/${pairs.length}, target = each object's class)`);
  }
}

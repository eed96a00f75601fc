/**
 * Scores the saved shapes model on held-out generated images (seeds in SHAPES_DATASET_SEEDS,
 * never used for training or model selection):
 *  - accuracy on single-object images, with the confusion matrix;
 *  - on two-object images, how often the top-2 classes are exactly the two objects;
 *  - with --pointing N, the pointing game of Grad-CAM and Grad-CAM++ (TF.js-ops reference,
 *    target = true class) on the first N single-object images, and on the first N/2
 *    two-object images once per object (target = that object's class, hit = the maximum
 *    lies in that object's mask), which measures class discrimination;
 *  - on moving-shapes video frames (movingShapeFrames, 320×240, one object; no video seed is
 *    used in training, which draws single frames from randomVideoFrame's own stream), taken
 *    as the fake camera delivers them: RGBA → I420 (4:2:0) → RGBA, the y4m round trip, then
 *    squeezed to the model input by the demo's area resize and, separately, by the core's
 *    bilinear one (tf.image.resizeBilinear, what Node callers get for a 320×240 RGBA frame):
 *    accuracy per video seed, and the pointing game of Grad-CAM and Grad-CAM++ (target = true
 *    class, mask shrunk to the model input).
 *
 *   npx tsx packages/shapes/scripts/evaluate.ts [--model models/shapes-cnn] [--count 1000]
 *     [--two-objects 500] [--pointing 1000] [--backend cpu|webgpu]
 *     [--video-seeds 5005,77,6001,…] [--video-frames 90]
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { cameraInput, generateDataset, movingShapeFrames, SHAPE_CLASSES, SHAPES_DATASET_SEEDS, type FrameResize, type ObjectMask, type Sample } from '../src/index.js';
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
    'video-seeds': { type: 'string', default: `${SHAPES_DATASET_SEEDS.video},77,6001,6002,6003,6004,6005,6006,6007,6008` },
    'video-frames': { type: 'string', default: '90' },
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

/** Model inputs [N, S, S, 3] of images given either as samples (RGBA) or as ready model inputs. */
function inputTensor(images: readonly (Sample | Float32Array)[]): tf.Tensor4D {
  const first = images[0];
  if (first === undefined || !(first instanceof Float32Array)) {
    const { x, y } = samplesToTensors(tf, images as Sample[]);
    y.dispose();
    return x;
  }
  const perImage = first.length;
  const data = new Float32Array(images.length * perImage);
  images.forEach((im, i) => data.set(im as Float32Array, i * perImage));
  return tf.tensor4d(data, [images.length, size as number, size as number, 3]);
}

/** Hits of `method` over (image, target class, mask) triples, in batches of 50. */
async function pointingHits(method: CamMethod, items: readonly { sample: Sample | Float32Array; label: number; mask: Uint8Array }[]): Promise<number> {
  let hits = 0;
  for (let i = 0; i < items.length; i += 50) {
    const batch = items.slice(i, i + 50);
    const x = inputTensor(batch.map((it) => it.sample));
    const maps = camHeatmaps(tf, model, x, batch.map((it) => it.label), method);
    const result = pointingGame((await maps.data()) as Float32Array, size as number, batch.map((it) => it.mask));
    hits += result.filter(Boolean).length;
    tf.dispose([x, maps]);
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

// Moving-shapes video frames as the fake camera delivers them.
const videoSeeds = args['video-seeds'].split(',').filter((v) => v !== '').map(Number);
const videoFrames = Number(args['video-frames']);
if (videoSeeds.length > 0 && videoFrames > 0) {
  const resizes: FrameResize[] = ['area', 'bilinear'];
  const fmt = (hits: number, n: number) => `${(hits / n).toFixed(3)} (${hits}/${n})`;
  const totals = new Map<string, number>();
  const add = (key: string, v: number) => totals.set(key, (totals.get(key) ?? 0) + v);
  let frameCount = 0;
  console.log(`video frames: ${videoFrames} frames per seed, 320×240 → YUV 4:2:0 round trip → ${size}×${size}`);
  console.log('| video seed | resize | accuracy | pointing game Grad-CAM | pointing game Grad-CAM++ | classes |');
  console.log('| ---: | --- | ---: | ---: | ---: | --- |');
  for (const seed of videoSeeds) {
    const frames = [...movingShapeFrames(seed, { frames: videoFrames })];
    const classes = [...new Set(frames.map((f) => (f.objects[0] as ObjectMask).className))].join(', ');
    frameCount += frames.length;
    for (const resize of resizes) {
      const inputs = frames.map((f) => cameraInput(f.pixels, f.objects, f.width, f.height, size, resize));
      const x = inputTensor(inputs.map((c) => c.input));
      const out = model.predict(x) as tf.Tensor;
      const probs = (await out.data()) as Float32Array;
      tf.dispose([x, out]);
      let correct = 0;
      inputs.forEach((c, i) => (correct += ranking(probs, i)[0] === c.label ? 1 : 0));
      const items = inputs.map((c) => ({ sample: c.input, label: c.label, mask: (c.masks[0] as ObjectMask).mask }));
      const gradcam = await pointingHits('gradcam', items);
      const gradcamPlus = await pointingHits('gradcam++', items);
      add(`${resize} acc`, correct);
      add(`${resize} gradcam`, gradcam);
      add(`${resize} gradcam++`, gradcamPlus);
      console.log(`| ${seed} | ${resize} | ${fmt(correct, frames.length)} | ${fmt(gradcam, frames.length)} | ${fmt(gradcamPlus, frames.length)} | ${classes} |`);
    }
  }
  for (const resize of resizes) {
    const t = (k: string) => totals.get(`${resize} ${k}`) ?? 0;
    console.log(
      `| all ${videoSeeds.length} seeds | ${resize} | ${fmt(t('acc'), frameCount)} | ${fmt(t('gradcam'), frameCount)} | ${fmt(t('gradcam++'), frameCount)} | |`,
    );
  }
}

// Deletion on the bundled shapes model with different baselines: does the ground-truth map
// lose deletion to random maps because deleted pixels turn black (the value the model may
// read as "object")? Prints deletion and insertion AUC of the ground-truth map, i.i.d. noise,
// smooth 8×8 noise and the inverted map (as faithfulness-shapes.test.ts builds them) for the
// black baseline (0, the default), mid grey (0.5) and the images' mean value.
//
//   npx tsx bench/src/quality/deletion-baselines.ts [--images N]
import type * as tf from '@tensorflow/tfjs';
import { averageFaithfulness } from '@wgcam/core';
import { Explainer, fixedInputShape, measureFaithfulness } from '@wgcam/core/tfjs';
import { BUNDLED_MODEL, loadModel, openModelRuntime } from '@wgcam/node-adapter';
import { generateDataset, mulberry32, SHAPES_DATASET_SEEDS } from '@wgcam/shapes';

const at = process.argv.indexOf('--images');
const count = at >= 0 ? Number(process.argv[at + 1]) : 6;

/** The mask's pixels at 0.5 to 1 and every pixel graded by distance to the mask's centre. */
function maskMap(mask: Uint8Array, size: number): Float32Array {
  let [cy, cx, n] = [0, 0, 0];
  mask.forEach((m, i) => {
    if (m > 0) [cy, cx, n] = [cy + Math.floor(i / size), cx + (i % size), n + 1];
  });
  [cy, cx] = [cy / n, cx / n];
  const far = Math.SQRT2 * size;
  return Float32Array.from(mask, (m, i) => 0.5 * (m > 0 ? 1 : 0) + 0.5 * (1 - Math.hypot(Math.floor(i / size) - cy, (i % size) - cx) / far));
}

/** Uniform noise on a grid×grid lattice, upsampled bilinearly (half-pixel centres). */
function smoothRandomMap(rng: () => number, grid: number, size: number): Float32Array {
  const coarse = Float64Array.from({ length: grid * grid }, () => rng());
  const value = (y: number, x: number): number => coarse[y * grid + x]!;
  return Float32Array.from({ length: size * size }, (_, i) => {
    const sy = Math.min(Math.max(((Math.floor(i / size) + 0.5) * grid) / size - 0.5, 0), grid - 1);
    const sx = Math.min(Math.max((((i % size) + 0.5) * grid) / size - 0.5, 0), grid - 1);
    const [y0, x0] = [Math.floor(sy), Math.floor(sx)];
    const [y1, x1] = [Math.min(y0 + 1, grid - 1), Math.min(x0 + 1, grid - 1)];
    const top = value(y0, x0) + (value(y0, x1) - value(y0, x0)) * (sx - x0);
    const bottom = value(y1, x0) + (value(y1, x1) - value(y1, x0)) * (sx - x0);
    return top + (bottom - top) * (sy - y0);
  });
}

async function main(): Promise<void> {
  const runtime = await openModelRuntime({ backend: 'wasm' });
  const model = (await loadModel(BUNDLED_MODEL)) as tf.LayersModel;
  const explainer = new Explainer(model, { engine: runtime.engine! });
  const size = fixedInputShape(explainer.split)[0];
  const data = generateDataset(SHAPES_DATASET_SEEDS.heldOut, count, { size });
  const images = data.map((s) => ({ data: s.pixels, width: s.size, height: s.size }));
  const target = data.map((s) => s.masks[0]!.label);
  const rng = mulberry32(2024);
  const truth = data.map((s) => maskMap(s.masks[0]!.mask, s.size));
  const maps: [string, Float32Array[]][] = [
    ['ground truth', truth],
    ['i.i.d. noise', data.map(() => Float32Array.from({ length: size * size }, () => rng()))],
    ['smooth random', data.map(() => smoothRandomMap(rng, 8, size))],
    ['inverted', truth.map((m) => m.map((v) => 1 - v))],
  ];
  let sum = 0;
  for (const s of data) for (let i = 0; i < s.pixels.length; i++) if (i % 4 < 3) sum += s.pixels[i]! / 255;
  const mean = sum / (data.length * size * size * 3);
  process.stdout.write(`bundled shapes model, ${count} held-out images (model on TF.js wasm); deletion AUC ↓ / insertion AUC ↑ per baseline\n`);
  process.stdout.write(`| baseline | ${maps.map(([name]) => name).join(' | ')} |\n| --- |${maps.map(() => ' ---: |').join('')}\n`);
  for (const [label, baseline] of [['black (0, default)', 0], ['grey (0.5)', 0.5], [`image mean (${mean.toFixed(3)})`, mean]] as const) {
    const cells: string[] = [];
    for (const [, m] of maps) {
      const s = averageFaithfulness(await measureFaithfulness(explainer, images, m, { target, baseline, percentiles: [50] }));
      cells.push(`${s.deletionAuc.toFixed(3)} / ${s.insertionAuc.toFixed(3)}`);
    }
    process.stdout.write(`| ${label} | ${cells.join(' | ')} |\n`);
  }
  explainer.dispose();
  model.dispose();
  runtime.release();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);

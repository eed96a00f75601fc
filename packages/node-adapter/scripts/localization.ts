// Localisation quality of every method on held-out generated shapes images, measured with
// their ground-truth masks: pointing game and energy-based pointing game.
//   npx tsx packages/node-adapter/scripts/localization.ts [--count 300] [--scorecam-count 40]
// Score-CAM runs 64 masked forwards per object, so it is scored on the first
// --scorecam-count images of the same sets (the table's "objects" column says how many).
import { generateDataset, SHAPES_DATASET_SEEDS, type Sample } from '@wgcam/shapes';
import { METHOD_NAMES, METHODS } from '@wgcam/core';
import { evaluateLocalization, Explainer, fixedInputShape, localizationTable, type LabelledImage } from '@wgcam/core/tfjs';
import { BUNDLED_MODEL } from '../src/explain/bundled.js';
import { loadModel, useTfjsWebGpu } from '../src/index.js';

function numberFlag(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} needs a whole number ≥ 1, got '${process.argv[at + 1]}'`);
  return value;
}
const count = numberFlag('--count', 300);
const scoreCamCount = Math.min(count, numberFlag('--scorecam-count', 40));

function labelled(sample: Sample): LabelledImage {
  return {
    image: { data: sample.pixels, width: sample.size, height: sample.size },
    objects: sample.masks.map((m) => ({ label: m.label, mask: m.mask })),
  };
}

await useTfjsWebGpu();
const model = await loadModel(BUNDLED_MODEL);
const explainer = new Explainer(model);
const size = fixedInputShape(explainer.split)[0];
const single = generateDataset(SHAPES_DATASET_SEEDS.heldOut, count, { size }).map(labelled);
const pairs = generateDataset(SHAPES_DATASET_SEEDS.heldOutTwoObjects, Math.round(count / 2), { size, twoObjects: true }).map(labelled);

for (const [name, set] of [['single-object', single], ['two-object (each object explained for its own class)', pairs]] as const) {
  const fast = METHOD_NAMES.filter((m) => m !== 'scorecam');
  const scores = await evaluateLocalization(explainer, set, fast);
  const scoreCamSet = set.slice(0, set === single ? scoreCamCount : Math.round(scoreCamCount / 2));
  scores.push(...(await evaluateLocalization(explainer, scoreCamSet, ['scorecam'])));
  process.stdout.write(`\n${name} held-out images (${set.length}, seed ${name.startsWith('single') ? SHAPES_DATASET_SEEDS.heldOut : SHAPES_DATASET_SEEDS.heldOutTwoObjects}), ${size}×${size}:\n\n`);
  process.stdout.write(`${localizationTable(scores, METHODS)}\n`);
}
explainer.dispose();

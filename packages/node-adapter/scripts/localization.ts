// Localisation quality of every method on held-out generated shapes images, measured with
// their ground-truth masks: pointing game and energy-based pointing game.
//   npx tsx packages/node-adapter/scripts/localization.ts [--count 300]
import { generateDataset, SHAPES_DATASET_SEEDS, type Sample } from '@wgcam/shapes';
import { METHOD_NAMES, METHODS } from '@wgcam/core';
import { evaluateLocalization, Explainer, localizationTable, type LabelledImage } from '@wgcam/core/tfjs';
import { BUNDLED_MODEL } from '../src/cli/explain-command.js';
import { loadModel, useTfjsWebGpu } from '../src/index.js';

const countFlag = process.argv.indexOf('--count');
const count = countFlag > 0 ? Number(process.argv[countFlag + 1]) : 300;

function labelled(sample: Sample): LabelledImage {
  return {
    image: { data: sample.pixels, width: sample.size, height: sample.size },
    objects: sample.masks.map((m) => ({ label: m.label, mask: m.mask })),
  };
}

await useTfjsWebGpu();
const model = await loadModel(BUNDLED_MODEL);
const explainer = new Explainer(model);
const size = explainer.split.inputShape[0];
const single = generateDataset(SHAPES_DATASET_SEEDS.heldOut, count, { size }).map(labelled);
const pairs = generateDataset(SHAPES_DATASET_SEEDS.heldOutTwoObjects, Math.round(count / 2), { size, twoObjects: true }).map(labelled);

for (const [name, set] of [['single-object', single], ['two-object (each object explained for its own class)', pairs]] as const) {
  const scores = await evaluateLocalization(explainer, set, METHOD_NAMES);
  process.stdout.write(`\n${name} held-out images (${set.length}, seed ${name.startsWith('single') ? SHAPES_DATASET_SEEDS.heldOut : SHAPES_DATASET_SEEDS.heldOutTwoObjects}), ${size}×${size}:\n\n`);
  process.stdout.write(`${localizationTable(scores, METHODS)}\n`);
}
explainer.dispose();

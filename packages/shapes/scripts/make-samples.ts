/**
 * Writes the sample images in samples/: one 192×192 PNG per class plus two-object images,
 * rendered by the same generator as the training data (everything is relative to the image
 * size, so they look like enlarged training images; the model's 32 px input needs a resize).
 * Also writes samples/manifest.json with each file's classes and ground-truth boxes.
 *
 *   npx tsx packages/shapes/scripts/make-samples.ts [--out samples] [--size 192]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PNG } from 'pngjs';
import { deriveSeed, generateSample, mulberry32, SHAPE_CLASSES, SHAPES_DATASET_SEEDS, type Sample } from '../src/index.js';

const { values: args } = parseArgs({
  options: { out: { type: 'string', default: 'samples' }, size: { type: 'string', default: '192' } },
});
const size = Number(args.size);
mkdirSync(args.out, { recursive: true });

function writePng(path: string, sample: Sample): void {
  const png = new PNG({ width: sample.size, height: sample.size });
  png.data.set(sample.pixels);
  writeFileSync(path, PNG.sync.write(png));
}

interface Entry {
  file: string;
  classes: string[];
  labels: number[];
  /** Ground-truth boxes [x0, y0, x1, y1) in pixels, one per object, same order as classes. */
  boxes: [number, number, number, number][];
}

const entries: Entry[] = [];
const add = (file: string, sample: Sample) => {
  writePng(join(args.out, file), sample);
  entries.push({
    file,
    classes: sample.masks.map((m) => m.className),
    labels: sample.masks.map((m) => m.label),
    boxes: sample.masks.map((m) => [m.bbox.x0, m.bbox.y0, m.bbox.x1, m.bbox.y1]),
  });
};

SHAPE_CLASSES.forEach((name, label) => {
  add(`${name}.png`, generateSample(mulberry32(deriveSeed(SHAPES_DATASET_SEEDS.samples, label)), { size, label }));
});
const pairs: [number, string][] = [
  [100, 'two-objects-1.png'],
  [101, 'two-objects-2.png'],
];
for (const [index, file] of pairs) {
  add(file, generateSample(mulberry32(deriveSeed(SHAPES_DATASET_SEEDS.samples, index)), { size, twoObjects: true }));
}
// One image per line keeps the manifest readable in diffs.
const manifest = `{\n  "size": ${size},\n  "seed": ${SHAPES_DATASET_SEEDS.samples},\n  "images": [\n${entries.map((e) => `    ${JSON.stringify(e)}`).join(',\n')}\n  ]\n}\n`;
writeFileSync(join(args.out, 'manifest.json'), manifest);
for (const e of entries) console.log(`${e.file}: ${e.classes.join(' + ')}`);

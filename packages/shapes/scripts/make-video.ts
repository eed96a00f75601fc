/**
 * Writes a fake-webcam test video: shapes moving over a cluttered background, as
 * YUV4MPEG2 (for Chromium's --use-file-for-fake-video-capture), plus a JSON file with each
 * frame's objects (class and bounding box) next to it.
 *
 *   npx tsx packages/shapes/scripts/make-video.ts --out test-artifacts/shapes.y4m
 *     [--frames 90] [--width 320] [--height 240] [--fps 30] [--objects 1] [--switch-every 0]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { movingShapeFrames, SHAPES_DATASET_SEEDS, type MovingShapesFrame } from '../src/index.js';
import { writeY4m } from '../src/node/index.js';

const { values: args } = parseArgs({
  options: {
    out: { type: 'string', default: 'test-artifacts/shapes.y4m' },
    frames: { type: 'string', default: '90' },
    width: { type: 'string', default: '320' },
    height: { type: 'string', default: '240' },
    fps: { type: 'string', default: '30' },
    objects: { type: 'string', default: '1' },
    'switch-every': { type: 'string', default: '0' },
    seed: { type: 'string', default: String(SHAPES_DATASET_SEEDS.video) },
  },
});
const width = Number(args.width);
const height = Number(args.height);
const objects = Number(args.objects);
if (objects !== 1 && objects !== 2) throw new Error('--objects must be 1 or 2');
const switchEvery = Number(args['switch-every']);

const truth: { frame: number; objects: { class: string; label: number; box: number[] }[] }[] = [];
function* pixels(frames: Iterable<MovingShapesFrame>): Generator<Uint8Array> {
  for (const f of frames) {
    truth.push({
      frame: f.index,
      objects: f.objects.map((o) => ({ class: o.className, label: o.label, box: [o.bbox.x0, o.bbox.y0, o.bbox.x1, o.bbox.y1] })),
    });
    yield f.pixels;
  }
}

mkdirSync(dirname(args.out), { recursive: true });
const frames = movingShapeFrames(Number(args.seed), {
  width,
  height,
  frames: Number(args.frames),
  objects,
  ...(switchEvery > 0 ? { switchClassEvery: switchEvery } : {}),
});
const count = writeY4m(args.out, pixels(frames), { width, height, fps: Number(args.fps) });
const truthPath = args.out.replace(/\.y4m$/, '') + '.json';
writeFileSync(truthPath, JSON.stringify({ width, height, fps: Number(args.fps), frames: truth }) + '\n');
console.log(`wrote ${count} frames ${width}×${height} to ${args.out}, ground truth in ${truthPath}`);

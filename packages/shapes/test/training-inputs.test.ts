import { describe, expect, it } from 'vitest';
import { NUM_SHAPE_CLASSES } from '../src/index.js';
import { checkTrainingMix, isVideoIndex, TRAINING_VIDEO_WIDTH, trainingItem, trainingVideoSize, type TrainingMix } from '../scripts/lib/training-inputs.js';

// The trainer's data stream: which sample index is which kind of image, that every kind
// sees every class (under both resizes for camera frames), and that a sample can be
// regenerated alone (data-parallel workers rely on it).

const SIZE = 32;
const SEED = 1001;

/** Kind of every sample in [0, count) at full clutter: 'video', 'two' or 'single'. */
function kinds(mix: TrainingMix, count: number): string[] {
  return [...Array(count).keys()].map((i) => {
    const item = trainingItem(SEED, i, mix, 1);
    return item.kind === 'video' ? 'video' : item.objects.length === 2 ? 'two' : 'single';
  });
}

describe('training stream (trainingItem)', () => {
  it('mixes camera frames, two-object stills and single stills in the proportions the mix gives', () => {
    const mix = { size: SIZE, videoEvery: 2, twoObjectEvery: 8 };
    const k = kinds(mix, 80);
    // Video: even indices; two objects: index mod 8 = 7 (odd, so never a video index).
    expect(k.filter((x) => x === 'video').length).toBe(40);
    expect(k.filter((x) => x === 'two').length).toBe(10);
    expect(k.filter((x) => x === 'single').length).toBe(30);
    k.forEach((x, i) => expect(x === 'video').toBe(i % 2 === 0));
  });

  it('draws camera frames only once the clutter curriculum is over', () => {
    const mix = { size: SIZE, videoEvery: 3, twoObjectEvery: 4 };
    for (const i of [0, 3, 6]) {
      expect(isVideoIndex(i, mix, 0.99)).toBe(false);
      expect(trainingItem(SEED, i, mix, 0.99).kind).toBe('still');
      expect(trainingItem(SEED, i, mix, 1).kind).toBe('video');
    }
  });

  for (const videoEvery of [2, 3]) {
    it(`gives camera frames every class under both resizes (videoEvery ${videoEvery})`, () => {
      const mix = { size: SIZE, videoEvery, twoObjectEvery: 4 };
      const seen = new Set<string>();
      for (let n = 0; n < 2 * NUM_SHAPE_CLASSES; n++) {
        const item = trainingItem(SEED, n * videoEvery, mix, 1);
        expect(item.kind).toBe('video');
        expect(item.objects).toHaveLength(1);
        seen.add(`${item.resize}:${item.objects[0]!.label}`);
      }
      expect(seen.size).toBe(2 * NUM_SHAPE_CLASSES);
    });
  }

  it('gives model inputs of size×size×3 in [0, 1] with the object inside its mask at that size', () => {
    const mix = { size: SIZE, videoEvery: 2, twoObjectEvery: 8 };
    for (let i = 0; i < 8; i++) {
      const item = trainingItem(SEED, i, mix, 1);
      expect(item.input).toHaveLength(SIZE * SIZE * 3);
      expect(item.input.every((v) => v >= 0 && v <= 1)).toBe(true);
      for (const o of item.objects) {
        expect(o.mask).toHaveLength(SIZE * SIZE);
        expect(o.mask.some((v) => v === 1)).toBe(true);
      }
    }
  });

  it('regenerates any sample alone, identically', () => {
    const mix = { size: SIZE, videoEvery: 2, twoObjectEvery: 8 };
    for (const i of [4, 7, 9]) {
      const a = trainingItem(SEED, i, mix, 1);
      trainingItem(SEED, i + 1, mix, 1);
      const b = trainingItem(SEED, i, mix, 1);
      expect(Array.from(b.input)).toEqual(Array.from(a.input));
      expect(trainingItem(SEED + 1, i, mix, 1).input).not.toEqual(a.input);
    }
  });

  it('renders camera frames at the width the mix names (4:3), the same stills at any width', () => {
    const narrow = { size: SIZE, videoEvery: 2, twoObjectEvery: 8 };
    const wide = { ...narrow, videoWidth: 320 };
    // The default is the 160-wide frame; naming it changes nothing.
    expect(Array.from(trainingItem(SEED, 0, { ...narrow, videoWidth: TRAINING_VIDEO_WIDTH }, 1).input)).toEqual(Array.from(trainingItem(SEED, 0, narrow, 1).input));
    // Same object and class, rendered finer: a different model input.
    const [a, b] = [trainingItem(SEED, 2, narrow, 1), trainingItem(SEED, 2, wide, 1)];
    expect(b.objects[0]!.label).toBe(a.objects[0]!.label);
    expect(Array.from(b.input)).not.toEqual(Array.from(a.input));
    expect(Array.from(trainingItem(SEED, 1, wide, 1).input)).toEqual(Array.from(trainingItem(SEED, 1, narrow, 1).input));
    expect(trainingVideoSize(320)).toEqual({ width: 320, height: 240 });
    for (const bad of [0, 30, 322, 1.5]) expect(() => checkTrainingMix({ ...narrow, videoWidth: bad })).toThrow(/video width must be a multiple of 4/);
  });

  it('refuses a period that would give every video frame or two-object still one class', () => {
    expect(() => checkTrainingMix({ size: SIZE, videoEvery: 5, twoObjectEvery: 4 })).toThrow(/videoEvery = 5 is a multiple of the 5 classes/);
    expect(() => checkTrainingMix({ size: SIZE, videoEvery: 3, twoObjectEvery: 10 })).toThrow(/twoObjectEvery = 10/);
    expect(() => checkTrainingMix({ size: SIZE, videoEvery: -1, twoObjectEvery: 4 })).toThrow(/videoEvery must be an integer/);
    expect(() => checkTrainingMix({ size: SIZE, videoEvery: 2, twoObjectEvery: 8 })).not.toThrow();
    expect(() => checkTrainingMix({ size: SIZE, videoEvery: 0, twoObjectEvery: 0 })).not.toThrow();
    // Why the check exists: with videoEvery 5 every camera frame would be class 0.
    const labels = new Set([0, 5, 10, 15].map((i) => trainingItem(SEED, i, { size: SIZE, videoEvery: 5, twoObjectEvery: 0 }, 1).objects[0]!.label));
    expect(labels.size).toBe(1);
  });
});

import { describe, expect, it } from 'vitest';
import {
  deriveSeed,
  generateDataset,
  generateSample,
  mulberry32,
  NUM_SHAPE_CLASSES,
  SHAPE_CLASSES,
  shapeRegion,
  type ObjectMask,
  type Sample,
} from '../src/index.js';

/** Mean RGB of the pixels selected by `select`. */
function meanColour(sample: Sample, select: (p: number) => boolean): [number, number, number] {
  const sum = [0, 0, 0];
  let n = 0;
  for (let p = 0; p < sample.size * sample.size; p++) {
    if (!select(p)) continue;
    for (let c = 0; c < 3; c++) sum[c]! += sample.pixels[4 * p + c]!;
    n++;
  }
  return sum.map((v) => v / Math.max(1, n)) as [number, number, number];
}

/** Pixels within `radius` (Chebyshev) of the mask but not in it: a ring around the object. */
function ringAround(mask: Uint8Array, size: number, radius: number): Uint8Array {
  const ring = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (mask[y * size + x]) continue;
      search: for (let dy = -radius; dy <= radius; dy++) {
        for (let dx = -radius; dx <= radius; dx++) {
          const yy = y + dy;
          const xx = x + dx;
          if (yy >= 0 && yy < size && xx >= 0 && xx < size && mask[yy * size + xx]) {
            ring[y * size + x] = 1;
            break search;
          }
        }
      }
    }
  }
  return ring;
}

describe('mulberry32 and deriveSeed', () => {
  it('repeat for a seed, differ between seeds, stay in [0, 1)', () => {
    const a = mulberry32(123);
    const b = mulberry32(123);
    const c = mulberry32(124);
    const va = Array.from({ length: 1000 }, a);
    expect(Array.from({ length: 1000 }, b)).toEqual(va);
    expect(Array.from({ length: 1000 }, c)).not.toEqual(va);
    expect(va.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(deriveSeed(1, 2)).toBe(deriveSeed(1, 2));
    expect(new Set([deriveSeed(1, 2), deriveSeed(2, 1), deriveSeed(1, 3)]).size).toBe(3);
  });
});

describe('generateSample', () => {
  it('is deterministic for a seed', () => {
    const a = generateSample(mulberry32(42), { size: 32 });
    const b = generateSample(mulberry32(42), { size: 32 });
    const c = generateSample(mulberry32(43), { size: 32 });
    expect(b.pixels).toEqual(a.pixels);
    expect(b.masks.map((m) => m.mask)).toEqual(a.masks.map((m) => m.mask));
    expect(b.label).toBe(a.label);
    expect(c.pixels).not.toEqual(a.pixels);
  });

  it('returns RGBA pixels, labels in range and one mask per object', () => {
    for (let seed = 0; seed < 40; seed++) {
      const twoObjects = seed % 2 === 1;
      const s = generateSample(mulberry32(seed), { size: 48, twoObjects });
      expect(s.pixels.length).toBe(48 * 48 * 4);
      expect(s.pixels.filter((_, i) => i % 4 === 3).every((a) => a === 255)).toBe(true);
      expect(Number.isInteger(s.label) && s.label >= 0 && s.label < NUM_SHAPE_CLASSES).toBe(true);
      expect(s.masks.length).toBe(twoObjects ? 2 : 1);
      expect(s.masks[0]!.label).toBe(s.label);
      for (const m of s.masks) {
        expect(m.className).toBe(SHAPE_CLASSES[m.label]);
        expect(m.mask.length).toBe(48 * 48);
        expect(m.mask.every((v) => v === 0 || v === 1)).toBe(true);
      }
      if (twoObjects) {
        const [a, b] = s.masks as [ObjectMask, ObjectMask];
        expect(a.label).not.toBe(b.label);
        expect(a.mask.some((v, i) => v === 1 && b.mask[i] === 1)).toBe(false);
      }
    }
  });

  it('honours a forced label and rejects bad options', () => {
    for (let label = 0; label < NUM_SHAPE_CLASSES; label++) {
      expect(generateSample(mulberry32(label), { label }).label).toBe(label);
    }
    expect(() => generateSample(mulberry32(1), { label: NUM_SHAPE_CLASSES })).toThrow();
    expect(() => generateSample(mulberry32(1), { size: 4 })).toThrow();
    expect(() => generateSample(mulberry32(1), { clutter: 1.5 })).toThrow();
  });

  it('masks match the drawn geometry and bounding boxes', () => {
    for (let seed = 0; seed < 30; seed++) {
      const size = 64;
      const s = generateSample(mulberry32(seed), { size, twoObjects: seed % 3 === 0 });
      for (const m of s.masks) {
        const region = shapeRegion(m.placement);
        let area = 0;
        for (let y = 0; y < size; y++) {
          for (let x = 0; x < size; x++) {
            const inMask = m.mask[y * size + x] === 1;
            const corners = [region.contains(x, y), region.contains(x + 1, y), region.contains(x, y + 1), region.contains(x + 1, y + 1)];
            // A pixel whose corners are all inside the shape is covered; one whose corners and centre are all outside is not.
            if (corners.every(Boolean) && region.contains(x + 0.5, y + 0.5)) expect(inMask).toBe(true);
            if (!corners.some(Boolean) && !region.contains(x + 0.5, y + 0.5)) expect(inMask).toBe(false);
            if (inMask) {
              area++;
              expect(x >= m.bbox.x0 && x < m.bbox.x1 && y >= m.bbox.y0 && y < m.bbox.y1).toBe(true);
            }
          }
        }
        // Objects are big enough to classify: the smallest (a star of radius 0.15·size) covers ~2.7 %.
        expect(area).toBeGreaterThan(0.02 * size * size);
      }
    }
  });

  it('draws each object in a colour that stands out from its surroundings', () => {
    let total = 0;
    let contrasted = 0;
    for (const s of generateDataset(77, 60, { size: 64 })) {
      const m = s.masks[0]!;
      const ring = ringAround(m.mask, s.size, 2);
      const inside = meanColour(s, (p) => m.mask[p] === 1);
      const outside = meanColour(s, (p) => ring[p] === 1);
      total++;
      if (Math.hypot(inside[0] - outside[0], inside[1] - outside[1], inside[2] - outside[2]) > 40) contrasted++;
    }
    // The colour is chosen ≥ 90 RGB units from the mean background under the object; local
    // clutter and shading make a few rings closer, but nearly all must stand out.
    expect(contrasted / total).toBeGreaterThan(0.9);
  });
});

describe('generateDataset', () => {
  it('balances classes and regenerates any slice identically', () => {
    const all = generateDataset(5, 20, { size: 32 });
    expect(all.map((s) => s.label)).toEqual([...Array(20).keys()].map((i) => i % NUM_SHAPE_CLASSES));
    const slice = generateDataset(5, 5, { size: 32, start: 10 });
    slice.forEach((s, i) => expect(s.pixels).toEqual(all[10 + i]!.pixels));
  });
});

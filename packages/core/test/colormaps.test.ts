import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { COLORMAP_NAMES, colormapTable, isColormapName, type ColormapName } from '../src/colormaps.js';

type Rgb = readonly [number, number, number];

/** Channel c of entry i; fails the test if it is missing. */
function channel(table: Float32Array, i: number, c: number): number {
  const value = table[4 * i + c];
  if (value === undefined) throw new Error(`entry ${i} channel ${c} missing`);
  return value;
}

function rgbAt(table: Float32Array, i: number): Rgb {
  return [channel(table, i, 0), channel(table, i, 1), channel(table, i, 2)];
}

function expectRgb(name: ColormapName, i: number, expected: Rgb, tolerance: number): void {
  const actual = rgbAt(colormapTable(name), i);
  for (let c = 0; c < 3; c++) {
    const diff = Math.abs(actual[c]! - expected[c]!);
    const label = `${name}[${i}] channel ${'rgb'[c]}: got ${actual[c]}, want ${expected[c]}`;
    expect(diff, label).toBeLessThanOrEqual(tolerance);
  }
}

/** Relative luminance (Rec. 709 weights) of entry i, on the stored values. */
function luminance(table: Float32Array, i: number): number {
  const [r, g, b] = rgbAt(table, i);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

const ONE_LEVEL = 1 / 255;
const SPOT_TOLERANCE = 1.5 / 255;
/** Float32 storage error for values computed exactly in float64. */
const F32 = 1e-6;

describe('COLORMAP_NAMES / isColormapName', () => {
  it('lists the six maps', () => {
    expect([...COLORMAP_NAMES]).toEqual(['jet', 'jet-opencv', 'turbo', 'viridis', 'inferno', 'gray']);
  });

  it('accepts every listed name', () => {
    for (const name of ['jet', 'jet-opencv', 'turbo', 'viridis', 'inferno', 'gray']) {
      expect(isColormapName(name)).toBe(true);
    }
  });

  it('rejects other names', () => {
    for (const name of ['hot', 'Jet', 'magma', '', 'gray ', 'toString']) {
      expect(isColormapName(name)).toBe(false);
    }
  });
});

describe('colormapTable: shape and range', () => {
  for (const name of COLORMAP_NAMES) {
    it(`${name}: 256 × rgba floats, alpha 1, values in [0, 1]`, () => {
      const table = colormapTable(name);
      expect(table).toBeInstanceOf(Float32Array);
      expect(table.length).toBe(1024);
      for (let i = 0; i < 256; i++) {
        expect(channel(table, i, 3), `${name}[${i}] alpha`).toBe(1);
        for (let c = 0; c < 3; c++) {
          const v = channel(table, i, c);
          expect(Number.isFinite(v) && v >= 0 && v <= 1, `${name}[${i}][${c}] = ${v}`).toBe(true);
        }
      }
    });
  }

  it('caches one table per name', () => {
    expect(colormapTable('viridis')).toBe(colormapTable('viridis'));
    expect(colormapTable('jet')).not.toBe(colormapTable('turbo'));
  });
});

describe('jet (matplotlib _jet_data, x = i / 255)', () => {
  it('starts dark blue and ends dark red', () => {
    expectRgb('jet', 0, [0, 0, 0.5], F32);
    expectRgb('jet', 255, [0.5, 0, 0], F32);
  });

  it('matches the segment definition between breakpoints', () => {
    // i = 64, x = 64/255 ≈ 0.25098: red 0 (x < 0.35); green on 0.125→0.375 rising 0→1:
    // (x − 0.125) / 0.25; blue 1 (0.11 ≤ x ≤ 0.34).
    const x64 = 64 / 255;
    expectRgb('jet', 64, [0, (x64 - 0.125) / 0.25, 1], F32);
    // i = 128, x ≈ 0.50196: red rising on 0.35→0.66: (x − 0.35) / 0.31; green 1;
    // blue falling on 0.34→0.65: 1 − (x − 0.34) / 0.31.
    const x128 = 128 / 255;
    expectRgb('jet', 128, [(x128 - 0.35) / 0.31, 1, 1 - (x128 - 0.34) / 0.31], F32);
    // i = 192, x ≈ 0.75294: red 1; green falling on 0.64→0.91: 1 − (x − 0.64) / 0.27; blue 0.
    const x192 = 192 / 255;
    expectRgb('jet', 192, [1, 1 - (x192 - 0.64) / 0.27, 0], F32);
    // Rounded cross-check of the above.
    expectRgb('jet', 64, [0, 0.50392, 1], 1e-4);
    expectRgb('jet', 128, [0.4902, 1, 0.47755], 1e-4);
    expectRgb('jet', 192, [1, 0.5817, 0], 1e-4);
  });

  it('is fully green in the middle band and fully blue on the low band', () => {
    const jet = colormapTable('jet');
    // green = 1 for 0.375 ≤ x ≤ 0.64, i.e. i = 96 … 163
    for (let i = 96; i <= 163; i++) expect(channel(jet, i, 1), `green at ${i}`).toBe(1);
    expect(channel(jet, 95, 1)).toBeLessThan(1);
    expect(channel(jet, 164, 1)).toBeLessThan(1);
    // blue = 1 for 0.11 ≤ x ≤ 0.34, i.e. i = 29 … 86
    for (let i = 29; i <= 86; i++) expect(channel(jet, i, 2), `blue at ${i}`).toBe(1);
    // red = 1 for 0.66 ≤ x ≤ 0.89, i.e. i = 169 … 226
    for (let i = 169; i <= 226; i++) expect(channel(jet, i, 0), `red at ${i}`).toBe(1);
  });
});

describe('gray', () => {
  it('is linear: r = g = b = i / 255', () => {
    for (let i = 0; i < 256; i++) expectRgb('gray', i, [i / 255, i / 255, i / 255], F32);
  });
});

describe('listed maps against matplotlib _cm_listed.py', () => {
  it('viridis end points', () => {
    expectRgb('viridis', 0, [0.267004, 0.004874, 0.329415], ONE_LEVEL);
    expectRgb('viridis', 255, [0.993248, 0.906157, 0.143936], ONE_LEVEL);
  });

  it('inferno end points', () => {
    expectRgb('inferno', 0, [0.001462, 0.000466, 0.013866], ONE_LEVEL);
    expectRgb('inferno', 255, [0.988362, 0.998364, 0.644924], ONE_LEVEL);
  });

  it('turbo end points', () => {
    expectRgb('turbo', 0, [0.18995, 0.07176, 0.23217], ONE_LEVEL);
    expectRgb('turbo', 255, [0.4796, 0.01583, 0.01055], ONE_LEVEL);
  });

  // Entries 64, 128, 192 fall between anchors, so these exercise the interpolation.
  const spots: readonly (readonly [ColormapName, number, Rgb])[] = [
    ['viridis', 64, [0.229739, 0.322361, 0.545706]],
    ['viridis', 128, [0.127568, 0.566949, 0.550556]],
    ['viridis', 192, [0.369214, 0.788888, 0.382914]],
    ['inferno', 64, [0.3415, 0.062325, 0.429425]],
    ['inferno', 128, [0.735683, 0.215906, 0.330245]],
    ['inferno', 192, [0.978422, 0.557937, 0.034931]],
    ['turbo', 64, [0.15844, 0.73551, 0.92305]],
    ['turbo', 128, [0.64362, 0.98999, 0.23356]],
    ['turbo', 192, [0.9836, 0.49291, 0.12849]],
  ];
  for (const [name, i, rgb] of spots) {
    it(`${name}[${i}] within 1.5/255`, () => expectRgb(name, i, rgb, SPOT_TOLERANCE));
  }
});

describe('perceptual ordering', () => {
  for (const name of ['viridis', 'inferno', 'gray'] as const) {
    it(`${name}: luminance never decreases`, () => {
      const table = colormapTable(name);
      for (let i = 1; i < 256; i++) {
        const previous = luminance(table, i - 1);
        expect(luminance(table, i), `${name} luminance at ${i}`).toBeGreaterThanOrEqual(previous);
      }
      expect(luminance(table, 255) - luminance(table, 0)).toBeGreaterThan(0.5);
    });
  }
});

describe('jet-opencv: OpenCV COLORMAP_JET', () => {
  // Entries recorded from opencv-python-headless by test/data/make_opencv_jet.py (5.0.0;
  // 4.14.0 gives the same table).
  const recorded = JSON.parse(readFileSync(new URL('./data/opencv-jet.json', import.meta.url), 'utf8')) as { entries: Record<string, Rgb> };
  const entries = Object.entries(recorded.entries);

  it('the recorded data cover dozens of levels, the ends and the kinks', () => {
    expect(entries.length).toBeGreaterThanOrEqual(40);
    for (const level of ['0', '32', '96', '159', '224', '255']) expect(recorded.entries[level], level).toBeDefined();
  });

  it.each(entries)('level %s equals OpenCV exactly (byte / 255)', (level, rgb) => {
    const got = rgbAt(colormapTable('jet-opencv'), Number(level)).map((v) => Math.round(v * 255));
    expect(got).toEqual([...rgb]);
    for (const v of rgbAt(colormapTable('jet-opencv'), Number(level))) expect(Math.abs(v * 255 - Math.round(v * 255))).toBeLessThan(1e-4);
  });

  it("differs from matplotlib's jet by up to 33.5 levels (green at level 223)", () => {
    let worst = 0;
    const opencv = colormapTable('jet-opencv');
    const matplotlib = colormapTable('jet');
    for (let i = 0; i < 1024; i++) if (i % 4 !== 3) worst = Math.max(worst, Math.abs(opencv[i]! - matplotlib[i]!) * 255);
    expect(worst).toBeCloseTo(33.52, 2);
  });
});

/**
 * Colour lookup tables for painting heat maps, matching matplotlib's colormaps of the
 * same names at 256 levels, and OpenCV's COLORMAP_JET as `jet-opencv` (the colours of
 * pytorch-grad-cam's show_cam_on_image; matplotlib's jet differs by up to 33 levels).
 *
 * Every table is a Float32Array of 256 × 4 floats: entry i holds (r, g, b, 1) in [0, 1]
 * for the i-th of 256 levels, i.e. the colour matplotlib's `cm.get_cmap(name, 256)`
 * lookup table gives at that index. Upload one as a 256×1 rgba32float texture, or index
 * it on the CPU with `table[4 * level + channel]`.
 */

import { opencvJetBytes } from './colormap-jet-opencv.js';

/** The colormaps wgcam knows, in the order a UI should offer them. */
export const COLORMAP_NAMES = ['jet', 'jet-opencv', 'turbo', 'viridis', 'inferno', 'gray'] as const;

/** One of {@link COLORMAP_NAMES}. */
export type ColormapName = (typeof COLORMAP_NAMES)[number];

/** Levels per table. */
const LEVELS = 256;

/** Floats per entry: r, g, b, a. */
const CHANNELS = 4;

/**
 * Whether `name` is one of the colormaps in {@link COLORMAP_NAMES} (case-sensitive).
 *
 * @example
 * const name = params.get('colormap') ?? 'jet';
 * const table = colormapTable(isColormapName(name) ? name : 'jet');
 */
export function isColormapName(name: string): name is ColormapName {
  return (COLORMAP_NAMES as readonly string[]).includes(name);
}

// ---------------------------------------------------------------------------------------
// jet: a LinearSegmentedColormap in matplotlib (`_jet_data` in lib/matplotlib/_cm.py).
// Each channel is piecewise linear in x ∈ [0, 1] through the breakpoints below, written as
// (x, y) pairs. matplotlib writes them as (x, y_left, y_right); for jet both sides are
// equal at every breakpoint, so the channels are continuous and one y per x suffices.
// ---------------------------------------------------------------------------------------

/** Breakpoints (x0, y0, x1, y1, ...) of one channel, x ascending from 0 to 1. */
type Breakpoints = readonly number[];

const JET_RED: Breakpoints = [0, 0, 0.35, 0, 0.66, 1, 0.89, 1, 1, 0.5];
const JET_GREEN: Breakpoints = [0, 0, 0.125, 0, 0.375, 1, 0.64, 1, 0.91, 0, 1, 0];
const JET_BLUE: Breakpoints = [0, 0.5, 0.11, 1, 0.34, 1, 0.65, 0, 1, 0];

/** `values[index]`, which the callers below guarantee is in range. */
function at(values: readonly number[], index: number): number {
  const value = values[index];
  if (value === undefined) throw new RangeError(`colormap data index ${index} out of range`);
  return value;
}

/** Evaluates a piecewise-linear channel at x, holding the end values outside [0, 1]. */
function piecewiseLinear(points: Breakpoints, x: number): number {
  const last = points.length - 2;
  if (x <= at(points, 0)) return at(points, 1);
  if (x >= at(points, last)) return at(points, last + 1);
  let k = 0;
  while (k + 2 < last && at(points, k + 2) <= x) k += 2;
  const x0 = at(points, k);
  const y0 = at(points, k + 1);
  const x1 = at(points, k + 2);
  const y1 = at(points, k + 3);
  return y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
}

// ---------------------------------------------------------------------------------------
// turbo, viridis, inferno: 256-entry ListedColormaps in matplotlib (`_turbo_data`,
// `_viridis_data`, `_inferno_data` in lib/matplotlib/_cm_listed.py). Rather than the full
// tables, each is kept here as 52 anchor colours — matplotlib's entries 0, 5, 10, ..., 255,
// rounded to 3 decimals — and rebuilt by linear interpolation in RGB between neighbouring
// anchors. The error quoted for each is the largest difference, over all 256 entries and
// the three channels, between the rebuilt table and matplotlib's, in 8-bit levels.
// ---------------------------------------------------------------------------------------

/**
 * turbo: rebuilt from 52 anchors of matplotlib's table; max error 0.70/255.
 * Data: Turbo, Copyright 2019 Google LLC, Apache License 2.0 (Anton Mikhailov).
 */
const TURBO_ANCHORS: readonly number[] = [
  0.190, 0.072, 0.232,   0.213, 0.129, 0.373,   0.232, 0.186, 0.500,   0.248, 0.241, 0.613,
  0.261, 0.296, 0.712,   0.270, 0.349, 0.796,   0.275, 0.401, 0.867,   0.277, 0.452, 0.923,
  0.275, 0.501, 0.966,   0.269, 0.550, 0.993,   0.249, 0.599, 0.998,   0.220, 0.649, 0.984,
  0.186, 0.698, 0.955,   0.152, 0.745, 0.914,   0.122, 0.789, 0.866,   0.100, 0.830, 0.814,
  0.093, 0.866, 0.762,   0.103, 0.896, 0.715,   0.135, 0.922, 0.666,   0.185, 0.945, 0.607,
  0.248, 0.964, 0.543,   0.320, 0.980, 0.477,   0.397, 0.991, 0.411,   0.474, 0.998, 0.350,
  0.547, 0.999, 0.296,   0.611, 0.995, 0.253,   0.664, 0.985, 0.224,   0.716, 0.969, 0.208,
  0.766, 0.946, 0.203,   0.814, 0.919, 0.206,   0.859, 0.887, 0.212,   0.899, 0.851, 0.220,
  0.933, 0.812, 0.227,   0.960, 0.772, 0.228,   0.980, 0.730, 0.222,   0.992, 0.684, 0.207,
  0.997, 0.632, 0.187,   0.995, 0.575, 0.164,   0.988, 0.517, 0.139,   0.975, 0.457, 0.113,
  0.958, 0.400, 0.088,   0.936, 0.345, 0.066,   0.910, 0.296, 0.048,   0.881, 0.253, 0.035,
  0.847, 0.214, 0.025,   0.808, 0.178, 0.017,   0.765, 0.144, 0.010,   0.717, 0.113, 0.006,
  0.664, 0.084, 0.004,   0.607, 0.059, 0.004,   0.546, 0.036, 0.006,   0.480, 0.016, 0.011,
];

/**
 * viridis: rebuilt from 52 anchors of matplotlib's table; max error 0.62/255.
 * Data: by Nathaniel J. Smith, Stefan van der Walt and Eric Firing, released under CC0.
 */
const VIRIDIS_ANCHORS: readonly number[] = [
  0.267, 0.005, 0.329,   0.274, 0.031, 0.359,   0.279, 0.062, 0.387,   0.282, 0.090, 0.412,
  0.283, 0.116, 0.436,   0.283, 0.141, 0.458,   0.280, 0.166, 0.476,   0.276, 0.190, 0.493,
  0.271, 0.214, 0.507,   0.264, 0.238, 0.519,   0.256, 0.261, 0.528,   0.247, 0.283, 0.536,
  0.237, 0.305, 0.542,   0.228, 0.327, 0.547,   0.218, 0.347, 0.550,   0.209, 0.368, 0.553,
  0.199, 0.388, 0.555,   0.191, 0.407, 0.556,   0.182, 0.426, 0.557,   0.174, 0.445, 0.558,
  0.167, 0.464, 0.558,   0.159, 0.482, 0.558,   0.152, 0.501, 0.558,   0.145, 0.519, 0.557,
  0.138, 0.537, 0.555,   0.131, 0.556, 0.552,   0.125, 0.574, 0.549,   0.121, 0.593, 0.545,
  0.119, 0.611, 0.539,   0.121, 0.629, 0.532,   0.128, 0.648, 0.523,   0.140, 0.666, 0.513,
  0.158, 0.684, 0.502,   0.181, 0.701, 0.488,   0.208, 0.719, 0.473,   0.239, 0.736, 0.456,
  0.274, 0.752, 0.437,   0.312, 0.768, 0.416,   0.352, 0.783, 0.393,   0.395, 0.797, 0.368,
  0.440, 0.811, 0.341,   0.487, 0.824, 0.312,   0.536, 0.836, 0.282,   0.586, 0.847, 0.250,
  0.637, 0.857, 0.217,   0.689, 0.865, 0.183,   0.741, 0.873, 0.150,   0.794, 0.881, 0.120,
  0.846, 0.887, 0.100,   0.896, 0.894, 0.096,   0.946, 0.900, 0.113,   0.993, 0.906, 0.144,
];

/**
 * inferno: rebuilt from 52 anchors of matplotlib's table; max error 0.79/255.
 * Data: by Nathaniel J. Smith, Stefan van der Walt and Eric Firing, released under CC0.
 */
const INFERNO_ANCHORS: readonly number[] = [
  0.001, 0.000, 0.014,   0.008, 0.006, 0.047,   0.019, 0.015, 0.089,   0.038, 0.026, 0.132,
  0.061, 0.037, 0.178,   0.087, 0.045, 0.225,   0.117, 0.048, 0.272,   0.149, 0.045, 0.317,
  0.183, 0.040, 0.355,   0.218, 0.037, 0.384,   0.252, 0.038, 0.403,   0.284, 0.044, 0.417,
  0.316, 0.053, 0.425,   0.348, 0.065, 0.430,   0.379, 0.076, 0.433,   0.410, 0.088, 0.433,
  0.441, 0.099, 0.432,   0.472, 0.111, 0.428,   0.503, 0.122, 0.423,   0.535, 0.133, 0.417,
  0.566, 0.144, 0.408,   0.597, 0.155, 0.398,   0.628, 0.167, 0.386,   0.658, 0.179, 0.373,
  0.689, 0.192, 0.358,   0.718, 0.207, 0.341,   0.747, 0.222, 0.323,   0.775, 0.240, 0.304,
  0.802, 0.259, 0.283,   0.827, 0.280, 0.262,   0.851, 0.302, 0.240,   0.874, 0.327, 0.217,
  0.894, 0.353, 0.194,   0.913, 0.382, 0.170,   0.930, 0.411, 0.145,   0.944, 0.443, 0.120,
  0.957, 0.475, 0.095,   0.967, 0.509, 0.069,   0.976, 0.544, 0.044,   0.982, 0.579, 0.026,
  0.986, 0.616, 0.026,   0.988, 0.653, 0.046,   0.987, 0.690, 0.080,   0.985, 0.728, 0.121,
  0.980, 0.767, 0.166,   0.973, 0.805, 0.217,   0.964, 0.844, 0.273,   0.955, 0.882, 0.337,
  0.948, 0.917, 0.411,   0.948, 0.949, 0.491,   0.962, 0.976, 0.572,   0.988, 0.998, 0.645,
];

/** Fills a table by interpolating evenly spaced RGB anchors (first = level 0, last = 255). */
function fromAnchors(anchors: readonly number[]): Float32Array {
  const count = anchors.length / 3;
  const table = new Float32Array(LEVELS * CHANNELS);
  for (let i = 0; i < LEVELS; i++) {
    const position = (i * (count - 1)) / (LEVELS - 1);
    const k = Math.min(Math.floor(position), count - 2);
    const t = position - k;
    for (let c = 0; c < 3; c++) {
      const a = at(anchors, 3 * k + c);
      const b = at(anchors, 3 * (k + 1) + c);
      table[CHANNELS * i + c] = clamp01(a + (b - a) * t);
    }
    table[CHANNELS * i + 3] = 1;
  }
  return table;
}

type Channel = (x: number) => number;

/** Fills a table from one function per channel of x = i / 255. */
function fromFunctions(red: Channel, green: Channel, blue: Channel): Float32Array {
  const table = new Float32Array(LEVELS * CHANNELS);
  for (let i = 0; i < LEVELS; i++) {
    const x = i / (LEVELS - 1);
    table[CHANNELS * i] = clamp01(red(x));
    table[CHANNELS * i + 1] = clamp01(green(x));
    table[CHANNELS * i + 2] = clamp01(blue(x));
    table[CHANNELS * i + 3] = 1;
  }
  return table;
}

function clamp01(value: number): number {
  return value < 0 ? 0 : value > 1 ? 1 : value;
}

function buildTable(name: ColormapName): Float32Array {
  switch (name) {
    case 'jet':
      return fromFunctions(
        (x) => piecewiseLinear(JET_RED, x),
        (x) => piecewiseLinear(JET_GREEN, x),
        (x) => piecewiseLinear(JET_BLUE, x),
      );
    case 'jet-opencv':
      return fromBytes(opencvJetBytes());
    case 'turbo':
      return fromAnchors(TURBO_ANCHORS);
    case 'viridis':
      return fromAnchors(VIRIDIS_ANCHORS);
    case 'inferno':
      return fromAnchors(INFERNO_ANCHORS);
    case 'gray':
      return fromFunctions(
        (x) => x,
        (x) => x,
        (x) => x,
      );
  }
}

/** A table from RGB byte triples: value = byte / 255. */
function fromBytes(rgb: Uint8Array): Float32Array {
  const table = new Float32Array(LEVELS * CHANNELS);
  for (let i = 0; i < LEVELS; i++) {
    for (let c = 0; c < 3; c++) table[i * CHANNELS + c] = rgb[3 * i + c]! / 255;
    table[i * CHANNELS + 3] = 1;
  }
  return table;
}

const cache = new Map<ColormapName, Float32Array>();

/**
 * The 256-level lookup table of a colormap: 1024 floats, (r, g, b, 1) per level, each in
 * [0, 1], entry i being the colour matplotlib gives for level i of 256 (for jet, its
 * segment data evaluated at x = i / 255); for jet-opencv, OpenCV's byte / 255. Built on first use and cached per name: every
 * call for a name returns the same array, so treat it as read-only (copy it with
 * `.slice()` before changing it).
 *
 * @example
 * const lut = colormapTable('viridis');
 * const level = Math.round(heat * 255); // heat in [0, 1]
 * const [r, g, b] = lut.subarray(4 * level, 4 * level + 3);
 */
export function colormapTable(name: ColormapName): Float32Array {
  let table = cache.get(name);
  if (table === undefined) {
    table = buildTable(name);
    cache.set(name, table);
  }
  return table;
}

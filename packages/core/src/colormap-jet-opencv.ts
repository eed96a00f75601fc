// OpenCV's COLORMAP_JET (what pytorch-grad-cam's show_cam_on_image draws with), rebuilt
// from its definition: GNU Octave's jet — each channel linear between the anchor points
// below, x in eighths — tabulated at x = i/255 as float32, interpolated by OpenCV's interp1
// at its float32 linspace(0, 1, 256), then scaled by 255 in float32 and rounded half to
// even into bytes (convertTo/saturate_cast). The float32 steps matter: they turn some
// exact halves (e.g. blue at level 159, 1.5) to the byte below. Matplotlib's jet has other
// anchors (0.35/0.66/0.89, 0.125/0.375/0.64/0.91, 0.11/0.34/0.65): up to 33 levels apart.

const f32 = Math.fround;

/** (x, value) anchor pairs of one channel, x ascending from 0 to 1. */
type Anchors = readonly (readonly [number, number])[];

const RED: Anchors = [[0, 0], [3 / 8, 0], [5 / 8, 1], [7 / 8, 1], [1, 0.5]];
const GREEN: Anchors = [[0, 0], [1 / 8, 0], [3 / 8, 1], [5 / 8, 1], [7 / 8, 0], [1, 0]];
const BLUE: Anchors = [[0, 0.5], [1 / 8, 1], [3 / 8, 1], [5 / 8, 0], [1, 0]];

/** The channel at x = i/255, exactly (anchors at eighths keep 255·x0 and the products exact). */
function channelAt(anchors: Anchors, i: number): number {
  let k = 0;
  while (k + 2 < anchors.length && 255 * anchors[k + 1]![0] <= i) k++;
  const [x0, y0] = anchors[k]!;
  const [x1, y1] = anchors[k + 1]!;
  return (255 * y0 + ((y1 - y0) / (x1 - x0)) * (i - 255 * x0)) / 255;
}

/** OpenCV's interp1 of (x, y) at `at`: a binary search for the segment, then a float32 lerp. */
function interp1(x: Float32Array, y: Float32Array, at: number): number {
  let low = 0;
  let high = x.length - 1;
  while (high - low > 1) {
    const mid = low + ((high - low) >> 1);
    if (at > x[mid]!) low = mid;
    else high = mid;
  }
  const t = f32(f32(f32(at - x[low]!) * f32(y[high]! - y[low]!)) / f32(x[high]! - x[low]!));
  return f32(y[low]! + t);
}

/** Round half to even, as OpenCV's saturate_cast (cvRound) does. */
function roundHalfEven(v: number): number {
  const floor = Math.floor(v);
  if (v - floor !== 0.5) return Math.round(v);
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * OpenCV's COLORMAP_JET as 256 RGB byte triples (RGB order; OpenCV's own images are BGR).
 *
 * @example
 * const rgb = opencvJetBytes();
 * const [r, g, b] = rgb.subarray(3 * 128, 3 * 128 + 3);
 */
export function opencvJetBytes(): Uint8Array {
  const step = f32(1 / 255);
  const x = Float32Array.from({ length: 256 }, (_, i) => f32(i * step));
  const out = new Uint8Array(256 * 3);
  [RED, GREEN, BLUE].forEach((anchors, ch) => {
    const y = Float32Array.from({ length: 256 }, (_, i) => channelAt(anchors, i));
    for (let i = 0; i < 256; i++) out[3 * i + ch] = Math.min(255, Math.max(0, roundHalfEven(f32(interp1(x, y, x[i]!) * 255))));
  });
  return out;
}

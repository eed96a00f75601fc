import { coverage, paint, type Canvas } from './canvas.js';
import { randomColour } from './background.js';
import { distanceToSegmentSquared, type Region } from './region.js';
import { randomInt, uniform, type Rng } from './rng.js';

/**
 * A thick open polyline of 2–4 segments with random turns: clutter with straight edges and
 * corners that is still none of the classes (it is never closed or filled).
 */
function strokeRegion(rng: Rng, width: number, height: number): Region {
  const scale = Math.min(width, height);
  const halfWidth = uniform(rng, 0.012, 0.03) * scale;
  const points: number[] = [uniform(rng, 0, width), uniform(rng, 0, height)];
  let heading = uniform(rng, 0, 2 * Math.PI);
  const segments = randomInt(rng, 1, 3);
  for (let s = 0; s < segments; s++) {
    const length = uniform(rng, 0.15, 0.45) * scale;
    const x = points[points.length - 2] as number;
    const y = points[points.length - 1] as number;
    points.push(x + length * Math.cos(heading), y + length * Math.sin(heading));
    heading += uniform(rng, -2, 2);
  }
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let i = 0; i < points.length; i += 2) {
    x0 = Math.min(x0, points[i] as number);
    x1 = Math.max(x1, points[i] as number);
    y0 = Math.min(y0, points[i + 1] as number);
    y1 = Math.max(y1, points[i + 1] as number);
  }
  const h2 = halfWidth * halfWidth;
  return {
    bounds: { x0: x0 - halfWidth, y0: y0 - halfWidth, x1: x1 + halfWidth, y1: y1 + halfWidth },
    contains(x, y) {
      for (let i = 0; i + 3 < points.length; i += 2) {
        const d = distanceToSegmentSquared(
          x,
          y,
          points[i] as number,
          points[i + 1] as number,
          points[i + 2] as number,
          points[i + 3] as number,
        );
        if (d <= h2) return true;
      }
      return false;
    },
  };
}

/**
 * A smooth irregular blob: radius r(θ) = r0·(1 + a2·sin(2θ+φ2) + a3·sin(3θ+φ3)). The strong
 * second harmonic makes it elongated or bean-like, so it is not mistaken for a circle, and
 * the weak third harmonic keeps it from looking like a rounded triangle.
 */
function blobRegion(rng: Rng, width: number, height: number): Region {
  const scale = Math.min(width, height);
  const r0 = uniform(rng, 0.05, 0.12) * scale;
  const cx = uniform(rng, 0, width);
  const cy = uniform(rng, 0, height);
  const a2 = uniform(rng, 0.3, 0.5);
  const a3 = uniform(rng, 0, 0.15);
  const p2 = uniform(rng, 0, 2 * Math.PI);
  const p3 = uniform(rng, 0, 2 * Math.PI);
  const rMax = r0 * (1 + a2 + a3);
  return {
    bounds: { x0: cx - rMax, y0: cy - rMax, x1: cx + rMax, y1: cy + rMax },
    contains(x, y) {
      const dx = x - cx;
      const dy = y - cy;
      const theta = Math.atan2(dy, dx);
      const r = r0 * (1 + a2 * Math.sin(2 * theta + p2) + a3 * Math.sin(3 * theta + p3));
      return dx * dx + dy * dy <= r * r;
    },
  };
}

/** Options for {@link drawDistractors}. */
export interface DistractorOptions {
  /** Inclusive range of stroke counts. */
  readonly strokes: readonly [number, number];
  /** Inclusive range of blob counts. */
  readonly blobs: readonly [number, number];
}

export const DEFAULT_DISTRACTORS: DistractorOptions = { strokes: [1, 4], blobs: [0, 3] };

/**
 * Draws clutter that belongs to no class (strokes and blobs) in random colours.
 * It is drawn before the objects, so it never hides them and the masks stay exact.
 */
export function drawDistractors(canvas: Canvas, rng: Rng, options: DistractorOptions = DEFAULT_DISTRACTORS): void {
  const strokes = randomInt(rng, options.strokes[0], options.strokes[1]);
  const blobs = randomInt(rng, options.blobs[0], options.blobs[1]);
  for (let i = 0; i < strokes + blobs; i++) {
    const region = i < strokes ? strokeRegion(rng, canvas.width, canvas.height) : blobRegion(rng, canvas.width, canvas.height);
    paint(canvas, coverage(region, canvas.width, canvas.height, 2), randomColour(rng));
  }
}

import type { ShapeClass } from './classes.js';
import { uniform, type Rng } from './rng.js';
import type { ShapePlacement } from './shapes.js';

/** Object radii as a fraction of the image size: [min, max] for one and two objects. */
const SINGLE_RADIUS: readonly [number, number] = [0.24, 0.38];
const PAIR_RADIUS: readonly [number, number] = [0.2, 0.26];

/** Random non-overlapping placements (circumscribed circles kept apart by a small gap). */
export function placeObjects(rng: Rng, size: number, classes: readonly ShapeClass[]): ShapePlacement[] {
  const [rMin, rMax] = classes.length > 1 ? PAIR_RADIUS : SINGLE_RADIUS;
  const gap = 0.03 * size;
  for (let attempt = 0; ; attempt++) {
    // After many failed tries, shrink the objects so placement always terminates.
    const shrink = attempt < 50 ? 1 : 0.8;
    const placements: ShapePlacement[] = [];
    for (const cls of classes) {
      const radius = uniform(rng, rMin, rMax) * size * shrink;
      placements.push({
        cls,
        radius,
        cx: uniform(rng, radius, size - radius),
        cy: uniform(rng, radius, size - radius),
        rotation: uniform(rng, 0, 2 * Math.PI),
      });
    }
    const overlaps = placements.some((a, i) =>
      placements.some((b, j) => j > i && Math.hypot(a.cx - b.cx, a.cy - b.cy) < a.radius + b.radius + gap),
    );
    if (!overlaps) return placements;
  }
}

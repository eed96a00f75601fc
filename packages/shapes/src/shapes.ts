import type { ShapeClass } from './classes.js';
import { insidePolygon, type Region } from './region.js';

/** Where and how one object is drawn. `radius` is the circumradius in pixels. */
export interface ShapePlacement {
  readonly cls: ShapeClass;
  readonly cx: number;
  readonly cy: number;
  readonly radius: number;
  /** Rotation in radians, counter-clockwise in image coordinates (y down). */
  readonly rotation: number;
}

/** Regular polygon / star outline in the unit frame, starting at the top (angle −90°). */
function starOutline(points: number, outer: number, inner: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < 2 * points; k++) {
    const r = k % 2 === 0 ? outer : inner;
    const a = -Math.PI / 2 + (k * Math.PI) / points;
    out.push(r * Math.cos(a), r * Math.sin(a));
  }
  return out;
}

function regularPolygon(sides: number, radius: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < sides; k++) {
    const a = -Math.PI / 2 + (2 * k * Math.PI) / sides;
    out.push(radius * Math.cos(a), radius * Math.sin(a));
  }
  return out;
}

// Unit-frame outlines, sized so the classes have similar visual weight at equal radius
// (a circle of radius 1 would look much heavier than a star of circumradius 1).
const CROSS_HALF_WIDTH = 0.3;
const CROSS_HALF_LENGTH = 0.92;
const CIRCLE_RADIUS = 0.85;
const SQUARE_HALF_SIDE = 0.7;
const TRIANGLE = regularPolygon(3, 1);
const STAR = starOutline(5, 1, 0.42);

/** Membership test in the shape's unit frame (before scaling, rotation and translation). */
function unitContains(cls: ShapeClass, u: number, v: number): boolean {
  switch (cls) {
    case 'circle':
      return u * u + v * v <= CIRCLE_RADIUS * CIRCLE_RADIUS;
    case 'square':
      return Math.abs(u) <= SQUARE_HALF_SIDE && Math.abs(v) <= SQUARE_HALF_SIDE;
    case 'triangle':
      return insidePolygon(TRIANGLE, u, v);
    case 'star':
      return insidePolygon(STAR, u, v);
    case 'cross': {
      const au = Math.abs(u);
      const av = Math.abs(v);
      return (
        (au <= CROSS_HALF_WIDTH && av <= CROSS_HALF_LENGTH) ||
        (av <= CROSS_HALF_WIDTH && au <= CROSS_HALF_LENGTH)
      );
    }
  }
}

/**
 * The drawable region of one object.
 *
 * @example
 * const region = shapeRegion({ cls: 'star', cx: 24, cy: 24, radius: 12, rotation: 0.3 });
 * region.contains(24, 24); // true: the star's centre
 */
export function shapeRegion(p: ShapePlacement): Region {
  const cos = Math.cos(p.rotation);
  const sin = Math.sin(p.rotation);
  const inv = 1 / p.radius;
  return {
    bounds: {
      x0: p.cx - p.radius,
      y0: p.cy - p.radius,
      x1: p.cx + p.radius,
      y1: p.cy + p.radius,
    },
    contains(x, y) {
      const dx = (x - p.cx) * inv;
      const dy = (y - p.cy) * inv;
      // Rotate the point by −rotation into the unit frame.
      return unitContains(p.cls, cos * dx + sin * dy, -sin * dx + cos * dy);
    },
  };
}

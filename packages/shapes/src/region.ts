/**
 * Anything that can be drawn: a point-membership test in pixel coordinates plus a bounding
 * box that limits which pixels are tested. Pixel (i, j) covers [i, i+1) × [j, j+1), so its
 * centre is (i + 0.5, j + 0.5).
 */
export interface Region {
  /** Inclusive-exclusive bounds in pixel coordinates: x in [x0, x1), y in [y0, y1). */
  readonly bounds: { x0: number; y0: number; x1: number; y1: number };
  contains(x: number, y: number): boolean;
}

/** Crossing-number test: true when (x, y) lies inside the closed polygon `points` (x0,y0,x1,y1,...). */
export function insidePolygon(points: readonly number[], x: number, y: number): boolean {
  let inside = false;
  const n = points.length / 2;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = points[2 * i] as number;
    const yi = points[2 * i + 1] as number;
    const xj = points[2 * j] as number;
    const yj = points[2 * j + 1] as number;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Squared distance from (x, y) to the segment (ax, ay)–(bx, by). */
export function distanceToSegmentSquared(
  x: number,
  y: number,
  ax: number,
  ay: number,
  bx: number,
  by: number,
): number {
  const dx = bx - ax;
  const dy = by - ay;
  const lengthSquared = dx * dx + dy * dy;
  let t = lengthSquared > 0 ? ((x - ax) * dx + (y - ay) * dy) / lengthSquared : 0;
  t = Math.max(0, Math.min(1, t));
  const px = ax + t * dx - x;
  const py = ay + t * dy - y;
  return px * px + py * py;
}

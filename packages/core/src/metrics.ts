/**
 * Localisation metrics of a heatmap against a ground-truth object mask of the same size.
 */

/**
 * The heatmap's maximum: its flat index and its column and row (first maximum in
 * row-major order on ties).
 *
 * @example
 * const { x, y } = heatmapPeak(item.heatmap, heatmapSize.width);
 */
export function heatmapPeak(heatmap: ArrayLike<number>, width: number): { index: number; x: number; y: number } {
  let best = 0;
  for (let i = 1; i < heatmap.length; i++) if (heatmap[i]! > heatmap[best]!) best = i;
  return { index: best, x: best % width, y: Math.floor(best / width) };
}

/**
 * Pointing game (Zhang et al. 2016): 1 when the heatmap's maximum lies inside the mask,
 * else 0. Ties go to the first maximum in row-major order; an all-zero heatmap misses.
 *
 * @example
 * const hit = pointingGameHit(item.heatmap, sample.masks[0].mask);
 */
export function pointingGameHit(heatmap: ArrayLike<number>, mask: ArrayLike<number>): 0 | 1 {
  if (heatmap.length !== mask.length) throw new Error(`heatmap has ${heatmap.length} values but the mask ${mask.length}`);
  const best = heatmapPeak(heatmap, 1).index;
  return heatmap[best]! > 0 && mask[best]! > 0 ? 1 : 0;
}

/**
 * Energy-based pointing game (Wang et al. 2020): the share of the heatmap's mass that
 * falls inside the mask, in [0, 1]; 0 for an all-zero heatmap.
 *
 * @example
 * const share = energyInside(item.heatmap, sample.masks[0].mask);
 */
export function energyInside(heatmap: ArrayLike<number>, mask: ArrayLike<number>): number {
  if (heatmap.length !== mask.length) throw new Error(`heatmap has ${heatmap.length} values but the mask ${mask.length}`);
  let inside = 0;
  let total = 0;
  for (let i = 0; i < heatmap.length; i++) {
    const v = Math.max(heatmap[i]!, 0);
    total += v;
    if (mask[i]! > 0) inside += v;
  }
  return total > 0 ? inside / total : 0;
}

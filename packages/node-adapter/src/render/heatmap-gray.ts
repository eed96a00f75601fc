import type { RgbaImage } from '../io/images.js';

/**
 * A heatmap in [0, 1] as an 8-bit gray RGBA image (value·255, rounded).
 *
 * @example
 * await writeFileAtomic('heat.png', encodePng(grayHeatmap(item.heatmap, 64, 64)));
 */
export function grayHeatmap(heatmap: Float32Array, width: number, height: number): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const v = Math.round(Math.min(Math.max(heatmap[i] ?? 0, 0), 1) * 255);
    data.set([v, v, v, 255], i * 4);
  }
  return { data, width, height };
}

// Float64 reference of the colormap lookup and alpha overlay.

/** RGBA8 overlays of `maps` heat planes of `pixels` each; image: RGBA8, 1 or B images. */
export function colormapOverlay(
  heat: ArrayLike<number>,
  lut: ArrayLike<number>,
  image: ArrayLike<number> | null,
  maps: number,
  targets: number,
  pixels: number,
  alpha: number,
): Uint8Array {
  const out = new Uint8Array(maps * pixels * 4);
  const images = image ? image.length / (pixels * 4) : 0;
  for (let m = 0; m < maps; m++) {
    const imageIndex = images === 1 ? 0 : Math.floor(m / targets);
    for (let p = 0; p < pixels; p++) {
      const h = Math.min(Math.max(heat[m * pixels + p]!, 0), 1);
      const level = Math.min(Math.floor(h * 256), 255);
      const o = (m * pixels + p) * 4;
      for (let ch = 0; ch < 3; ch++) {
        const colour = lut[level * 4 + ch]! * 255;
        const under = image ? image[(imageIndex * pixels + p) * 4 + ch]! : 0;
        out[o + ch] = Math.round(image ? (1 - alpha) * under + alpha * colour : colour);
      }
      out[o + 3] = image ? image[(imageIndex * pixels + p) * 4 + 3]! : 255;
    }
  }
  return out;
}

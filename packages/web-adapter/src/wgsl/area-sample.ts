/**
 * WGSL shared by the input kernels: the mean colour of one output pixel's footprint in
 * the source texture, from taps.x × taps.y bilinear samples at evenly spaced sub-pixel
 * centres (half-pixel centres, clamped at the edges). With one tap this is exactly
 * tf.image.resizeBilinear(halfPixelCenters=true); with ceil(source/output) taps per axis
 * (downscaling) it approximates an area average, so a 640×480 frame shrunk to a 32×32
 * model input does not alias. Loads are explicit (textureLoad) so the result does not
 * depend on the GPU's filtering precision.
 *
 *   pos(o, t) = (o + (t + 0.5) / taps) · source_size / output_size        (source pixels)
 *   bilinear(p) = lerp over the 4 texels around p − 0.5
 *   value(o) = mean_t bilinear(pos(o, t))
 */
export const AREA_SAMPLE_WGSL = /* wgsl */ `
fn load_texel(p: vec2<i32>, size: vec2<i32>) -> vec3<f32> {
  return textureLoad(source, clamp(p, vec2<i32>(0), size - vec2<i32>(1)), 0).rgb;
}

fn bilinear(pos: vec2<f32>, size: vec2<i32>) -> vec3<f32> {
  let q = pos - vec2<f32>(0.5);
  let base = floor(q);
  let f = q - base;
  let i = vec2<i32>(base);
  let top = mix(load_texel(i, size), load_texel(i + vec2<i32>(1, 0), size), f.x);
  let bottom = mix(load_texel(i + vec2<i32>(0, 1), size), load_texel(i + vec2<i32>(1, 1), size), f.x);
  return mix(top, bottom, f.y);
}

fn area_sample(out_pixel: vec2<u32>, out_size: vec2<u32>, taps: vec2<u32>) -> vec3<f32> {
  let size = vec2<i32>(textureDimensions(source));
  // Same size: every tap lands on a texel centre, so one load gives the same value.
  if (all(vec2<u32>(size) == out_size)) {
    return load_texel(vec2<i32>(out_pixel), size);
  }
  let scale = vec2<f32>(size) / vec2<f32>(out_size);
  var sum = vec3<f32>(0.0);
  for (var ty = 0u; ty < taps.y; ty++) {
    for (var tx = 0u; tx < taps.x; tx++) {
      let offset = (vec2<f32>(f32(tx), f32(ty)) + vec2<f32>(0.5)) / vec2<f32>(taps);
      sum += bilinear((vec2<f32>(out_pixel) + offset) * scale, size);
    }
  }
  return sum / f32(taps.x * taps.y);
}
`;

/**
 * Render pipeline `present_rgba8`: draws packed RGBA8 pixels (one u32 each, r in the low
 * byte) from a storage buffer into a canvas texture with one full-screen triangle. Each
 * fragment shows the nearest source pixel:
 *
 *   p = min(floor(frag.xy · image_size / target_size), image_size − 1)
 *   colour = unpack4x8unorm(pixels[first + p.y · image_width + p.x])
 *
 * `first` selects one image of a batch (B·K overlays back to back). Values are written
 * unchanged, so sRGB-encoded bytes stay sRGB on a non-sRGB canvas format.
 */
export const PRESENT_RGBA8_WGSL = /* wgsl */ `
struct Params {
  image_size: vec2<u32>,
  target_size: vec2<u32>,
  first: u32,
}

@group(0) @binding(0) var<storage, read> pixels: array<u32>;
@group(0) @binding(1) var<uniform> params: Params;

@vertex
fn vs(@builtin(vertex_index) index: u32) -> @builtin(position) vec4<f32> {
  // One triangle covering the whole target: (-1,-1), (3,-1), (-1,3).
  let xy = vec2<f32>(f32((index << 1u) & 2u), f32(index & 2u)) * 2.0 - vec2<f32>(1.0);
  return vec4<f32>(xy, 0.0, 1.0);
}

@fragment
fn fs(@builtin(position) frag: vec4<f32>) -> @location(0) vec4<f32> {
  let scaled = floor(frag.xy * vec2<f32>(params.image_size) / vec2<f32>(params.target_size));
  let p = min(vec2<u32>(scaled), params.image_size - vec2<u32>(1u));
  return unpack4x8unorm(pixels[params.first + p.y * params.image_size.x + p.x]);
}
`;

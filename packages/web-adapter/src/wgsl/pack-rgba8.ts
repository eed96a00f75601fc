import { AREA_SAMPLE_WGSL } from './area-sample.js';

/**
 * Kernel `pack_rgba8`: an RGBA8 texture → packed RGBA8 pixels (one u32 each, r in the low
 * byte, alpha 255) at the display size, resized like the model input (see area-sample).
 * This is the image the engine blends the heatmap over.
 *
 *   out[y·W + x] = pack4x8unorm(vec4(area_sample(x, y), 1))
 *
 * Params (uniform, 16 bytes): size = (W, H), taps = (tx, ty). Workgroup 8×8.
 */
export const PACK_RGBA8_WGSL = /* wgsl */ `
struct Params {
  size: vec2<u32>,
  taps: vec2<u32>,
}

@group(0) @binding(0) var source: texture_2d<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@group(0) @binding(2) var<uniform> params: Params;
${AREA_SAMPLE_WGSL}
@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  if (id.x >= params.size.x || id.y >= params.size.y) {
    return;
  }
  let rgb = area_sample(id.xy, params.size, params.taps);
  out[id.y * params.size.x + id.x] = pack4x8unorm(vec4<f32>(rgb, 1.0));
}
`;

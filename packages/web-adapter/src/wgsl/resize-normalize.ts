import { AREA_SAMPLE_WGSL } from './area-sample.js';

/**
 * Kernel `resize_normalize`: an RGBA8 texture → the model's float32 NHWC input [1, H, W, C]
 * in a storage buffer, resized (see area-sample) and normalised per channel:
 *
 *   rgb = 255 · area_sample(x, y)                    (pixel values in 0..255)
 *   p   = bgr ? rgb.bgr : rgb                        (channel order the model takes)
 *   C = 3: out[(y·W + x)·3 + c] = p[c] · scale[c] + offset[c]
 *   C = 1: out[y·W + x]         = mean(rgb) · scale[0] + offset[0]
 *
 * Params (uniform, 64 bytes): size = (W, H, C, bgr ? 1 : 0), taps = (tx, ty, 0, 0), scale, offset.
 * Workgroup 8×8, one invocation per output pixel, guarded at the edges.
 */
export const RESIZE_NORMALIZE_WGSL = /* wgsl */ `
struct Params {
  size: vec4<u32>,
  taps: vec4<u32>,
  scale: vec4<f32>,
  offset: vec4<f32>,
}

@group(0) @binding(0) var source: texture_2d<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;
${AREA_SAMPLE_WGSL}
@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let out_size = params.size.xy;
  if (id.x >= out_size.x || id.y >= out_size.y) {
    return;
  }
  let rgb = 255.0 * area_sample(id.xy, out_size, params.taps.xy);
  let pixel = id.y * out_size.x + id.x;
  if (params.size.z == 1u) {
    out[pixel] = (rgb.r + rgb.g + rgb.b) / 3.0 * params.scale.x + params.offset.x;
  } else {
    let ordered = select(rgb, rgb.bgr, params.size.w == 1u);
    let v = ordered * params.scale.xyz + params.offset.xyz;
    out[pixel * 3u] = v.x;
    out[pixel * 3u + 1u] = v.y;
    out[pixel * 3u + 2u] = v.z;
  }
}
`;

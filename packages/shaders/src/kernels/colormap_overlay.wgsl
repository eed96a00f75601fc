// Colormap lookup and alpha overlay into RGBA8:
//
//   i     = min(⌊clamp(heat, 0, 1)·256⌋, 255)          (matplotlib's binning of [0, 1])
//   rgb   = 255·lut[i]
//   out   = ⌊(1 − α)·image + α·rgb + 0.5⌋               HAS_IMAGE
//   out   = ⌊rgb + 0.5⌋, alpha channel 255               otherwise
//
// Halves round up, as Math.round and OpenCV do (WGSL's round() would round them to even).
//
// heat is [B·K, H, W]; the image is packed RGBA8 (r in the low byte), [B, H, W] or one
// image shared by all maps; its alpha channel is kept.

override HAS_IMAGE: bool = true;

struct Params {
  maps: u32,     // B·K
  targets: u32,  // K
  images: u32,   // B, or 1 for a shared image
  pixels: u32,   // H·W
  alpha: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> heat: array<f32>;
@group(0) @binding(2) var<storage, read> lut: array<vec4f, 256>;
@group(0) @binding(3) var<storage, read> image: array<u32>;
@group(0) @binding(4) var<storage, read_write> overlay: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let index = (wid.x + wid.y * nwg.x) * 64u + lid;
  if (index >= params.maps * params.pixels) { return; }
  let level = min(u32(clamp(heat[index], 0.0, 1.0) * 256.0), 255u);
  let colour = lut[level].rgb * 255.0;
  var rgba = vec4f(colour, 255.0);
  if (HAS_IMAGE) {
    let map = index / params.pixels;
    let image_index = select(map / params.targets, 0u, params.images == 1u);
    let under = unpack4x8unorm(image[image_index * params.pixels + index % params.pixels]) * 255.0;
    rgba = vec4f(mix(under.rgb, colour, params.alpha), under.a);
  }
  overlay[index] = pack4x8unorm(floor(rgba + 0.5) / 255.0);
}

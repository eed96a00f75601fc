// The whole rendering of raw maps in one pass: bilinear resize, min-max normalisation,
// the float heatmap, colormap and alpha overlay:
//
//   up(m, Y, X) = bilinear(map[m], h×w → H×W) at (Y, X), half-pixel centres:
//     y' = clamp((Y + 0.5)·h/H − 0.5, 0, h − 1), y0 = ⌊y'⌋, y1 = min(y0 + 1, h − 1), fy = y' − y0
//     (x likewise); up = lerp(lerp(m[y0,x0], m[y0,x1], fx), lerp(m[y1,x0], m[y1,x1], fx), fy)
//   heat        = (up − lo) / (hi − lo + 1e-7)      (lo, hi) = ranges[r]
//   heatmap[m,Y,X] = heat                             at the heatmap size
//   i     = min(⌊clamp(heat, 0, 1)·256⌋, 255)         (matplotlib's binning of [0, 1])
//   rgb   = 255·lut[i]
//   out   = ⌊(1 − α)·image + α·rgb + 0.5⌋              HAS_IMAGE (image alpha kept)
//   out   = ⌊rgb + 0.5⌋, alpha channel 255              otherwise
//
// The ranges are either per map at feature resolution (map_minmax; bilinear weights sum to
// 1, so resizing then normalising equals normalising then resizing) or at the output's
// own resolution (resized_minmax: r = m for the heatmap, overlay_ranges + m for an overlay
// of another size). With both = 1 the overlay has the heatmap's size and each invocation
// writes both from one heat value; otherwise the index space is the heatmap's M·H·W
// followed by the overlay's M·H'·W'. A size of 0×0 means that output is not written.
// Halves round up, as Math.round and OpenCV do (WGSL's round() would round them to even).
// The image is packed RGBA8 (r in the low byte), [B, H', W'] or one image shared by all maps.

override HAS_IMAGE: bool = true;

struct Params {
  maps: u32,            // M = B·K
  targets: u32,         // K
  images: u32,          // B, or 1 for a shared image
  in_height: u32,
  in_width: u32,
  heat_height: u32,     // 0 without a heatmap
  heat_width: u32,
  overlay_height: u32,  // 0 without an overlay (or when shared)
  overlay_width: u32,
  both: u32,            // 1: the overlay is written with the heatmap, at its size
  overlay_ranges: u32,  // offset of the overlay's ranges
  alpha: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> maps: array<f32>;
@group(0) @binding(2) var<storage, read> ranges: array<vec2f>;
@group(0) @binding(3) var<storage, read> lut: array<vec4f, 256>;
@group(0) @binding(4) var<storage, read> image: array<u32>;
@group(0) @binding(5) var<storage, read_write> heatmap: array<f32>;
@group(0) @binding(6) var<storage, read_write> overlay: array<u32>;

fn source_coordinate(out_index: u32, in_size: u32, out_size: u32) -> f32 {
  let scaled = (f32(out_index) + 0.5) * (f32(in_size) / f32(out_size)) - 0.5;
  return clamp(scaled, 0.0, f32(in_size - 1u));
}

fn sample(base: u32, Y: u32, X: u32, height: u32, width: u32) -> f32 {
  let y = source_coordinate(Y, params.in_height, height);
  let x = source_coordinate(X, params.in_width, width);
  let y0 = u32(y);
  let x0 = u32(x);
  let y1 = min(y0 + 1u, params.in_height - 1u);
  let x1 = min(x0 + 1u, params.in_width - 1u);
  let fy = y - f32(y0);
  let fx = x - f32(x0);
  let top = mix(maps[base + y0 * params.in_width + x0], maps[base + y0 * params.in_width + x1], fx);
  let bottom = mix(maps[base + y1 * params.in_width + x0], maps[base + y1 * params.in_width + x1], fx);
  return mix(top, bottom, fy);
}

fn heat_at(map: u32, pixel: u32, height: u32, width: u32, range_index: u32) -> f32 {
  let up = sample(map * params.in_height * params.in_width, pixel / width, pixel % width, height, width);
  let range = ranges[range_index];
  return (up - range.x) / (range.y - range.x + 1e-7);
}

fn colour(heat: f32, map: u32, pixel: u32, pixels: u32) -> u32 {
  let level = min(u32(clamp(heat, 0.0, 1.0) * 256.0), 255u);
  let rgb = lut[level].rgb * 255.0;
  var rgba = vec4f(rgb, 255.0);
  if (HAS_IMAGE) {
    let image_index = select(map / params.targets, 0u, params.images == 1u);
    let under = unpack4x8unorm(image[image_index * pixels + pixel]) * 255.0;
    rgba = vec4f(mix(under.rgb, rgb, params.alpha), under.a);
  }
  return pack4x8unorm(floor(rgba + 0.5) / 255.0);
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let index = (wid.x + wid.y * nwg.x) * 64u + lid;
  let heat_pixels = params.heat_height * params.heat_width;
  let overlay_pixels = params.overlay_height * params.overlay_width;
  let heat_count = params.maps * heat_pixels;
  // One code path for both index ranges, its sizes chosen by select: a software GPU
  // (SwiftShader) runs both sides of a branch for all its SIMD lanes, masked, so two copies
  // of the resize and colour math cost twice (measured on SwiftShader, 224² heatmap +
  // overlay: this pass's CPU time fell from 11–15 to 6–8 ms with one copy).
  let second = index >= heat_count;
  let j = select(index, index - heat_count, second);
  let pixels = select(heat_pixels, overlay_pixels, second);
  if (j >= params.maps * pixels) { return; }
  let map = j / pixels;
  let pixel = j % pixels;
  let heat = heat_at(map, pixel, select(params.heat_height, params.overlay_height, second),
                     select(params.heat_width, params.overlay_width, second),
                     select(map, params.overlay_ranges + map, second));
  if (!second) { heatmap[j] = heat; }
  if (second || params.both == 1u) { overlay[j] = colour(heat, map, pixel, pixels); }
}

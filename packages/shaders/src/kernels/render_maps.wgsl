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
// writes both from one heat value; otherwise the heatmap's M·H rows are followed by the
// overlay's M·H' rows. A size of 0×0 means that output is not written.
// Halves round up, as Math.round and OpenCV do (WGSL's round() would round them to even).
// The image is packed RGBA8 (r in the low byte), [B, H', W'] or one image shared by all maps.
//
// One workgroup per output row: its WG invocations step through the row's pixels, so the
// row's map, source rows y0, y1, weight fy and range are found once per invocation, with
// no integer division per pixel. Float↔integer conversions go through i32 (all values here
// are below 2^31): a CPU without unsigned conversions (SSE, on which SwiftShader runs)
// emulates the u32 ones in several instructions per lane. Every value converted is ≥ 0,
// so the conversion's truncation is the floor the formulas ask for.

override HAS_IMAGE: bool = true;
override WG: u32 = 64u;   // invocations per row (the host: the device's SIMD width on a software adapter)

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

fn source_coordinate(out_index: u32, scale: f32, in_size: u32) -> f32 {
  return clamp((f32(i32(out_index)) + 0.5) * scale - 0.5, 0.0, f32(i32(in_size) - 1));
}

fn channel(packed: i32, shift: u32) -> f32 {
  return f32((packed >> shift) & 255);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let group = wid.x + wid.y * nwg.x;
  let heat_rows = params.maps * params.heat_height;
  // One code path for both outputs, its sizes chosen by select: a software GPU
  // (SwiftShader) runs both sides of a branch for all its SIMD lanes, masked, so two copies
  // of the resize and colour math would cost twice.
  let second = group >= heat_rows;
  let row = select(group, group - heat_rows, second);
  let height = select(params.heat_height, params.overlay_height, second);
  let width = select(params.heat_width, params.overlay_width, second);
  if (row >= params.maps * height) { return; }
  let map = row / height;
  let Y = row - map * height;
  let in_width = params.in_width;
  let y = source_coordinate(Y, f32(params.in_height) / f32(height), params.in_height);
  let y0 = u32(i32(y));
  let y1 = min(y0 + 1u, params.in_height - 1u);
  let fy = y - f32(i32(y0));
  let top_row = (map * params.in_height + y0) * in_width;
  let bottom_row = (map * params.in_height + y1) * in_width;
  let range = ranges[select(map, params.overlay_ranges + map, second)];
  let span = range.y - range.x + 1e-7;
  let x_scale = f32(in_width) / f32(width);
  let image_index = select(map / params.targets, 0u, params.images == 1u);
  let out_row = row * width;
  let image_row = (image_index * height + Y) * width;
  let write_heat = !second;
  let write_overlay = second || params.both == 1u;
  for (var X = lid; X < width; X += WG) {
    let x = source_coordinate(X, x_scale, in_width);
    let x0 = u32(i32(x));
    let x1 = min(x0 + 1u, in_width - 1u);
    let fx = x - f32(i32(x0));
    let top = mix(maps[top_row + x0], maps[top_row + x1], fx);
    let bottom = mix(maps[bottom_row + x0], maps[bottom_row + x1], fx);
    let heat = (mix(top, bottom, fy) - range.x) / span;
    if (write_heat) { heatmap[out_row + X] = heat; }
    if (write_overlay) {
      let level = clamp(i32(clamp(heat, 0.0, 1.0) * 256.0), 0, 255);
      let rgb = lut[level].rgb * 255.0;
      var rgba = vec4f(rgb, 255.0);
      if (HAS_IMAGE) {
        let under = bitcast<i32>(image[image_row + X]);
        let below = vec3f(channel(under, 0u), channel(under, 8u), channel(under, 16u));
        rgba = vec4f(mix(below, rgb, params.alpha), channel(under, 24u));
      }
      let q = vec4i(rgba + 0.5);  // positive: truncation is the floor
      overlay[out_row + X] = bitcast<u32>(q.x | (q.y << 8u) | (q.z << 16u) | (q.w << 24u));
    }
  }
}

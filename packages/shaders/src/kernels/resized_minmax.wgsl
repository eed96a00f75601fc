// Per-map minimum and maximum of the raw map resized to an output size, the statistics of
// min-max normalisation at output resolution (pytorch-grad-cam's and tf-keras-vis's order):
//
//   up[m,Y,X]  = bilinear(map[m], h×w → H×W) at (Y, X)      (half-pixel centres, as upsample)
//   range[o·M + m] = (min_{Y,X} up[m,Y,X], max_{Y,X} up[m,Y,X])     m = b·K + k
//
// o = 0 uses (height0, width0), o = 1 (height1, width1): one dispatch of M or 2·M
// workgroups serves a heatmap and an overlay of different sizes. The bilinear taps are
//   y' = clamp((Y + 0.5)·h/H − 0.5, 0, h − 1), y0 = ⌊y'⌋, y1 = min(y0 + 1, h − 1), fy = y' − y0
// exactly as render_maps computes them, so the rendered maximum is the range's maximum.
// One workgroup of 256 per (output, map) strides over H·W and reduces in workgroup memory;
// the o = 0 workgroups also scan the map's own h·w values, so a non-finite value that no
// tap reaches still raises status[3].

struct Params {
  maps: u32,
  in_height: u32,
  in_width: u32,
  height0: u32,
  width0: u32,
  height1: u32,
  width1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> maps: array<f32>;
@group(0) @binding(2) var<storage, read_write> ranges: array<vec2f>;
@group(0) @binding(3) var<storage, read_write> status: array<atomic<u32>>;

var<workgroup> lows: array<f32, 256>;
var<workgroup> highs: array<f32, 256>;

fn is_finite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

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

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let group = wid.x + wid.y * nwg.x;
  let second = group >= params.maps;
  let map = select(group, group - params.maps, second);
  let in_range = group < 2u * params.maps && (!second || params.height1 > 0u);
  let height = select(params.height0, params.height1, second);
  let width = select(params.width0, params.width1, second);
  var low = 3.402823e38;
  var high = -3.402823e38;
  if (in_range) {
    let base = map * params.in_height * params.in_width;
    if (!second) {
      var finite = true;
      for (var s = lid; s < params.in_height * params.in_width; s += 256u) {
        finite = finite && is_finite(maps[base + s]);
      }
      if (!finite) { atomicOr(&status[3], 1u); }
    }
    for (var p = lid; p < height * width; p += 256u) {
      let v = sample(base, p / width, p % width, height, width);
      low = min(low, v);
      high = max(high, v);
    }
  }
  lows[lid] = low;
  highs[lid] = high;
  workgroupBarrier();
  for (var stride = 128u; stride > 0u; stride >>= 1u) {
    if (lid < stride) {
      lows[lid] = min(lows[lid], lows[lid + stride]);
      highs[lid] = max(highs[lid], highs[lid + stride]);
    }
    workgroupBarrier();
  }
  if (in_range && lid == 0u) { ranges[group] = vec2f(lows[0], highs[0]); }
}

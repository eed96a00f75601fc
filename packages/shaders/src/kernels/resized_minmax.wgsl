// Per-map minimum and maximum of the raw map resized to an output size, the statistics of
// min-max normalisation at output resolution (pytorch-grad-cam's and tf-keras-vis's order):
//
//   up[m,Y,X]  = bilinear(map[m], h×w → H×W) at (Y, X)      (half-pixel centres, as upsample)
//   range[o·M + m] = (min_{Y,X} up[m,Y,X], max_{Y,X} up[m,Y,X])     m = b·K + k
//
// o = 0 uses (height0, width0), o = 1 (height1, width1): one dispatch of M or 2·M
// workgroups serves a heatmap and an overlay of different sizes. The bilinear taps are
//   y' = clamp((Y + 0.5)·h/H − 0.5, 0, h − 1), y0 = ⌊y'⌋, y1 = min(y0 + 1, h − 1), fy = y' − y0
// exactly as render_maps computes them, so the range is taken over render_maps's values.
//
// Only the rows and columns that end a run are sampled: the output rows Y sharing one y0
// (a run) share the taps y0, y1 and have fy increasing with Y, and likewise for columns.
// Within one run × run cell, up is affine in fx for fixed fy and affine in fy for fixed fx,
// so its extremes over the cell's samples lie on the cell's first or last row and column.
// The candidates are Y = 0, H − 1 and every Y whose y0 differs from a neighbour's: at most
// 2h + 2 rows and 2w + 2 columns (7×7 → 224²: 16 × 16 = 256 samples instead of 50,176).
// Float rounding of the taps can leave a non-candidate sample a few ulps above the range,
// i.e. a heat value of 1 + O(1e-7): inside the 1e-7 guard. Runs longer than the
// candidate lists hold (more than 1,024 candidates: h or w over 511) fall back to
// sampling every pixel.
// One workgroup of WG per (output, map) reduces in workgroup memory (a few hundred samples
// per map: 256 lanes only lengthened the barrier tree; on SwiftShader, which runs each
// lane group between barriers as a coroutine, 64 lanes took 104 ms for 32 maps against
// 826 ms with 256, and 765 ms for the every-pixel scan it replaces); the o = 0
// workgroups also scan the map's own h·w values, so a non-finite value that no sample
// reaches still raises status[3]. The host picks WG (a power of two): 64 on a hardware GPU
// (within its limits), one SIMD group on a software adapter, where every barrier switches
// between the workgroup's SIMD groups (SwiftShader, 7×7 → 224², one map: ~1.0 ms CPU per
// dispatch at 64, ~0.2 ms at 4).

override WG: u32 = 64u;  // invocations per workgroup, a power of two

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

var<workgroup> lows: array<f32, WG>;
var<workgroup> highs: array<f32, WG>;
// Candidate rows and columns (unordered; min and max do not care), and their counts.
const CANDIDATES = 1024u;
var<workgroup> rows: array<u32, CANDIDATES>;
var<workgroup> columns: array<u32, CANDIDATES>;
var<workgroup> row_count: atomic<u32>;
var<workgroup> column_count: atomic<u32>;

fn is_finite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

fn source_coordinate(out_index: u32, in_size: u32, out_size: u32) -> f32 {
  let scaled = (f32(out_index) + 0.5) * (f32(in_size) / f32(out_size)) - 0.5;
  return clamp(scaled, 0.0, f32(in_size - 1u));
}

fn tap(out_index: u32, in_size: u32, out_size: u32) -> u32 {
  return u32(source_coordinate(out_index, in_size, out_size));
}

// Whether output index i (of n) is the first or last of its run of equal taps.
fn ends_run(i: u32, in_size: u32, n: u32) -> bool {
  if (i == 0u || i + 1u == n) { return true; }
  let t = tap(i, in_size, n);
  return t != tap(i - 1u, in_size, n) || t != tap(i + 1u, in_size, n);
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

@compute @workgroup_size(WG)
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
      for (var s = lid; s < params.in_height * params.in_width; s += WG) {
        finite = finite && is_finite(maps[base + s]);
      }
      if (!finite) { atomicOr(&status[3], 1u); }
    }
  }
  if (lid == 0u) {
    atomicStore(&row_count, 0u);
    atomicStore(&column_count, 0u);
  }
  workgroupBarrier();
  if (in_range) {
    for (var Y = lid; Y < height; Y += WG) {
      if (ends_run(Y, params.in_height, height)) {
        let slot = atomicAdd(&row_count, 1u);
        if (slot < CANDIDATES) { rows[slot] = Y; }
      }
    }
    for (var X = lid; X < width; X += WG) {
      if (ends_run(X, params.in_width, width)) {
        let slot = atomicAdd(&column_count, 1u);
        if (slot < CANDIDATES) { columns[slot] = X; }
      }
    }
  }
  workgroupBarrier();
  let row_total = atomicLoad(&row_count);
  let column_total = atomicLoad(&column_count);
  if (in_range) {
    let base = map * params.in_height * params.in_width;
    if (row_total <= CANDIDATES && column_total <= CANDIDATES) {
      for (var p = lid; p < row_total * column_total; p += WG) {
        let v = sample(base, rows[p / column_total], columns[p % column_total], height, width);
        low = min(low, v);
        high = max(high, v);
      }
    } else {
      for (var p = lid; p < height * width; p += WG) {
        let v = sample(base, p / width, p % width, height, width);
        low = min(low, v);
        high = max(high, v);
      }
    }
  }
  lows[lid] = low;
  highs[lid] = high;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride >>= 1u) {
    if (lid < stride) {
      lows[lid] = min(lows[lid], lows[lid + stride]);
      highs[lid] = max(highs[lid], highs[lid + stride]);
    }
    workgroupBarrier();
  }
  if (in_range && lid == 0u) { ranges[group] = vec2f(lows[0], highs[0]); }
}

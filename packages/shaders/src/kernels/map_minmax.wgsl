// Per-map minimum and maximum, the statistics of min-max normalisation:
//
//   range[m] = (min_s map[m,s], max_s map[m,s])      m = b·K + k
//
// One workgroup of 256 per map strides over its S values and reduces in workgroup
// memory. A non-finite map value (overflow in an earlier stage) raises status[3].
// #include finite

struct Params {
  maps: u32,
  positions: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> maps: array<f32>;
@group(0) @binding(2) var<storage, read_write> ranges: array<vec2f>;
@group(0) @binding(3) var<storage, read_write> status: array<atomic<u32>>;

var<workgroup> lows: array<f32, 256>;
var<workgroup> highs: array<f32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let map = wid.x + wid.y * nwg.x;
  let in_range = map < params.maps;
  var low = 3.402823e38;
  var high = -3.402823e38;
  if (in_range) {
    let base = map * params.positions;
    var finite = true;
    for (var s = lid; s < params.positions; s += 256u) {
      let v = maps[base + s];
      finite = finite && is_finite(v);
      low = min(low, v);
      high = max(high, v);
    }
    if (!finite) { atomicOr(&status[3], 1u); }
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
  if (in_range && lid == 0u) { ranges[map] = vec2f(lows[0], highs[0]); }
}

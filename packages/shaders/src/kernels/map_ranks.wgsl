// Rank of every value of a map among the values of the same map, for the faithfulness
// metrics' removal orders (deletion, insertion, ROAD percentiles). For map b with N = H·W
// values v and pixel i:
//
//   ranks[b·N + i].x = #{ j : v_j > v_i }      (pixels strictly more relevant)
//   ranks[b·N + i].y = #{ j : v_j = v_i }      (ties, i itself included, so ≥ 1)
//
// Sorted in descending order, pixel i occupies positions x .. x + y − 1; sorted in
// ascending order N − x − y .. N − x − 1. The count is O(N²) per map; workgroups of 256
// pixels read the map in tiles of 256 values through workgroup memory. Maps must be
// finite (checked on the CPU before upload).

struct Params {
  maps: u32,    // B
  pixels: u32,  // N = H·W
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> values: array<f32>;
@group(0) @binding(2) var<storage, read_write> ranks: array<vec2u>;

var<workgroup> tile: array<f32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  // One workgroup covers 256 pixels of one map, so the whole workgroup reads one map.
  let groups_per_map = (params.pixels + 255u) / 256u;
  let group = wid.x + wid.y * nwg.x;
  if (group >= params.maps * groups_per_map) { return; }  // uniform per workgroup
  let map = group / groups_per_map;
  let pixel = (group % groups_per_map) * 256u + lid;
  let base = map * params.pixels;
  let in_range = pixel < params.pixels;
  var own = 0.0;
  if (in_range) { own = values[base + pixel]; }

  var greater = 0u;
  var equal = 0u;
  for (var start = 0u; start < params.pixels; start += 256u) {
    let j = start + lid;
    var value = 0.0;
    if (j < params.pixels) { value = values[base + j]; }
    tile[lid] = value;
    workgroupBarrier();
    let n = min(256u, params.pixels - start);
    for (var t = 0u; t < n; t++) {
      let other = tile[t];
      greater += select(0u, 1u, other > own);
      equal += select(0u, 1u, other == own);
    }
    workgroupBarrier();
  }
  if (in_range) { ranks[base + pixel] = vec2u(greater, equal); }
}

// Min-max normalisation of each map at feature resolution:
//
//   out[m,s] = (map[m,s] − min_m) / (max_m − min_m + 1e-7)
//
// A constant map has map − min = 0 everywhere and so becomes all zeros, never NaN.

struct Params {
  maps: u32,
  positions: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> maps: array<f32>;
@group(0) @binding(2) var<storage, read> ranges: array<vec2f>;
@group(0) @binding(3) var<storage, read_write> normalized: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let index = (wid.x + wid.y * nwg.x) * 64u + lid;
  if (index >= params.maps * params.positions) { return; }
  let range = ranges[index / params.positions];
  normalized[index] = (maps[index] - range.x) / (range.y - range.x + 1e-7);
}

// Faster Score-CAM's channel choice: per image, the N channels of largest spatial
// variance, ranked by variance (ties: lower channel first; NaN counts as −∞):
//
//   rank[b,c] = #{c' : v[b,c'] > v[b,c] or (v[b,c'] = v[b,c] and c' < c)}
//   selected[b·N + rank] = c and rank_of[b,c] = rank   if rank < N
//   rank_of[b,c] = 0xffffffff                          otherwise
//
// One invocation per (b, c), O(C) each.

struct Params {
  pairs: u32,     // B·C
  channels: u32,  // C
  keep: u32,      // N
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> variances: array<f32>;
@group(0) @binding(2) var<storage, read_write> selected: array<u32>;
@group(0) @binding(3) var<storage, read_write> rank_of: array<u32>;

fn ordered(v: f32) -> f32 {
  return select(v, -3.402823e38, v != v);
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let pair = (wid.x + wid.y * nwg.x) * 64u + lid;
  if (pair >= params.pairs) { return; }
  let image = pair / params.channels;
  let c = pair % params.channels;
  let base = image * params.channels;
  let v = ordered(variances[pair]);
  var rank = 0u;
  for (var other = 0u; other < params.channels; other++) {
    let w = ordered(variances[base + other]);
    if (w > v || (w == v && other < c)) { rank++; }
  }
  if (rank < params.keep) {
    selected[image * params.keep + rank] = c;
    rank_of[pair] = rank;
  } else {
    rank_of[pair] = 0xffffffffu;
  }
}

// Eigen-CAM, step 2: the Gram matrix of the centred matrix X [S, C] of each map, on the
// smaller side (by_positions = 1 when S ≤ C):
//
//   by positions: K[m,i,j] = Σ_c X[m,i,c] · X[m,j,c]       n = S   (K = X·Xᵀ)
//   by channels:  K[m,i,j] = Σ_s X[m,s,i] · X[m,s,j]       n = C   (K = Xᵀ·X)
//
// Both are K = Yᵀ·Y for Y [R, n], which eigen_centre stored row-major (Y = Xᵀ, R = C, or
// Y = X, R = S), so a row of Y is contiguous. Each invocation computes a 4×4 block of one
// map's K in registers, reading 8 values of Y per step of the reduction for 16 products;
// no workgroup memory or barriers (which a software GPU pays dearly for). Only blocks on
// or above the diagonal compute; they write their mirror too (K is symmetric).
// Invocations: maps × ceil(n / 4)², folded into 2-D by the caller.

struct Params {
  maps: u32,          // B·K
  positions: u32,     // S
  channels: u32,      // C
  size: u32,          // n = min(S, C)
  by_positions: u32,  // 1: K = X·Xᵀ (S×S), 0: K = Xᵀ·X (C×C)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> centred: array<f32>;
@group(0) @binding(2) var<storage, read_write> gram: array<f32>;

// Four consecutive columns i..i+3 of Y's row r (zero past n).
fn y4(base: u32, r: u32, i: u32) -> vec4f {
  let row = base + r * params.size;
  if (i + 3u < params.size) { return vec4f(centred[row + i], centred[row + i + 1u], centred[row + i + 2u], centred[row + i + 3u]); }
  var out = vec4f(0.0);
  for (var k = 0u; k < 4u; k++) {
    if (i + k < params.size) { out[k] = centred[row + i + k]; }
  }
  return out;
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let blocks = (params.size + 3u) / 4u;
  let index = (wid.x + wid.y * nwg.x) * 64u + lid;
  if (index >= params.maps * blocks * blocks) { return; }
  let map = index / (blocks * blocks);
  let block = index % (blocks * blocks);
  let i0 = (block / blocks) * 4u;
  let j0 = (block % blocks) * 4u;
  if (i0 > j0) { return; }
  let base = map * params.positions * params.channels;
  var reduction = params.positions;
  if (params.by_positions == 1u) { reduction = params.channels; }
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var r = 0u; r < reduction; r++) {
    let yi = y4(base, r, i0);
    let yj = y4(base, r, j0);
    acc0 += yi.x * yj;
    acc1 += yi.y * yj;
    acc2 += yi.z * yj;
    acc3 += yi.w * yj;
  }
  let rows = array<vec4f, 4>(acc0, acc1, acc2, acc3);
  for (var a = 0u; a < 4u; a++) {
    let i = i0 + a;
    if (i >= params.size) { break; }
    for (var b = 0u; b < 4u; b++) {
      let j = j0 + b;
      if (j < params.size) {
        gram[(map * params.size + i) * params.size + j] = rows[a][b];
        gram[(map * params.size + j) * params.size + i] = rows[a][b];
      }
    }
  }
}

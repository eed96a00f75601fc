// Eigen-CAM, step 2: the Gram matrix of the centred matrix X [S, C] of each map, on the
// smaller side (by_positions = 1 when S ≤ C):
//
//   by positions: K[m,i,j] = Σ_c X[m,i,c] · X[m,j,c]       n = S   (K = X·Xᵀ)
//   by channels:  K[m,i,j] = Σ_s X[m,s,i] · X[m,s,j]       n = C   (K = Xᵀ·X)
//
// Both are K = Yᵀ·Y for Y [R, n], which eigen_centre stored row-major (Y = Xᵀ, R = C, or
// Y = X, R = S), so a row of Y is contiguous. Each invocation computes a 4×4 block of one
// map's K in registers, reading 8 values of Y per step of the reduction for 16 products;
// no workgroup memory or barriers (which a software GPU pays dearly for). The accumulators
// are eight named vectors, not arrays indexed in a loop: SwiftShader kept such arrays in
// memory, which made the kernel 4× slower (784×784 from C = 2048: 55–64 s → 13–14 s). The sums are
// compensated (TwoSum: each addition's rounding error is kept and added at the end): the
// component's error is K's relative error divided by the gap 1 − λ₂/λ₁, so a plain float32
// sum over hundreds of positions (≈ √R·2⁻²⁴) would cost ~1e-5 at λ₂/λ₁ ≈ 0.85. Only blocks on
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
  var acc0 = vec4f(0.0); var acc1 = vec4f(0.0); var acc2 = vec4f(0.0); var acc3 = vec4f(0.0);
  var err0 = vec4f(0.0); var err1 = vec4f(0.0); var err2 = vec4f(0.0); var err3 = vec4f(0.0);
  for (var r = 0u; r < reduction; r++) {
    let yi = y4(base, r, i0);
    let yj = y4(base, r, j0);
    { let term = yi.x * yj; let total = acc0 + term; let back = total - acc0; err0 += (acc0 - (total - back)) + (term - back); acc0 = total; }
    { let term = yi.y * yj; let total = acc1 + term; let back = total - acc1; err1 += (acc1 - (total - back)) + (term - back); acc1 = total; }
    { let term = yi.z * yj; let total = acc2 + term; let back = total - acc2; err2 += (acc2 - (total - back)) + (term - back); acc2 = total; }
    { let term = yi.w * yj; let total = acc3 + term; let back = total - acc3; err3 += (acc3 - (total - back)) + (term - back); acc3 = total; }
  }
  let rows = array<vec4f, 4>(acc0 + err0, acc1 + err1, acc2 + err2, acc3 + err3);
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

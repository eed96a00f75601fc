// Gradient-times-activation maps, summed over channels with ReLU:
//
//   HiResCAM              (PRODUCT = 0): map[b,k,s] = ReLU( Σ_c G[b,k,s,c] · A[b,s,c] )
//   Layer-CAM             (PRODUCT = 1): map[b,k,s] = ReLU( Σ_c ReLU(G[b,k,s,c]) · A[b,s,c] )
//   element-wise Grad-CAM (PRODUCT = 2): map[b,k,s] = ReLU( Σ_c ReLU(G[b,k,s,c] · A[b,s,c]) )
//
// LANES invocations per (b·k, s) cell, WG / LANES cells per workgroup, reducing over C
// with lanes_sum() like weighted_sum_relu (subgroup shuffles, or workgroup memory on
// devices without subgroups). Non-finite inputs raise status[0] / status[1].
// #lanes
// #include finite
// #include float_pairs

override PRODUCT: u32 = 0u;  // 0: G·A, 1: ReLU(G)·A, 2: ReLU(G·A)
override WG: u32 = 64u;      // invocations per workgroup, a multiple of LANES
override LANES: u32 = 4u;    // a power of two: invocations that share one cell's channels

struct Params {
  maps: u32,       // B·K
  targets: u32,    // K
  positions: u32,  // S
  channels: u32,   // C
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> activations: array<f32>;
@group(0) @binding(2) var<storage, read> gradients: array<f32>;
@group(0) @binding(3) var<storage, read_write> maps: array<f32>;
@group(0) @binding(4) var<storage, read_write> status: array<atomic<u32>>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let lane = lid % LANES;
  let cell = (wid.x + wid.y * nwg.x) * (WG / LANES) + lid / LANES;
  // Every invocation reaches lanes_sum (no early return): idle lanes add zero.
  let in_range = cell < params.maps * params.positions;
  var sum = 0.0;
  if (in_range) {
    let map = cell / params.positions;
    let s = cell % params.positions;
    let image = map / params.targets;
    let activation_row = (image * params.positions + s) * params.channels;
    let gradient_row = cell * params.channels;
    var finite_a = true;
    var finite_g = true;
    for (var c = lane; c < params.channels; c += LANES) {
      let a = activations[activation_row + c];
      var g = gradients[gradient_row + c];
      finite_a = finite_a && is_finite(a);
      finite_g = finite_g && is_finite(g);
      if (PRODUCT == 1u) { g = max(g, 0.0); }
      if (PRODUCT == 2u) { sum += max(g * a, 0.0); } else { sum += g * a; }
    }
    if (!finite_a) { atomicOr(&status[0], 1u); }
    if (!finite_g) { atomicOr(&status[1], 1u); }
  }
  let total = lanes_sum(vec2f(sum, 0.0), lid);
  // A non-finite sum (overflow, ∞/∞ weights) is kept as it is, not clamped: max(NaN, 0) may
  // give 0, and the range kernels must see it to report the map as non-finite.
  let value = pair_value(total);
  if (in_range && lane == 0u) { maps[cell] = select(value, max(value, 0.0), is_finite(value)); }
}

// Eigen-CAM, step 1: the matrix whose first principal component is taken, centred per
// channel over the positions:
//
//   Z[m,s,c] = A[b,s,c]                   (Eigen-CAM,      PRODUCT = 0, K = 1)
//   Z[m,s,c] = G[m,s,c] · A[b,s,c]        (Eigen-Grad-CAM, PRODUCT = 1; eigen-smoothed HiResCAM)
//   Z[m,s,c] = ReLU(G[m,s,c]) · A[b,s,c]  (eigen-smoothed Layer-CAM, PRODUCT = 2)
//   Z[m,s,c] = ReLU(G[m,s,c] · A[b,s,c])  (eigen-smoothed element-wise Grad-CAM, PRODUCT = 3)
//   Z[m,s,c] = w[m,c] · A[b,s,c]          (eigen-smoothed weighted-sum methods, PRODUCT = 4:
//                                          the `gradients` binding holds the weights [B·K, C])
//   X[m,s,c] = Z[m,s,c] − (1 / S) · Σ_s' Z[m,s',c]            m = b·K + k, S = h·w
//
// stored as the Gram kernel reads it: Xᵀ [C, S] per map when by_positions = 1 (S ≤ C),
// else X [S, C].
//
// Z and the mean are carried as float32 pairs (hi + lo: Dekker's exact product, TwoSum
// accumulation), and X = (Z_hi − mean_hi) + (Z_lo − mean_lo) is rounded once: a channel
// whose mean dwarfs its spread (Z ≥ 0 after a ReLU) would otherwise lose the product's and
// the sum's rounding, amplified by mean / spread, in X and so in the component.
// One invocation per (m, c) walks the S positions twice (mean, then centred values);
// neighbouring invocations read neighbouring channels, so every step is one coalesced row.
// With PRODUCT = 0 the `gradients` binding is never read (the activations may be bound
// there too). Non-finite activations raise status[0], non-finite gradients status[1]
// (weights are not checked here: their kernel checked the inputs they came from).
// #include finite
// #include float_pairs

override PRODUCT: u32 = 0u;

struct Params {
  maps: u32,       // B·K
  targets: u32,    // K
  positions: u32,  // S
  channels: u32,   // C
  by_positions: u32,  // 1: store Xᵀ [C, S], 0: store X [S, C]
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> activations: array<f32>;
@group(0) @binding(2) var<storage, read> gradients: array<f32>;
@group(0) @binding(3) var<storage, read_write> centred: array<f32>;
@group(0) @binding(4) var<storage, read_write> status: array<atomic<u32>>;

// The factor read from `gradients` for (m, s, c): G, or with PRODUCT = 4 the weight w[m,c].
fn factor(map: u32, s: u32, c: u32) -> f32 {
  if (PRODUCT == 4u) { return gradients[map * params.channels + c]; }
  return gradients[(map * params.positions + s) * params.channels + c];
}

// Z[m,s,c] as an unevaluated pair hi + lo (lo = 0 when Z is a plain activation or is clamped).
fn value(map: u32, image: u32, s: u32, c: u32) -> vec2f {
  let a = activations[(image * params.positions + s) * params.channels + c];
  if (PRODUCT == 0u) { return vec2f(a, 0.0); }
  let g = factor(map, s, c);
  if (PRODUCT == 2u) { return two_prod(max(g, 0.0), a); }
  let z = two_prod(g, a);
  if (PRODUCT == 3u && z.x + z.y <= 0.0) { return vec2f(0.0); }
  return z;
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let index = (wid.x + wid.y * nwg.x) * 64u + lid;
  if (index >= params.maps * params.channels) { return; }
  let map = index / params.channels;
  let c = index % params.channels;
  let image = map / params.targets;
  var finite_a = true;
  var finite_g = true;
  var sum = vec2f(0.0);
  for (var s = 0u; s < params.positions; s++) {
    let a = activations[(image * params.positions + s) * params.channels + c];
    finite_a = finite_a && is_finite(a);
    // Weights (PRODUCT = 4) were checked through their own inputs by their kernel.
    if (PRODUCT != 0u && PRODUCT != 4u) { finite_g = finite_g && is_finite(factor(map, s, c)); }
    sum = pair_merge(sum, value(map, image, s, c));
  }
  if (!finite_a) { atomicOr(&status[0], 1u); }
  if (!finite_g) { atomicOr(&status[1], 1u); }
  // mean = sum / S as a pair: the quotient's remainder (sum − q·S, exact by two_prod) / S.
  let count = f32(params.positions);
  let q = sum.x / count;
  let qs = two_prod(q, count);
  let mean = vec2f(q, (((sum.x - qs.x) - qs.y) + sum.y) / count);
  for (var s = 0u; s < params.positions; s++) {
    var at = (map * params.positions + s) * params.channels + c;
    if (params.by_positions == 1u) { at = (map * params.channels + c) * params.positions + s; }
    let z = value(map, image, s, c);
    centred[at] = (z.x - mean.x) + (z.y - mean.y);
  }
}

// Grad-CAM++ channel weights (Chattopadhyay et al. 2018, Eq. 19 with the exponential
// score, whose factor only scales the map):
//
//   α[s]     = G² / (2·G² + (Σ_s' A[s',c])·G³ + 1e-6)   where G ≠ 0, else 0
//   w[b,k,c] = Σ_s ReLU(G[b,k,s,c]) · α[s]
//
// G is [B·K, S, C]; A is [B, S, C] and shared by the K targets of image b. Terms with
// G ≤ 0 have ReLU(G) = 0 and are skipped, so a vanishing denominator there cannot turn
// 0·∞ into NaN. The channel sum of A uses Kahan compensation: a cancelling sum would
// otherwise shift the denominator. Non-finite inputs raise status[0] / status[1].

struct Params {
  maps: u32,       // B·K
  targets: u32,    // K
  positions: u32,  // S
  channels: u32,   // C
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> activations: array<f32>;
@group(0) @binding(2) var<storage, read> gradients: array<f32>;
@group(0) @binding(3) var<storage, read_write> weights: array<f32>;
@group(0) @binding(4) var<storage, read_write> status: array<atomic<u32>>;

fn is_finite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let index = (wid.x + wid.y * nwg.x) * 64u + lid;
  if (index >= params.maps * params.channels) { return; }
  let map = index / params.channels;
  let c = index % params.channels;
  let image = map / params.targets;
  let activation_base = image * params.positions * params.channels + c;
  let gradient_base = map * params.positions * params.channels + c;

  var sum_a = 0.0;
  var compensation = 0.0;
  var finite_a = true;
  for (var s = 0u; s < params.positions; s++) {
    let a = activations[activation_base + s * params.channels];
    finite_a = finite_a && is_finite(a);
    let y = a - compensation;
    let t = sum_a + y;
    compensation = (t - sum_a) - y;
    sum_a = t;
  }

  var weight = 0.0;
  var finite_g = true;
  for (var s = 0u; s < params.positions; s++) {
    let g = gradients[gradient_base + s * params.channels];
    finite_g = finite_g && is_finite(g);
    if (g > 0.0) {
      let g2 = g * g;
      let alpha = g2 / (2.0 * g2 + sum_a * g2 * g + 1e-6);
      weight += g * alpha;
    }
  }
  if (!finite_a) { atomicOr(&status[0], 1u); }
  if (!finite_g) { atomicOr(&status[1], 1u); }
  weights[index] = weight;
}

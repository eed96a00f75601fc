// Grad-CAM++ channel weights (Chattopadhyay et al. 2018, Eq. 19 with the exponential
// score, whose factor only scales the map), as pytorch-grad-cam computes them:
//
//   α[s]     = G² / (2·G² + (Σ_s' A[s',c])·G³ + 1e-6)   where G ≠ 0, else 0
//   w[b,k,c] = Σ_s ReLU(G[b,k,s,c]) · α[s]
//
// G is [B·K, S, C]; A is [B, S, C] and shared by the K targets of image b. Terms with
// G ≤ 0 have ReLU(G) = 0 and are skipped. For G > 0 the term is rewritten exactly as
//
//   ReLU(G)·α = G / d,   d = 2 + S·G + 1e-6/G²,   S = Σ_s A
//
// Why not in plain float32: with signed activations S < 0 and d cancels (2 ≈ −S·G), so
// the rounding of S alone (relative 2⁻²⁴) moved d by up to 10⁵× its own relative error,
// and the terms G/d of both signs cancel again in w (errors of 1e-3 to 1e-1 in the map).
// So S, d, each quotient G/d and the sum w are carried as unevaluated float32 pairs
// (hi + lo, "double-float": error-free TwoSum and a product split into 12-bit halves by
// masking, exact whether or not the compiler fuses a·b + c). The float32 weight is then
// within ~2⁻²⁴ relative of the float64 formula, plus κ_S·2⁻⁴⁴-ish where κ_S is the
// reference's own sensitivity of w to S (its condition number; README "Precision").
// d = 0 exactly (a pole of the formula) gives ±∞ as in pytorch-grad-cam: no guard hides it.
// Parallel over positions: a workgroup of WG invocations takes WG / LANES channels of one
// image b; the LANES lanes of a channel (consecutive local indices) take positions
// s ≡ lane (mod LANES), and lanes_sum() adds their pairs exactly (TwoSum merges; subgroup
// shuffles, or workgroup memory without subgroups). S = Σ_s A is reduced once per image
// and channel and shared by the K targets, which the workgroup then takes in turn.
// Workgroups: B · ⌈C / (WG/LANES)⌉. Non-finite inputs raise status[0] / status[1].
// #lanes
// #include finite
// #include float_pairs

override WG: u32 = 64u;     // invocations per workgroup, a multiple of LANES
override LANES: u32 = 4u;   // a power of two: invocations that share one channel's positions

struct Params {
  images: u32,     // B
  targets: u32,    // K
  positions: u32,  // S
  channels: u32,   // C
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> activations: array<f32>;
@group(0) @binding(2) var<storage, read> gradients: array<f32>;
@group(0) @binding(3) var<storage, read_write> weights: array<f32>;
@group(0) @binding(4) var<storage, read_write> status: array<atomic<u32>>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let per_group = WG / LANES;
  let blocks = (params.channels + per_group - 1u) / per_group;
  let group = wid.x + wid.y * nwg.x;
  let image = group / blocks;
  let c = (group % blocks) * per_group + lid / LANES;
  let lane = lid % LANES;
  // Every invocation reaches each lanes_sum (no early return): idle lanes add zero.
  let valid = image < params.images && c < params.channels;
  let stride = params.channels;

  // This lane's share of S = Σ_s A as a pair (cascaded TwoSum), then the channel's total.
  var part = vec2f(0.0);
  if (valid) {
    let activation_base = image * params.positions * stride + c;
    var finite_a = true;
    for (var s = lane; s < params.positions; s += LANES) {
      let a = activations[activation_base + s * stride];
      finite_a = finite_a && is_finite(a);
      let t = two_sum(part.x, a);
      part = vec2f(t.x, part.y + t.y);
    }
    if (!finite_a) { atomicOr(&status[0], 1u); }
  }
  let total = lanes_sum(part, lid);
  let sum = two_sum(total.x, total.y);

  for (var k = 0u; k < params.targets; k++) {
    let map = image * params.targets + k;
    var weight = vec2f(0.0);
    if (valid) {
      let gradient_base = map * params.positions * stride + c;
      var finite_g = true;
      for (var s = lane; s < params.positions; s += LANES) {
        let g = gradients[gradient_base + s * stride];
        finite_g = finite_g && is_finite(g);
        if (g > 0.0) {
          // d = 2 + S·G + 1e-6/G² as d_hi + d_lo.
          let product = two_prod(sum.x, g);
          let head = two_sum(2.0, product.x);
          let tail = ((head.y + product.y) + sum.y * g) + 1e-6 / (g * g);
          let d = two_sum(head.x, tail);
          // G/d = q1 + q2: q2 divides the exact residual G − q1·d.
          let q1 = g / d.x;
          let back = two_prod(q1, d.x);
          let q2 = (((g - back.x) - back.y) - q1 * d.y) / d.x;
          let t = two_sum(weight.x, q1);
          weight = vec2f(t.x, weight.y + (t.y + q2));
        }
      }
      if (!finite_g) { atomicOr(&status[1], 1u); }
    }
    let w = lanes_sum(weight, lid);
    if (valid && lane == 0u) { weights[map * stride + c] = pair_value(w); }
  }
}

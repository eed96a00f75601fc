// Smooth Grad-CAM++ channel weights (Omeiza et al. 2019, with torch-cam's numerator:
// the averaged second-order term instead of the first), from N noisy samples' gradients:
//
//   Ḡ₁ = (1/N) Σ_n G_n,   Ḡ₂ = (1/N) Σ_n G_n²,   Ḡ₃ = (1/N) Σ_n G_n³      (per b, k, s, c)
//   α[s]     = Ḡ₂ / (2·Ḡ₂ + (Σ_s' A[s',c])·Ḡ₃ + 1e-6)   where Ḡ₂ ≠ 0, else 0
//   w[b,k,c] = Σ_s ReLU(Ḡ₁[s]) · α[s]
//
// i.e. Grad-CAM++'s α (gradcampp_weights) on the averaged terms; with N = 1 it is Grad-CAM++.
// G is [N, B·K, S, C] (sample-major); A is [B, S, C], the clean input's activations, shared
// by the K targets of image b. With the sums P_j = Σ_n G_n^j the term is rewritten exactly as
//
//   ReLU(Ḡ₁)·α = ReLU(P₁)·P₂ / (N·d),   d = 2·P₂ + S·P₃ + N·1e-6,   S = Σ_s A
//
// Terms with P₁ ≤ 0 are 0 and skipped (P₂ = 0 implies P₁ = 0). The same cancellation as in
// Grad-CAM++ applies (signed activations make S < 0 and 2·P₂ ≈ −S·P₃), and P₁ and P₃ also
// cancel over samples of both signs, so S, P₁, P₂, P₃, d, each quotient and the sum w are
// unevaluated float32 pairs (hi + lo: error-free TwoSum, Dekker's product with masked
// 12-bit splits, exact whether or not the compiler fuses a·b + c); G_n² and G_n³ enter as
// exact pairs. The one float32 rounding left is the final w/N. d = 0 exactly (a pole)
// gives ±∞, no guard hides it. Non-finite inputs raise status[0] (A) / status[1] (G).
// #include finite
// #include float_pairs

struct Params {
  maps: u32,       // B·K
  targets: u32,    // K
  positions: u32,  // S
  channels: u32,   // C
  samples: u32,    // N
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> activations: array<f32>;
@group(0) @binding(2) var<storage, read> gradients: array<f32>;
@group(0) @binding(3) var<storage, read_write> weights: array<f32>;
@group(0) @binding(4) var<storage, read_write> status: array<atomic<u32>>;

// (x.hi + x.lo) + (y.hi + y.lo) as a renormalised pair.
fn add_pair(x: vec2f, y: vec2f) -> vec2f {
  let s = two_sum(x.x, y.x);
  let t = s.y + x.y + y.y;
  return two_sum(s.x, t);
}

// (x.hi + x.lo)·(y.hi + y.lo) as a renormalised pair (the lo·lo term is below the pair's precision).
fn mul_pair(x: vec2f, y: vec2f) -> vec2f {
  let p = two_prod(x.x, y.x);
  return two_sum(p.x, p.y + (x.x * y.y + x.y * y.x));
}

// (x.hi + x.lo)/(y.hi + y.lo) as a pair: q2 divides the residual x − q1·y, computed in pairs.
fn div_pair(x: vec2f, y: vec2f) -> vec2f {
  let q1 = x.x / y.x;
  let back = mul_pair(vec2f(q1, 0.0), y);
  let residual = add_pair(x, -back);
  return two_sum(q1, residual.x / y.x);
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
  let sample_stride = params.maps * params.positions * params.channels;
  let gradient_base = map * params.positions * params.channels + c;

  // S = Σ_s A as a pair (cascaded TwoSum).
  var sum = vec2f(0.0, 0.0);
  var finite_a = true;
  for (var s = 0u; s < params.positions; s++) {
    let a = activations[activation_base + s * params.channels];
    finite_a = finite_a && is_finite(a);
    let t = two_sum(sum.x, a);
    sum = vec2f(t.x, sum.y + t.y);
  }
  sum = two_sum(sum.x, sum.y);

  let n = f32(params.samples);
  var weight = vec2f(0.0, 0.0);
  var finite_g = true;
  for (var s = 0u; s < params.positions; s++) {
    var p1 = vec2f(0.0, 0.0);
    var p2 = vec2f(0.0, 0.0);
    var p3 = vec2f(0.0, 0.0);
    for (var i = 0u; i < params.samples; i++) {
      let g = gradients[i * sample_stride + gradient_base + s * params.channels];
      finite_g = finite_g && is_finite(g);
      let square = two_prod(g, g);
      // g³ = square·g: the hi·g product exactly, the lo·g product rounded (far below the pair).
      let cube_hi = two_prod(square.x, g);
      let cube = two_sum(cube_hi.x, cube_hi.y + square.y * g);
      p1 = add_pair(p1, vec2f(g, 0.0));
      p2 = add_pair(p2, square);
      p3 = add_pair(p3, cube);
    }
    if (p1.x > 0.0) {
      // d = 2·P₂ + S·P₃ + N·1e-6 as a pair (2·P₂ is exact).
      let d = add_pair(add_pair(2.0 * p2, mul_pair(sum, p3)), vec2f(n * 1e-6, 0.0));
      weight = add_pair(weight, mul_pair(p1, div_pair(p2, d)));
    }
  }
  if (!finite_a) { atomicOr(&status[0], 1u); }
  if (!finite_g) { atomicOr(&status[1], 1u); }
  weights[index] = (weight.x + weight.y) / n;
}

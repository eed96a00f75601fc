// XGrad-CAM channel weights (Fu et al. 2020):
//
//   w[b,k,c] = Σ_s G[b,k,s,c]·A[b,s,c] / (Σ_s A[b,s,c] + 1e-7)
//
// G is [B·K, S, C]; A is [B, S, C]. Parallel over positions: a workgroup of WG
// invocations takes WG / LANES channels of one image b; the LANES lanes of a channel
// (consecutive local indices) take positions s ≡ lane (mod LANES), summing as float32
// pairs (error-free TwoSum), and lanes_sum() adds the lanes' pairs (subgroup shuffles, or
// workgroup memory without subgroups). Σ_s A is reduced once per image and channel and
// shared by the K targets, which the workgroup takes in turn (A stays in cache).
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

fn add(sum: vec2f, x: f32) -> vec2f {
  let t = two_sum(sum.x, x);
  return vec2f(t.x, sum.y + t.y);
}

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
  let activation_base = image * params.positions * stride + c;

  var part = vec2f(0.0);
  if (valid) {
    var finite_a = true;
    for (var s = lane; s < params.positions; s += LANES) {
      let a = activations[activation_base + s * stride];
      finite_a = finite_a && is_finite(a);
      part = add(part, a);
    }
    if (!finite_a) { atomicOr(&status[0], 1u); }
  }
  let total = lanes_sum(part, lid);
  let sum_a = pair_value(total);

  for (var k = 0u; k < params.targets; k++) {
    let map = image * params.targets + k;
    var sum_ga = vec2f(0.0);
    if (valid) {
      let gradient_base = map * params.positions * stride + c;
      var finite_g = true;
      for (var s = lane; s < params.positions; s += LANES) {
        let g = gradients[gradient_base + s * stride];
        finite_g = finite_g && is_finite(g);
        sum_ga = add(sum_ga, g * activations[activation_base + s * stride]);
      }
      if (!finite_g) { atomicOr(&status[1], 1u); }
    }
    let ga = lanes_sum(sum_ga, lid);
    if (valid && lane == 0u) { weights[map * stride + c] = pair_value(ga) / (sum_a + 1e-7); }
  }
}

// Grad-CAM channel weights: the spatial mean of the gradients.
//
//   w[b,k,c] = (1 / S) * Σ_s G[b,k,s,c]            S = h·w
//
// G is NHWC per target: [B·K, S, C] flattened. Parallel over positions too: a workgroup
// of WG invocations takes WG / LANES channels of one map; the LANES lanes of a channel
// (consecutive local indices) sum positions s ≡ lane (mod LANES) as a float32 pair
// (error-free TwoSum), then lanes_sum() adds the lanes' pairs (subgroup shuffles, or
// workgroup memory on devices without subgroups). Workgroups: B·K · ⌈C / (WG/LANES)⌉.
// Non-finite gradients raise status[1].
// #lanes
// #include finite
// #include float_pairs

override WG: u32 = 64u;     // invocations per workgroup, a multiple of LANES
override LANES: u32 = 4u;   // a power of two: invocations that share one channel's positions

struct Params {
  maps: u32,       // B·K
  positions: u32,  // S = h·w
  channels: u32,   // C
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> gradients: array<f32>;
@group(0) @binding(2) var<storage, read_write> weights: array<f32>;
@group(0) @binding(3) var<storage, read_write> status: array<atomic<u32>>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let per_group = WG / LANES;
  let blocks = (params.channels + per_group - 1u) / per_group;
  let group = wid.x + wid.y * nwg.x;
  let map = group / blocks;
  let c = (group % blocks) * per_group + lid / LANES;
  let lane = lid % LANES;
  // Every invocation reaches lanes_sum (no early return): idle lanes add zero.
  let valid = map < params.maps && c < params.channels;
  var sum = vec2f(0.0);
  if (valid) {
    let base = map * params.positions * params.channels + c;
    var finite = true;
    for (var s = lane; s < params.positions; s += LANES) {
      let g = gradients[base + s * params.channels];
      finite = finite && is_finite(g);
      let t = two_sum(sum.x, g);
      sum = vec2f(t.x, sum.y + t.y);
    }
    if (!finite) { atomicOr(&status[1], 1u); }
  }
  let total = lanes_sum(sum, lid);
  if (valid && lane == 0u) { weights[map * params.channels + c] = pair_value(total) / f32(params.positions); }
}

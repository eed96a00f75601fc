// Grad-CAM channel weights: the spatial mean of the gradients.
//
//   w[b,k,c] = (1 / S) * Σ_s G[b,k,s,c]            S = h·w
//
// G is NHWC per target: [B·K, S, C] flattened. Parallel over positions too: a workgroup
// of WG invocations takes WG / LANES channels of one map; the LANES lanes of a channel
// (consecutive local indices) sum positions s ≡ lane (mod LANES) as a float32 pair
// (error-free TwoSum), then lanes_sum() adds the lanes' pairs (subgroup shuffles, or
// workgroup memory on devices without subgroups). Workgroups: B·K · ⌈C / (WG/LANES)⌉.
// With QUADS (C a multiple of 4, so every row of G starts on a 16-byte boundary) each
// group of lanes takes a quad of channels instead, read as vec4 from a quad view of the
// same buffer, and keeps four pairs (the same operations per component, so the same bits
// as four single channels): a quarter of the loads, loop steps and invocations (a
// software GPU such as SwiftShader pays per load, step and invocation: 7×7×2048 at
// LANES = 4, 4.2 → 2.9 ms CPU per dispatch). Workgroups: B·K · ⌈C/4 / (WG/LANES)⌉.
// Non-finite gradients raise status[1].
// #lanes
// #include finite
// #include float_pairs

override WG: u32 = 64u;     // invocations per workgroup, a multiple of LANES
override LANES: u32 = 4u;   // a power of two: invocations that share one channel's positions
override QUADS: bool = false;  // C % 4 == 0: four channels per group of lanes

struct Params {
  maps: u32,       // B·K
  positions: u32,  // S = h·w
  channels: u32,   // C
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> gradients: array<f32>;
@group(0) @binding(2) var<storage, read_write> weights: array<f32>;
@group(0) @binding(3) var<storage, read_write> status: array<atomic<u32>>;
@group(0) @binding(4) var<storage, read> gradient_quads: array<vec4f>;  // gradients, as vec4 (QUADS)

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let per_group = WG / LANES;
  let width = select(1u, 4u, QUADS);  // channels per group of lanes
  let units = params.channels / width;
  let blocks = (units + per_group - 1u) / per_group;
  let group = wid.x + wid.y * nwg.x;
  let map = group / blocks;
  let unit = (group % blocks) * per_group + lid / LANES;
  let lane = lid % LANES;
  // Every invocation reaches lanes_sum (no early return): idle lanes add zero.
  let valid = map < params.maps && unit < units;
  var hi = vec4f(0.0);
  var lo = vec4f(0.0);
  if (valid) {
    var finite = true;
    if (QUADS) {
      let base = map * params.positions * units + unit;
      for (var s = lane; s < params.positions; s += LANES) {
        let g = gradient_quads[base + s * units];
        finite = finite && all_finite(g);
        let t = two_sum4(hi, g);
        hi = t[0];
        lo += t[1];
      }
    } else {
      let base = map * params.positions * params.channels + unit;
      for (var s = lane; s < params.positions; s += LANES) {
        let g = gradients[base + s * params.channels];
        finite = finite && is_finite(g);
        let t = two_sum(hi.x, g);
        hi.x = t.x;
        lo.x += t.y;
      }
    }
    if (!finite) { atomicOr(&status[1], 1u); }
  }
  for (var k = 0u; k < width; k++) {
    let total = lanes_sum(vec2f(hi[k], lo[k]), lid);
    if (valid && lane == 0u) { weights[map * params.channels + unit * width + k] = pair_value(total) / f32(params.positions); }
  }
}

// Channel-weighted sum with ReLU, the map of every weight-based method:
//
//   map[b,k,s] = ReLU( Σ_c w[b,k,c] · A[b,s,c] )
//
// LANES invocations per (b·k, s) cell (consecutive local indices), WG / LANES cells per
// workgroup: the lanes of a cell stride over the C channels of one contiguous row of A,
// then lanes_sum() adds their partial sums (subgroup shuffles, or workgroup memory on
// devices without subgroups). The host picks WG and LANES from the device's limits and C.
// With QUADS (C a multiple of 4: every row of A and w starts on a 16-byte boundary) the
// lanes stride over quads of channels instead, read as vec4 from quad views of the same
// buffers: a quarter of the loads and loop steps (a software GPU such as SwiftShader pays
// per load and per step: 7×7×2048, 4.1 → 2.3 ms CPU per dispatch), summed per component
// and the four components added at the end.
// Non-finite activations raise status[0].
// #lanes
// #include finite
// #include float_pairs

override WG: u32 = 64u;     // invocations per workgroup, a multiple of LANES
override LANES: u32 = 4u;   // a power of two: invocations that share one cell's channels
override QUADS: bool = false;  // C % 4 == 0: read channels four at a time

struct Params {
  maps: u32,       // B·K
  targets: u32,    // K
  positions: u32,  // S
  channels: u32,   // C
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> activations: array<f32>;
@group(0) @binding(2) var<storage, read> weights: array<f32>;
@group(0) @binding(3) var<storage, read_write> maps: array<f32>;
@group(0) @binding(4) var<storage, read_write> status: array<atomic<u32>>;
@group(0) @binding(5) var<storage, read> activation_quads: array<vec4f>;  // activations, as vec4 (QUADS)
@group(0) @binding(6) var<storage, read> weight_quads: array<vec4f>;      // weights, as vec4 (QUADS)

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
    var finite = true;
    if (QUADS) {
      let quads = params.channels / 4u;
      let row = (image * params.positions + s) * quads;
      let weight_row = map * quads;
      var sums = vec4f(0.0);
      for (var q = lane; q < quads; q += LANES) {
        let a = activation_quads[row + q];
        finite = finite && all_finite(a);
        sums += weight_quads[weight_row + q] * a;
      }
      sum = (sums.x + sums.y) + (sums.z + sums.w);
    } else {
      let row = (image * params.positions + s) * params.channels;
      let weight_row = map * params.channels;
      for (var c = lane; c < params.channels; c += LANES) {
        let a = activations[row + c];
        finite = finite && is_finite(a);
        sum += weights[weight_row + c] * a;
      }
    }
    if (!finite) { atomicOr(&status[0], 1u); }
  }
  let total = lanes_sum(vec2f(sum, 0.0), lid);
  // A non-finite sum (overflow, ∞/∞ weights) is kept as it is, not clamped: max(NaN, 0) may
  // give 0, and the range kernels must see it to report the map as non-finite.
  let value = pair_value(total);
  if (in_range && lane == 0u) { maps[cell] = select(value, max(value, 0.0), is_finite(value)); }
}

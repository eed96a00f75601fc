// Grad-CAM channel weights: the spatial mean of the gradients.
//
//   w[b,k,c] = (1 / S) * Σ_s G[b,k,s,c]            S = h·w
//
// G is NHWC per target: [B·K, S, C] flattened. One invocation per (b·k, c) walks the
// S positions in order; neighbouring invocations read neighbouring channels, so each
// step of the walk is one coalesced row of G. Non-finite gradients raise status[1].

struct Params {
  maps: u32,       // B·K
  positions: u32,  // S = h·w
  channels: u32,   // C
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> gradients: array<f32>;
@group(0) @binding(2) var<storage, read_write> weights: array<f32>;
@group(0) @binding(3) var<storage, read_write> status: array<atomic<u32>>;

fn is_finite(x: f32) -> bool {
  // Bit test, because compilers may fold `x != x` away.
  return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let index = (wid.x + wid.y * nwg.x) * 64u + lid;
  if (index >= params.maps * params.channels) { return; }
  let map = index / params.channels;
  let c = index % params.channels;
  let base = map * params.positions * params.channels + c;
  var sum = 0.0;
  var finite = true;
  for (var s = 0u; s < params.positions; s++) {
    let g = gradients[base + s * params.channels];
    finite = finite && is_finite(g);
    sum += g;
  }
  if (!finite) { atomicOr(&status[1], 1u); }
  weights[index] = sum / f32(params.positions);
}

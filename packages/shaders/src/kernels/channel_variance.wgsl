// Spatial variance of each activation channel (Faster Score-CAM ranks channels by it),
// for the pair q = (b, c), over the S = h·w positions, in two passes for accuracy:
//
//   μ = (1/S) Σ_s A[b,s,c],   var[q] = (1/S) Σ_s (A[b,s,c] − μ)²
//
// One invocation per pair: neighbouring invocations read neighbouring channels of the
// same position (coalesced in NHWC), and no workgroup barriers are needed.

struct Params {
  pairs: u32,      // B·C
  positions: u32,  // S
  channels: u32,   // C
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> activations: array<f32>;
@group(0) @binding(2) var<storage, read_write> variances: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let pair = (wid.x + wid.y * nwg.x) * 64u + lid;
  if (pair >= params.pairs) { return; }
  let image = pair / params.channels;
  let c = pair % params.channels;
  let base = image * params.positions * params.channels + c;
  var sum = 0.0;
  for (var s = 0u; s < params.positions; s++) { sum += activations[base + s * params.channels]; }
  let mean = sum / f32(params.positions);
  var squares = 0.0;
  for (var s = 0u; s < params.positions; s++) {
    let d = activations[base + s * params.channels] - mean;
    squares += d * d;
  }
  variances[pair] = squares / f32(params.positions);
}

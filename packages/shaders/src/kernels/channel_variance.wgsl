// Spatial variance of each activation channel (Faster Score-CAM ranks channels by it),
// for the pair q = (b, c), over the S = h·w positions, in two passes for accuracy:
//
//   μ = (1/S) Σ_s A[b,s,c],   var[q] = (1/S) Σ_s (A[b,s,c] − μ)²
//
// One workgroup of 64 per pair, reducing in workgroup memory.

struct Params {
  pairs: u32,      // B·C
  positions: u32,  // S
  channels: u32,   // C
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> activations: array<f32>;
@group(0) @binding(2) var<storage, read_write> variances: array<f32>;

var<workgroup> partial: array<f32, 64>;

fn reduce(lid: u32) -> f32 {
  workgroupBarrier();
  for (var stride = 32u; stride > 0u; stride >>= 1u) {
    if (lid < stride) { partial[lid] += partial[lid + stride]; }
    workgroupBarrier();
  }
  let total = partial[0];
  workgroupBarrier();
  return total;
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let pair = wid.x + wid.y * nwg.x;
  let in_range = pair < params.pairs;
  let image = pair / params.channels;
  let c = pair % params.channels;
  let base = image * params.positions * params.channels + c;
  var sum = 0.0;
  if (in_range) {
    for (var s = lid; s < params.positions; s += 64u) { sum += activations[base + s * params.channels]; }
  }
  partial[lid] = sum;
  let mean = reduce(lid) / f32(params.positions);
  var squares = 0.0;
  if (in_range) {
    for (var s = lid; s < params.positions; s += 64u) {
      let d = activations[base + s * params.channels] - mean;
      squares += d * d;
    }
  }
  partial[lid] = squares;
  let variance = reduce(lid) / f32(params.positions);
  if (in_range && lid == 0u) { variances[pair] = variance; }
}

// Softmax over the channels of each weight row (pytorch-grad-cam's Score-CAM variant):
//
//   w'[m,c] = exp(w[m,c] − max_c' w[m,c']) / Σ_c'' exp(w[m,c''] − max_c' w[m,c'])
//
// One workgroup of 256 per row m = b·K + k, reducing in workgroup memory. In place.

struct Params {
  maps: u32,
  channels: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> weights: array<f32>;

var<workgroup> scratch: array<f32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let map = wid.x + wid.y * nwg.x;
  let in_range = map < params.maps;
  let base = map * params.channels;

  var largest = -3.402823e38;
  if (in_range) {
    for (var c = lid; c < params.channels; c += 256u) { largest = max(largest, weights[base + c]); }
  }
  scratch[lid] = largest;
  workgroupBarrier();
  for (var stride = 128u; stride > 0u; stride >>= 1u) {
    if (lid < stride) { scratch[lid] = max(scratch[lid], scratch[lid + stride]); }
    workgroupBarrier();
  }
  largest = scratch[0];
  workgroupBarrier();

  var total = 0.0;
  if (in_range) {
    for (var c = lid; c < params.channels; c += 256u) { total += exp(weights[base + c] - largest); }
  }
  scratch[lid] = total;
  workgroupBarrier();
  for (var stride = 128u; stride > 0u; stride >>= 1u) {
    if (lid < stride) { scratch[lid] += scratch[lid + stride]; }
    workgroupBarrier();
  }
  total = scratch[0];

  if (in_range) {
    for (var c = lid; c < params.channels; c += 256u) {
      weights[base + c] = exp(weights[base + c] - largest) / total;
    }
  }
}

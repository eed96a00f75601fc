// Channel weights of the Score-CAM family from the per-pass scores: the mean over the
// samples (1 for Score-CAM, Faster Score-CAM and Ablation-CAM; SS-CAM's and IS-CAM's
// num_samples), for map m = b·K + k and channel c with rank r = rank_of[b,c] among the
// masked channels of image b:
//
//   w[m,c] = (Σ_{s<S} scores[(s·B·N + b·N + r)·K + k]) / S     if c was masked
//   w[m,c] = excluded                                          otherwise
//
// (excluded is 0, or −3.4e38 before a channel softmax so it gets weight 0 there.)
// Sums run in sample order, as the reference does.

struct Params {
  maps: u32,                // B·K
  channels: u32,            // C
  targets: u32,             // K
  masked: u32,              // B·N
  selected_per_image: u32,  // N
  samples: u32,             // S
  excluded: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> scores: array<f32>;
@group(0) @binding(2) var<storage, read> rank_of: array<u32>;
@group(0) @binding(3) var<storage, read_write> weights: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let index = (wid.x + wid.y * nwg.x) * 64u + lid;
  if (index >= params.maps * params.channels) { return; }
  let m = index / params.channels;
  let c = index % params.channels;
  let image = m / params.targets;
  let k = m % params.targets;
  let r = rank_of[image * params.channels + c];
  if (r >= params.selected_per_image) {
    weights[index] = params.excluded;
    return;
  }
  var total = 0.0;
  for (var s = 0u; s < params.samples; s++) {
    total += scores[(s * params.masked + image * params.selected_per_image + r) * params.targets + k];
  }
  weights[index] = total / f32(params.samples);
}

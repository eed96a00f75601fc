// CAM channel weights (Zhou et al. 2016) for a GAP → Dense head:
//
//   w[b,k,c] = W_dense[c, target[b,k]]
//
// W_dense is the dense layer's kernel, [C, classes] row-major. Targets were range-checked
// on the CPU. Non-finite kernel entries raise status[2].
// #include finite

struct Params {
  maps: u32,      // B·K
  channels: u32,  // C
  classes: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> dense_kernel: array<f32>;
@group(0) @binding(2) var<storage, read> targets: array<u32>;
@group(0) @binding(3) var<storage, read_write> weights: array<f32>;
@group(0) @binding(4) var<storage, read_write> status: array<atomic<u32>>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let index = (wid.x + wid.y * nwg.x) * 64u + lid;
  if (index >= params.maps * params.channels) { return; }
  let map = index / params.channels;
  let c = index % params.channels;
  let w = dense_kernel[c * params.classes + targets[map]];
  if (!is_finite(w)) { atomicOr(&status[2], 1u); }
  weights[index] = w;
}

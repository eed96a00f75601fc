// Test-time augmentation smoothing (pytorch-grad-cam's aug_smooth): the mean over the T
// augmentations of each augmented map, min-max normalised at output resolution and
// de-augmented (a horizontally flipped input's map is flipped back):
//
//   out[b·K + k, Y, X] = (1/T) Σ_t (v_t − lo_t) / (hi_t − lo_t + 1e-7)
//     v_t = maps[(b·T + t)·K + k, Y, X_t],  X_t = W − 1 − X if bit t of `flips` is set, else X
//     (lo_t, hi_t) = ranges[(b·T + t)·K + k]
//
// Several layers: the maps are the fused maps at the output size and the ranges their
// map_minmax. One layer: the maps are the raw maps at feature resolution H×W and the
// ranges their resized_minmax at the output size; the bilinear resize that follows (in the
// render) is linear, its weights sum to 1 and it is mirror-symmetric, so it commutes with
// this normalisation, flip and mean: the result equals averaging at the output size.
// The mean is not normalised again (pytorch-grad-cam returns it as is): its maximum is 1
// only where every augmentation peaks. Brightness factors need no de-augmentation.

struct Params {
  maps: u32,      // B·K output maps
  targets: u32,   // K
  augments: u32,  // T (at most 32)
  height: u32,
  width: u32,
  flips: u32,     // bit t: augmentation t flipped the input horizontally
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> maps: array<f32>;
@group(0) @binding(2) var<storage, read> ranges: array<vec2f>;
@group(0) @binding(3) var<storage, read_write> averaged: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let index = (wid.x + wid.y * nwg.x) * 64u + lid;
  let pixels = params.height * params.width;
  if (index >= params.maps * pixels) { return; }
  let map = index / pixels;
  let b = map / params.targets;
  let k = map % params.targets;
  let Y = (index % pixels) / params.width;
  let X = index % params.width;
  var sum = 0.0;
  for (var t = 0u; t < params.augments; t++) {
    let source = (b * params.augments + t) * params.targets + k;
    let flipped = ((params.flips >> t) & 1u) == 1u;
    let x = select(X, params.width - 1u - X, flipped);
    let range = ranges[source];
    sum += (maps[source * pixels + Y * params.width + x] - range.x) / (range.y - range.x + 1e-7);
  }
  averaged[index] = sum / f32(params.augments);
}

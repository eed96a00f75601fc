// One score per masked (or ablated) forward pass and target, from the model's logits.
// Batch entry j is pass p = first + j: sample p / (B·N) of pair r = p % (B·N), image
// b = r / N, channel c = selected[r]; t = target[b,k], y = baseline logits of image b:
//
//   SCORING 0 (Score-CAM, authors):    s[p,k] = softmax(logits[j])[t]; 0 for a constant channel
//   SCORING 1 (pytorch-grad-cam):      s[p,k] = logits[j][t]
//   SCORING 2 (torch-cam, baseline):   s[p,k] = logits[j][t] − y[t]
//   SCORING 3 (Ablation-CAM):          s[p,k] = (y[t] − logits[j][t]) / y[t]; 0 when y[t] = 0
//
// A channel is constant when its mask range is empty (max ≤ min). sample_mean_weights
// turns the scores into channel weights. Non-finite logits (or baseline logits) raise status[2].
// #include finite

override SCORING: u32 = 0u;

struct Params {
  first: u32,
  count: u32,
  masked: u32,              // B·N
  selected_per_image: u32,  // N
  channels: u32,            // C
  targets: u32,             // K
  classes: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> target_classes: array<u32>;
@group(0) @binding(3) var<storage, read> ranges: array<vec2f>;
@group(0) @binding(4) var<storage, read> selected: array<u32>;
@group(0) @binding(5) var<storage, read> baseline: array<f32>;
@group(0) @binding(6) var<storage, read_write> scores: array<f32>;
@group(0) @binding(7) var<storage, read_write> status: array<atomic<u32>>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let index = (wid.x + wid.y * nwg.x) * 64u + lid;
  if (index >= params.count * params.targets) { return; }
  let entry = index / params.targets;
  let k = index % params.targets;
  let pass_index = params.first + entry;
  let r = pass_index % params.masked;
  let image = r / params.selected_per_image;
  let c = selected[r];
  let t = target_classes[image * params.targets + k];
  let row = entry * params.classes;
  let chosen = logits[row + t];

  var finite = is_finite(chosen);
  var score = chosen;
  if (SCORING == 0u) {
    var largest = -3.402823e38;
    for (var j = 0u; j < params.classes; j++) {
      let l = logits[row + j];
      finite = finite && is_finite(l);
      largest = max(largest, l);
    }
    var total = 0.0;
    for (var j = 0u; j < params.classes; j++) { total += exp(logits[row + j] - largest); }
    let range = ranges[image * params.channels + c];
    score = select(exp(chosen - largest) / total, 0.0, range.y <= range.x);
  } else if (SCORING == 2u) {
    let y = baseline[image * params.classes + t];
    finite = finite && is_finite(y);
    score = chosen - y;
  } else if (SCORING == 3u) {
    let y = baseline[image * params.classes + t];
    finite = finite && is_finite(y);
    score = select((y - chosen) / y, 0.0, y == 0.0);
  }
  if (!finite) { atomicOr(&status[2], 1u); }
  scores[pass_index * params.targets + k] = score;
}

// Target scores of the faithfulness metrics' perturbed inputs. Entry j of the chunk is
// q = first + j of the whole plan; `entry_images` names the image each entry perturbs:
//
//   SCORE 0 (probability): scores[q] = softmax(logits[j])[target[entry_images[q]]]
//   SCORE 1 (logit):       scores[q] = logits[j][target[entry_images[q]]]
//
// The softmax subtracts the row's largest logit first. Non-finite logits give a
// non-finite score, which the caller reports after its single readback.

override SCORE: u32 = 0u;

struct Params {
  first: u32,  // first entry of this chunk
  count: u32,  // entries in this chunk
  classes: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> target_classes: array<u32>;
@group(0) @binding(3) var<storage, read> entry_images: array<u32>;
@group(0) @binding(4) var<storage, read_write> scores: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let j = (wid.x + wid.y * nwg.x) * 64u + lid;
  if (j >= params.count) { return; }
  let q = params.first + j;
  let row = j * params.classes;
  let chosen = logits[row + target_classes[entry_images[q]]];
  if (SCORE == 1u) {
    scores[q] = chosen;
    return;
  }
  var largest = logits[row];
  for (var c = 1u; c < params.classes; c++) { largest = max(largest, logits[row + c]); }
  var total = 0.0;
  for (var c = 0u; c < params.classes; c++) { total += exp(logits[row + c] - largest); }
  scores[q] = exp(chosen - largest) / total;
}

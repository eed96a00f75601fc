// Score-CAM channel weights from the model's scores on the masked inputs. Batch entry j
// of the chunk is the pair q = first + j, i.e. image b = q / C, channel c = q % C:
//
//   SCORE_MODE 0 (authors' code):    w[b,k,c] = softmax(logits[j])[target[b,k]]
//   SCORE_MODE 1 (channel softmax):  w[b,k,c] = logits[j][target[b,k]], turned into
//                                    softmax over c by channel_softmax afterwards
//
// A constant channel (max = min) gets weight 0 in mode 0 and −3.4e38 in mode 1, which the
// channel softmax maps to 0. Non-finite logits raise status[2].

override SCORE_MODE: u32 = 0u;

struct Params {
  first: u32,
  count: u32,
  channels: u32,
  targets: u32,  // K
  classes: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> target_classes: array<u32>;
@group(0) @binding(3) var<storage, read> ranges: array<vec2f>;
@group(0) @binding(4) var<storage, read_write> weights: array<f32>;
@group(0) @binding(5) var<storage, read_write> status: array<atomic<u32>>;

fn is_finite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let index = (wid.x + wid.y * nwg.x) * 64u + lid;
  if (index >= params.count * params.targets) { return; }
  let entry = index / params.targets;
  let k = index % params.targets;
  let pair = params.first + entry;
  let image = pair / params.channels;
  let c = pair % params.channels;
  let map = image * params.targets + k;
  let row = entry * params.classes;
  let chosen = logits[row + target_classes[map]];

  var finite = true;
  var weight: f32;
  if (SCORE_MODE == 0u) {
    var largest = -3.402823e38;
    for (var j = 0u; j < params.classes; j++) {
      let l = logits[row + j];
      finite = finite && is_finite(l);
      largest = max(largest, l);
    }
    var total = 0.0;
    for (var j = 0u; j < params.classes; j++) { total += exp(logits[row + j] - largest); }
    weight = exp(chosen - largest) / total;
  } else {
    finite = is_finite(chosen);
    weight = chosen;
  }
  if (!finite) { atomicOr(&status[2], 1u); }
  let range = ranges[pair];
  let constant_weight = select(0.0, -3.402823e38, SCORE_MODE == 1u);
  weights[map * params.channels + c] = select(weight, constant_weight, range.y <= range.x);
}

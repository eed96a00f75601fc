// Deletion and insertion curves (Petsiuk et al. 2018, RISE), written into a batched model
// input. Entry j of the chunk is q = first + j over (image b, step t) in B·(T+1) order;
// f = t / T is the share of the N = H·W pixels removed (deletion) or inserted (insertion),
// most relevant first. Ties are shared fairly: a pixel with g more relevant pixels and e
// equal ones (map_ranks) is removed by the amount
//
//   m = clamp((f·N − g) / e, 0, 1)
//
// so exactly f·N pixels' worth is removed at every step whatever the ties (a constant map
// fades every pixel by f). Then, with baseline value β (in model-input units):
//
//   MODE 0 deletion:  out = X·(1 − m) + β·m        (t = 0 is X itself)
//   MODE 1 insertion: out = X·m + β·(1 − m)        (t = T is X itself)

override MODE: u32 = 0u;

struct Params {
  first: u32,      // first (image, step) entry of this chunk
  count: u32,      // entries in this chunk
  out_first: u32,  // entry of `masked` that entry `first` goes to
  steps: u32,      // T
  pixels: u32,     // N = H·W
  input_channels: u32,
  baseline: f32,   // β
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input_image: array<f32>;
@group(0) @binding(2) var<storage, read> ranks: array<vec2u>;
@group(0) @binding(3) var<storage, read_write> masked: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let index = (wid.x + wid.y * nwg.x) * 64u + lid;
  if (index >= params.count * params.pixels) { return; }
  let entry = index / params.pixels;
  let pixel = index % params.pixels;
  let q = params.first + entry;
  let image = q / (params.steps + 1u);
  let step = q % (params.steps + 1u);
  let rank = ranks[image * params.pixels + pixel];
  // f·N with t = 0 and t = T exact (0 and N), and no u32 product that could overflow.
  let removed = f32(params.pixels) * (f32(step) / f32(params.steps));
  let m = clamp((removed - f32(rank.x)) / f32(rank.y), 0.0, 1.0);
  var keep = 1.0 - m;
  if (MODE == 1u) { keep = m; }
  let source = (image * params.pixels + pixel) * params.input_channels;
  let out_base = ((params.out_first + entry) * params.pixels + pixel) * params.input_channels;
  for (var ch = 0u; ch < params.input_channels; ch++) {
    masked[out_base + ch] = input_image[source + ch] * keep + params.baseline * (1.0 - keep);
  }
}

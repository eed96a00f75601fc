// Input times map, for Average Drop and Increase in Confidence (Chattopadhyay et al. 2018;
// pytorch-grad-cam's multiply_tensor_with_cam), written into a batched model input:
//
//   out[out_first + j, y, x, ch] = X[first + j, y, x, ch] · map[first + j, y, x]
//
// X is the model input (after preprocessing) [B, H, W, Cin] and map [B, H, W] at the
// input's size, values in [0, 1].

struct Params {
  first: u32,      // first image of this chunk
  count: u32,      // images in this chunk
  out_first: u32,  // entry of `masked` that image `first` goes to
  pixels: u32,     // H·W
  input_channels: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input_image: array<f32>;
@group(0) @binding(2) var<storage, read> maps: array<f32>;
@group(0) @binding(3) var<storage, read_write> masked: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let index = (wid.x + wid.y * nwg.x) * 64u + lid;
  if (index >= params.count * params.pixels) { return; }
  let entry = index / params.pixels;
  let pixel = index % params.pixels;
  let image = params.first + entry;
  let weight = maps[image * params.pixels + pixel];
  let source = (image * params.pixels + pixel) * params.input_channels;
  let out_base = ((params.out_first + entry) * params.pixels + pixel) * params.input_channels;
  for (var ch = 0u; ch < params.input_channels; ch++) {
    masked[out_base + ch] = input_image[source + ch] * weight;
  }
}

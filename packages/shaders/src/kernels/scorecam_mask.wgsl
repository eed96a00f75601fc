// Score-CAM masked inputs (Wang et al. 2020), written straight into a batched NHWC
// input buffer for the model. Batch entry j covers the pair q = first + j over
// (b, c) in B·C order:
//
//   M(Y,X)        = (up(A[b,·,·,c])(Y,X) − min) / (max − min)      range from channel_minmax
//   out[j,Y,X,ch] = X[b,Y,X,ch] · M(Y,X)
//
// A constant channel (max = min) gets M = 0 instead of 0/0; its weight is 0 anyway.
// up() is bilinear with half-pixel centres, the same sampling as channel_minmax.

struct Params {
  first: u32,  // first (b, c) pair of this chunk
  count: u32,  // batch entries in this chunk
  in_height: u32,
  in_width: u32,
  channels: u32,
  out_height: u32,
  out_width: u32,
  input_channels: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> activations: array<f32>;
@group(0) @binding(2) var<storage, read> ranges: array<vec2f>;
@group(0) @binding(3) var<storage, read> input_image: array<f32>;
@group(0) @binding(4) var<storage, read_write> masked: array<f32>;

fn source_coordinate(out_index: u32, in_size: u32, out_size: u32) -> f32 {
  let scaled = (f32(out_index) + 0.5) * (f32(in_size) / f32(out_size)) - 0.5;
  return clamp(scaled, 0.0, f32(in_size - 1u));
}

fn channel_value(base: u32, y: u32, x: u32) -> f32 {
  return activations[base + (y * params.in_width + x) * params.channels];
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let index = (wid.x + wid.y * nwg.x) * 64u + lid;
  let out_pixels = params.out_height * params.out_width;
  if (index >= params.count * out_pixels) { return; }
  let entry = index / out_pixels;
  let pixel = index % out_pixels;
  let pair = params.first + entry;
  let image = pair / params.channels;
  let c = pair % params.channels;
  let base = image * params.in_height * params.in_width * params.channels + c;

  let y = source_coordinate(pixel / params.out_width, params.in_height, params.out_height);
  let x = source_coordinate(pixel % params.out_width, params.in_width, params.out_width);
  let y0 = u32(y);
  let x0 = u32(x);
  let y1 = min(y0 + 1u, params.in_height - 1u);
  let x1 = min(x0 + 1u, params.in_width - 1u);
  let top = mix(channel_value(base, y0, x0), channel_value(base, y0, x1), x - f32(x0));
  let bottom = mix(channel_value(base, y1, x0), channel_value(base, y1, x1), x - f32(x0));
  let value = mix(top, bottom, y - f32(y0));
  let range = ranges[pair];
  let spread = range.y - range.x;
  let mask = select(0.0, (value - range.x) / spread, spread > 0.0);

  let source_base = (image * out_pixels + pixel) * params.input_channels;
  let target_base = index * params.input_channels;
  for (var ch = 0u; ch < params.input_channels; ch++) {
    masked[target_base + ch] = input_image[source_base + ch] * mask;
  }
}

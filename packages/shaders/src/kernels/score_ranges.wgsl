// Score-CAM family mask statistics: the range of each activation channel over the grid
// its mask is sampled on, for the pair (b, c) = (q / C, q % C):
//
//   range[q] = (min_{Y,X} up(A[b,·,·,c])(Y,X), max_{Y,X} up(A[b,·,·,c])(Y,X))
//
// up() is bilinear to out_height×out_width with half-pixel centres (ALIGN_CORNERS 0:
// the authors' Score-CAM, align_corners=False) or with aligned corners (ALIGN_CORNERS 1:
// pytorch-grad-cam's UpsamplingBilinear2d, source = Y·(h−1)/(H−1)). An output size equal
// to the feature size with ALIGN_CORNERS 0 samples A itself (torch-cam normalises at
// feature resolution, then upsamples). One workgroup of 64 per pair. Non-finite
// activations raise status[0].
// #include finite

override ALIGN_CORNERS: u32 = 0u;

struct Params {
  pairs: u32,  // B·C
  in_height: u32,
  in_width: u32,
  channels: u32,
  out_height: u32,
  out_width: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> activations: array<f32>;
@group(0) @binding(2) var<storage, read_write> ranges: array<vec2f>;
@group(0) @binding(3) var<storage, read_write> status: array<atomic<u32>>;

var<workgroup> lows: array<f32, 64>;
var<workgroup> highs: array<f32, 64>;

fn source_coordinate(out_index: u32, in_size: u32, out_size: u32) -> f32 {
  if (ALIGN_CORNERS == 1u) {
    if (out_size <= 1u) { return 0.0; }
    return min(f32(out_index) * (f32(in_size - 1u) / f32(out_size - 1u)), f32(in_size - 1u));
  }
  let scaled = (f32(out_index) + 0.5) * (f32(in_size) / f32(out_size)) - 0.5;
  return clamp(scaled, 0.0, f32(in_size - 1u));
}

fn channel_value(base: u32, y: u32, x: u32) -> f32 {
  return activations[base + (y * params.in_width + x) * params.channels];
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let pair = wid.x + wid.y * nwg.x;
  let in_range = pair < params.pairs;
  var low = 3.402823e38;
  var high = -3.402823e38;
  if (in_range) {
    let image = pair / params.channels;
    let c = pair % params.channels;
    let base = image * params.in_height * params.in_width * params.channels + c;
    var finite = true;
    for (var s = lid; s < params.in_height * params.in_width; s += 64u) {
      finite = finite && is_finite(activations[base + s * params.channels]);
    }
    if (!finite) { atomicOr(&status[0], 1u); }
    let out_pixels = params.out_height * params.out_width;
    for (var p = lid; p < out_pixels; p += 64u) {
      let y = source_coordinate(p / params.out_width, params.in_height, params.out_height);
      let x = source_coordinate(p % params.out_width, params.in_width, params.out_width);
      let y0 = u32(y);
      let x0 = u32(x);
      let y1 = min(y0 + 1u, params.in_height - 1u);
      let x1 = min(x0 + 1u, params.in_width - 1u);
      let top = mix(channel_value(base, y0, x0), channel_value(base, y0, x1), x - f32(x0));
      let bottom = mix(channel_value(base, y1, x0), channel_value(base, y1, x1), x - f32(x0));
      let v = mix(top, bottom, y - f32(y0));
      low = min(low, v);
      high = max(high, v);
    }
  }
  lows[lid] = low;
  highs[lid] = high;
  workgroupBarrier();
  for (var stride = 32u; stride > 0u; stride >>= 1u) {
    if (lid < stride) {
      lows[lid] = min(lows[lid], lows[lid + stride]);
      highs[lid] = max(highs[lid], highs[lid + stride]);
    }
    workgroupBarrier();
  }
  if (in_range && lid == 0u) { ranges[pair] = vec2f(lows[0], highs[0]); }
}

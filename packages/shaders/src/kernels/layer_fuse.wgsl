// One target layer's contribution to a multi-layer map (pytorch-grad-cam's
// aggregate_multi_layers, torch-cam's fuse_cams), dispatched once per layer l of L:
//
//   n_l(m, Y, X) = (up_l(m, Y, X) − lo_l[m]) / (hi_l[m] − lo_l[m] + 1e-7)
//     up_l = bilinear(map_l[m], h_l×w_l → H×W), half-pixel centres (align_corners=false):
//     y' = clamp((Y + 0.5)·h_l/H − 0.5, 0, h_l − 1), y0 = ⌊y'⌋, y1 = min(y0 + 1, h_l − 1)
//     (x likewise); (lo_l, hi_l) = the map's min/max at its own feature resolution
//   MODE 0 (mean): fused[m, Y, X] = (first ? 0 : fused[m, Y, X]) + weight·n_l   weight = 1/L
//   MODE 1 (max):  fused[m, Y, X] = first ? n_l : max(fused[m, Y, X], n_l)
//
// Normalising at feature resolution then resizing equals resizing then normalising with
// the feature-resolution range (bilinear weights sum to 1), which is what pytorch-grad-cam's
// scale_cam_image(cam, target_size) does per layer. The fused map is normalised once more
// afterwards by the ordinary min-max of the output stage. m = image·K + target.

override MODE: u32 = 0u;

struct Params {
  maps: u32,        // M = B·K
  in_height: u32,   // h_l
  in_width: u32,    // w_l
  out_height: u32,  // H
  out_width: u32,   // W
  first: u32,       // 1 for the first layer: overwrite instead of accumulate
  weight: f32,      // 1/L (mean)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> maps: array<f32>;
@group(0) @binding(2) var<storage, read> ranges: array<vec2f>;
@group(0) @binding(3) var<storage, read_write> fused: array<f32>;

fn source_coordinate(out_index: u32, in_size: u32, out_size: u32) -> f32 {
  let scaled = (f32(out_index) + 0.5) * (f32(in_size) / f32(out_size)) - 0.5;
  return clamp(scaled, 0.0, f32(in_size - 1u));
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let index = (wid.x + wid.y * nwg.x) * 64u + lid;
  let pixels = params.out_height * params.out_width;
  if (index >= params.maps * pixels) { return; }
  let map = index / pixels;
  let pixel = index % pixels;
  let y = source_coordinate(pixel / params.out_width, params.in_height, params.out_height);
  let x = source_coordinate(pixel % params.out_width, params.in_width, params.out_width);
  let y0 = u32(y);
  let x0 = u32(x);
  let y1 = min(y0 + 1u, params.in_height - 1u);
  let x1 = min(x0 + 1u, params.in_width - 1u);
  let fy = y - f32(y0);
  let fx = x - f32(x0);
  let base = map * params.in_height * params.in_width;
  let top = mix(maps[base + y0 * params.in_width + x0], maps[base + y0 * params.in_width + x1], fx);
  let bottom = mix(maps[base + y1 * params.in_width + x0], maps[base + y1 * params.in_width + x1], fx);
  let range = ranges[map];
  let n = (mix(top, bottom, fy) - range.x) / (range.y - range.x + 1e-7);
  if (MODE == 0u) {
    fused[index] = select(fused[index], 0.0, params.first == 1u) + params.weight * n;
  } else {
    fused[index] = select(max(fused[index], n), n, params.first == 1u);
  }
}

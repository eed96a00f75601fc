// Bilinear resampling with half-pixel centres (align_corners = false), as
// tf.image.resizeBilinear(halfPixelCenters = true) and OpenCV's INTER_LINEAR:
//
//   y' = clamp((Y + 0.5)·h/H − 0.5, 0, h − 1),  y0 = ⌊y'⌋,  y1 = min(y0 + 1, h − 1),  fy = y' − y0
//   (x likewise)
//   out[m,Y,X] = lerp(lerp(in[m,y0,x0], in[m,y0,x1], fx), lerp(in[m,y1,x0], in[m,y1,x1], fx), fy)

struct Params {
  maps: u32,
  in_height: u32,
  in_width: u32,
  out_height: u32,
  out_width: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> source: array<f32>;
@group(0) @binding(2) var<storage, read_write> resized: array<f32>;

fn source_coordinate(out_index: u32, in_size: u32, out_size: u32) -> f32 {
  let scaled = (f32(out_index) + 0.5) * (f32(in_size) / f32(out_size)) - 0.5;
  return clamp(scaled, 0.0, f32(in_size - 1u));
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let index = (wid.x + wid.y * nwg.x) * 64u + lid;
  let out_pixels = params.out_height * params.out_width;
  if (index >= params.maps * out_pixels) { return; }
  let map = index / out_pixels;
  let pixel = index % out_pixels;
  let y = source_coordinate(pixel / params.out_width, params.in_height, params.out_height);
  let x = source_coordinate(pixel % params.out_width, params.in_width, params.out_width);
  let y0 = u32(y);
  let x0 = u32(x);
  let y1 = min(y0 + 1u, params.in_height - 1u);
  let x1 = min(x0 + 1u, params.in_width - 1u);
  let fy = y - f32(y0);
  let fx = x - f32(x0);
  let base = map * params.in_height * params.in_width;
  let top = mix(source[base + y0 * params.in_width + x0], source[base + y0 * params.in_width + x1], fx);
  let bottom = mix(source[base + y1 * params.in_width + x0], source[base + y1 * params.in_width + x1], fx);
  resized[index] = mix(top, bottom, fy);
}

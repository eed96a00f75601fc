// Masked inputs of the Score-CAM family, written straight into a batched NHWC input
// buffer for the model. Pass p = first + j (batch entry j) is sample s = p / (B·N) of the
// masked pair r = p % (B·N): image b = r / N, channel c = selected[r] (N = C and
// selected[r] = r % C unless Faster Score-CAM chose the N channels of largest variance):
//
//   M(Y,X)        = (up(A[b,·,·,c])(Y,X) − min) / (max − min + epsilon)   (0 when max = min)
//   M'(Y,X)       = coefficient(s) · M(Y,X) + noise_std · δ(seed, s, b, c, Y, X)
//   out[j,Y,X,ch] = X[b,Y,X,ch] · M'(Y,X)
//
// (min, max) from score_ranges over the same grid; up() bilinear to H×W with half-pixel
// centres (ALIGN_CORNERS 0) or aligned corners (ALIGN_CORNERS 1, pytorch-grad-cam).
// coefficient(s) = 1 (INTEGRATED 0), or torch-cam's IS-CAM running sum
// Σ_{i=1..s+1} i/steps = (s+1)(s+2)/(2·steps) (INTEGRATED 1). δ ~ N(0, 1) by Box–Muller
// from a PCG hash of (seed, s, b·C + c, Y·W + X), one draw per pixel shared by the input
// channels (SS-CAM's noise on the upsampled mask); the float64 reference draws the same.

override ALIGN_CORNERS: u32 = 0u;
override INTEGRATED: u32 = 0u;

struct Params {
  first: u32,     // first pass of this chunk
  count: u32,     // batch entries in this chunk
  masked: u32,    // B·N masked pairs per sample
  selected_per_image: u32,  // N
  in_height: u32,
  in_width: u32,
  channels: u32,  // C
  out_height: u32,
  out_width: u32,
  input_channels: u32,
  steps: u32,     // IS-CAM's N (INTEGRATED 1)
  seed: u32,
  epsilon: f32,
  noise_std: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> activations: array<f32>;
@group(0) @binding(2) var<storage, read> ranges: array<vec2f>;
@group(0) @binding(3) var<storage, read> selected: array<u32>;
@group(0) @binding(4) var<storage, read> input_image: array<f32>;
@group(0) @binding(5) var<storage, read_write> masked_out: array<f32>;

fn pcg(v: u32) -> u32 {
  let state = v * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

// ln(u) for u > 0 from its exponent and the atanh series of its mantissa m ∈ [1/√2, √2):
// ln m = 2(z + z³/3 + … + z¹¹/11), z = (m − 1)/(m + 1), |z| ≤ 0.172. Plain arithmetic, so
// it is as accurate as float32 rounding everywhere — the built-in log's error bound is
// absolute near u = 1, where Box–Muller's radius is small and would lose its digits.
fn ln_accurate(u: f32) -> f32 {
  let bits = bitcast<u32>(u);
  var e = i32(bits >> 23u) - 126;
  var m = bitcast<f32>((bits & 0x007fffffu) | 0x3f000000u);  // [0.5, 1)
  if (m < 0.70710678) {
    m *= 2.0;
    e -= 1;
  }
  let z = (m - 1.0) / (m + 1.0);
  let z2 = z * z;
  let series = z * (2.0 + z2 * (2.0 / 3.0 + z2 * (2.0 / 5.0 + z2 * (2.0 / 7.0 + z2 * (2.0 / 9.0 + z2 * (2.0 / 11.0))))));
  return series + f32(e) * 0.6931471805599453;
}

// cos(2π·u) for u ∈ [0, 1): exact reductions to s ∈ [0, 1/4], then the Taylor series of
// cos to x¹⁶ at x = 2πs ≤ π/2 (the built-in cos only bounds its absolute error by 2⁻¹¹).
fn cos_turns(u: f32) -> f32 {
  var r = abs(u - round(u));  // [0, 0.5]
  var sign = 1.0;
  if (r > 0.25) {
    r = 0.5 - r;
    sign = -1.0;
  }
  let x = 6.283185307179586 * r;
  let x2 = x * x;
  var c = 1.0 / 20922789888000.0;  // 1/16!
  c = 1.0 / 87178291200.0 - x2 * c;  // 1/14!
  c = 1.0 / 479001600.0 - x2 * c;
  c = 1.0 / 3628800.0 - x2 * c;
  c = 1.0 / 40320.0 - x2 * c;
  c = 1.0 / 720.0 - x2 * c;
  c = 1.0 / 24.0 - x2 * c;
  c = 0.5 - x2 * c;
  c = 1.0 - x2 * c;
  return sign * c;
}

// A standard normal draw by Box–Muller from two 24-bit uniforms of a PCG hash.
fn gaussian(seed: u32, draw: u32, pair: u32, pixel: u32) -> f32 {
  let h0 = pcg(pixel + pcg(pair + pcg(draw + pcg(seed))));
  let h1 = pcg(h0);
  let h2 = pcg(h1);
  let u1 = (f32(h1 >> 8u) + 1.0) / 16777216.0;
  let u2 = f32(h2 >> 8u) / 16777216.0;
  return sqrt(-2.0 * ln_accurate(u1)) * cos_turns(u2);
}

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
  let index = (wid.x + wid.y * nwg.x) * 64u + lid;
  let out_pixels = params.out_height * params.out_width;
  if (index >= params.count * out_pixels) { return; }
  let entry = index / out_pixels;
  let pixel = index % out_pixels;
  let pass_index = params.first + entry;
  let draw = pass_index / params.masked;
  let r = pass_index % params.masked;
  let image = r / params.selected_per_image;
  let c = selected[r];
  let pair = image * params.channels + c;
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
  var mask = select(0.0, (value - range.x) / (spread + params.epsilon), spread > 0.0);
  if (INTEGRATED == 1u) {
    mask *= f32((draw + 1u) * (draw + 2u)) / f32(2u * params.steps);
  }
  if (params.noise_std != 0.0) {
    mask += params.noise_std * gaussian(params.seed, draw, pair, pixel);
  }

  let source_base = (image * out_pixels + pixel) * params.input_channels;
  let target_base = index * params.input_channels;
  for (var ch = 0u; ch < params.input_channels; ch++) {
    masked_out[target_base + ch] = input_image[source_base + ch] * mask;
  }
}

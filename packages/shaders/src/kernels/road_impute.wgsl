// ROAD, remove and debias (Rong et al. 2022), as pytorch-grad-cam's ROAD metrics define
// it: the removed pixels of the model input are filled by noisy linear imputation, written
// into a batched model input. One workgroup per entry q = first + j over (image b, order o,
// percentile index k) in B·2·P order; N = H·W, p = percentiles[k], map v:
//
//   MoRF (o = 0): τ = percentile(v, p),       keep pixel i if v_i < τ
//   LeRF (o = 1): τ = percentile(v, 100 − p), keep pixel i if v_i > τ
//
// (LeRF is pytorch-grad-cam's `1 − v < percentile(1 − v, p)` without forming 1 − v.)
// percentile() is numpy's linear one: pos = p/100·(N − 1), τ = s[⌊pos⌋] + (pos − ⌊pos⌋)·
// (s[⌊pos⌋+1] − s[⌊pos⌋]) over the ascending values s, found from map_ranks' counts. The
// CPU forms (⌊pos⌋, pos − ⌊pos⌋) in float64 as numpy does (`positions`, MoRF's P then
// LeRF's P), and τ is never formed: with s_lo = s[⌊pos⌋], s_hi = s[⌊pos⌋+1] and
// f = pos − ⌊pos⌋ ∈ [0, 1), exactly
//
//   v < τ  ⇔  v < s_lo, or v = s_lo with f > 0 and s_hi > s_lo
//   v > τ  ⇔  v > s_hi, or v = s_hi > s_lo
//
// so float32 and float64 keep the same pixels.
// Removed pixels x solve, per input channel, the linear system
//
//   x_i = Σ_{n ∈ nb(i)} ω_n·u_n / Σ_{n ∈ nb(i)} ω_n,   u_n = X_n if n is kept, else x_n
//
// over the in-image 8-neighbours (ω = 1/6 left, right, up, down; 1/12 diagonal). It is
// solved in place by successive over-relaxation with relaxation `omega`, four colours
// ((y mod 2, x mod 2): no two pixels of a colour are neighbours, so each colour's updates
// are independent and the sweep is a true Gauss–Seidel order), until a sweep changes no
// value by more than tolerance·max|X| or after max_sweeps sweeps. Removed pixels start at
// 0, so where nothing is kept (a constant map) they stay 0. Then
//
//   x_i += noise · n(seed, b, k, i, ch),   n ~ N(0, 1) from a PCG hash (Box–Muller)
//
// with its own cosine (Taylor series after reduction to [0, π/4]): WGSL's built-in cos is
// only specified to 2⁻¹¹ absolute error.
//
// The draw depends on the percentile but not on the order, so MoRF and LeRF of a constant
// map are the same input.

struct Params {
  first: u32,      // first entry of this chunk
  count: u32,      // entries (workgroups) in this chunk
  out_first: u32,  // entry of `masked` that entry `first` goes to
  height: u32,
  width: u32,
  input_channels: u32,
  percentiles: u32,  // P
  max_sweeps: u32,
  seed: u32,
  tolerance: f32,
  noise: f32,
  omega: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input_image: array<f32>;
@group(0) @binding(2) var<storage, read> maps: array<f32>;
@group(0) @binding(3) var<storage, read> ranks: array<vec2u>;
@group(0) @binding(4) var<storage, read> positions: array<vec2f>;
@group(0) @binding(5) var<storage, read_write> masked: array<f32>;

var<workgroup> low_value: f32;
var<workgroup> high_value: f32;
var<workgroup> largest_change: atomic<u32>;
var<workgroup> largest_input: atomic<u32>;
var<workgroup> converged: u32;

fn is_kept(value: f32, low: f32, high: f32, fraction: f32, order: u32) -> bool {
  if (order == 0u) { return value < low || (value == low && fraction > 0.0 && high > low); }
  return value > high || (value == high && high > low);
}

fn pcg(v: u32) -> u32 {
  let state = v * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

// cos(2π·t) to float32 accuracy: symmetric reduction to x ∈ [0, π/4], then Taylor terms
// through x¹² (cos) or x¹³ (sin), whose remainders are below 1e-12 there.
fn cos_turns(t: f32) -> f32 {
  var a = abs(t - round(t));            // [0, 0.5]: cos(2πt) = cos(2πa)
  var sign = 1.0;
  if (a > 0.25) { a = 0.5 - a; sign = -1.0; }  // cos(π − y) = −cos(y)
  var use_sine = false;
  if (a > 0.125) { a = 0.25 - a; use_sine = true; }  // cos(π/2 − y) = sin(y)
  let x = 6.283185307179586 * a;
  let x2 = x * x;
  if (use_sine) {
    return sign * x * (1.0 - x2 / 6.0 * (1.0 - x2 / 20.0 * (1.0 - x2 / 42.0 * (1.0 - x2 / 72.0 * (1.0 - x2 / 110.0 * (1.0 - x2 / 156.0))))));
  }
  return sign * (1.0 - x2 / 2.0 * (1.0 - x2 / 12.0 * (1.0 - x2 / 30.0 * (1.0 - x2 / 56.0 * (1.0 - x2 / 90.0 * (1.0 - x2 / 132.0))))));
}

fn gaussian(key: u32) -> f32 {
  let a = pcg(params.seed ^ pcg(key * 2u));
  let b = pcg(params.seed ^ pcg(key * 2u + 1u));
  let u1 = (f32(a >> 8u) + 1.0) / 16777216.0;  // (0, 1]
  let u2 = f32(b >> 8u) / 16777216.0;          // [0, 1)
  return sqrt(-2.0 * log(u1)) * cos_turns(u2);
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let j = wid.x + wid.y * nwg.x;
  if (j >= params.count) { return; }  // uniform per workgroup
  let q = params.first + j;
  let P = params.percentiles;
  let image = q / (2u * P);
  let order = (q % (2u * P)) / P;
  let k = q % P;
  let H = params.height;
  let W = params.width;
  let N = H * W;
  let C = params.input_channels;
  let map_base = image * N;
  let source_base = image * N * C;
  let target_base = (params.out_first + j) * N * C;

  // The percentile of the map (numpy 'linear'), from each pixel's ascending positions.
  let position = positions[order * P + k];
  let lower = min(u32(position.x), N - 1u);
  let upper = min(lower + 1u, N - 1u);
  let fraction = position.y;
  if (lid == 0u) {
    atomicStore(&largest_change, 0u);
    atomicStore(&largest_input, 0u);
  }
  var input_max = 0.0;
  for (var i = lid; i < N; i += 64u) {
    let rank = ranks[map_base + i];
    let first_position = N - rank.x - rank.y;
    let last_position = N - rank.x - 1u;
    let value = maps[map_base + i];
    if (lower >= first_position && lower <= last_position) { low_value = value; }
    if (upper >= first_position && upper <= last_position) { high_value = value; }
    for (var ch = 0u; ch < C; ch++) { input_max = max(input_max, abs(input_image[source_base + i * C + ch])); }
  }
  workgroupBarrier();
  atomicMax(&largest_input, bitcast<u32>(input_max));
  let low = low_value;
  let high = high_value;

  // Kept pixels are copied; removed ones start at 0.
  for (var i = lid; i < N; i += 64u) {
    let value = maps[map_base + i];
    let kept = is_kept(value, low, high, fraction, order);
    for (var ch = 0u; ch < C; ch++) {
      masked[target_base + i * C + ch] = select(0.0, input_image[source_base + i * C + ch], kept);
    }
  }
  storageBarrier();
  workgroupBarrier();
  let limit = params.tolerance * bitcast<f32>(atomicLoad(&largest_input));

  for (var sweep = 0u; sweep < params.max_sweeps; sweep++) {
    var change = 0.0;
    for (var colour = 0u; colour < 4u; colour++) {
      let cy = colour / 2u;
      let cx = colour % 2u;
      let rows = (H - cy + 1u) / 2u;
      let cols = (W - cx + 1u) / 2u;
      for (var t = lid; t < rows * cols; t += 64u) {
        let y = cy + 2u * (t / cols);
        let x = cx + 2u * (t % cols);
        let i = y * W + x;
        let value = maps[map_base + i];
        let kept = is_kept(value, low, high, fraction, order);
        if (kept) { continue; }
        for (var ch = 0u; ch < C; ch++) {
          var total = 0.0;
          var weight = 0.0;
          for (var dy = -1; dy <= 1; dy++) {
            for (var dx = -1; dx <= 1; dx++) {
              if (dy == 0 && dx == 0) { continue; }
              let ny = i32(y) + dy;
              let nx = i32(x) + dx;
              if (ny < 0 || nx < 0 || ny >= i32(H) || nx >= i32(W)) { continue; }
              let w = select(1.0 / 12.0, 1.0 / 6.0, dy == 0 || dx == 0);
              total += w * masked[target_base + (u32(ny) * W + u32(nx)) * C + ch];
              weight += w;
            }
          }
          let old = masked[target_base + i * C + ch];
          // A 1×1 image has no neighbours: its removed pixel stays 0.
          let updated = select(old, old + params.omega * (total / weight - old), weight > 0.0);
          masked[target_base + i * C + ch] = updated;
          change = max(change, abs(updated - old));
        }
      }
      storageBarrier();
      workgroupBarrier();
    }
    atomicMax(&largest_change, bitcast<u32>(change));
    workgroupBarrier();
    if (lid == 0u) {
      converged = select(0u, 1u, bitcast<f32>(atomicLoad(&largest_change)) <= limit);
      atomicStore(&largest_change, 0u);
    }
    if (workgroupUniformLoad(&converged) == 1u) { break; }
  }

  for (var i = lid; i < N; i += 64u) {
    let value = maps[map_base + i];
    let kept = is_kept(value, low, high, fraction, order);
    if (kept) { continue; }
    for (var ch = 0u; ch < C; ch++) {
      let key = ((image * P + k) * N + i) * C + ch;
      masked[target_base + i * C + ch] += params.noise * gaussian(key);
    }
  }
}

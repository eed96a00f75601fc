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
// over the in-image 8-neighbours (ω = 1/6 left, right, up, down; 1/12 diagonal). Times 12
// it is L·x = b with integer weights c_n = 2 (sides) or 1 (diagonals):
//
//   (L·x)_i = D_i·x_i − Σ_{removed n} c_n·x_n,   b_i = Σ_{kept n} c_n·X_n,   D_i = Σ_{n} c_n
//
// L is symmetric positive definite (an M-matrix) whenever a pixel is kept; it is nearly
// singular where large regions are removed (the image border adds no weight), which is
// where relaxation methods crawl. It is solved by conjugate gradients preconditioned by
// D (z = r/D), each channel its own CG (channels in groups of 4 as vec4 lanes), in
// cycles: a cycle starts from the true residual r = b − L·x and runs CG until its
// recursive residual has fallen to ‖r‖ ≤ max(drop·‖r_start‖, tolerance/10·‖b‖) (norms
// ‖r‖² = Σ r²/D); then the true residual is formed again, without rounding error in its
// terms (c_n·x_n and D·x as sums of powers of two times x are exact in float32; their sum
// is carried as an unevaluated pair, TwoSum), so float32 drift of the recursive residual
// never decides convergence. A channel is done when its true residual is
// ‖r‖ ≤ tolerance·‖b‖, or when a cycle did not halve it (float32's floor: the rounding of
// x itself), or when b = 0 (x = 0 is exact); every channel stops after max_iterations CG
// steps. Removed pixels start at 0, so where nothing is kept (a constant map) they stay 0.
// Then
//
//   x_i += noise · n(seed, b, k, i, ch),   n ~ N(0, 1) from a PCG hash (Box–Muller)
//
// with its own cosine (Taylor series after reduction to [0, π/4]): WGSL's built-in cos is
// only specified to 2⁻¹¹ absolute error.
//
// The draw depends on the percentile but not on the order, so MoRF and LeRF of a constant
// map are the same input.
//
// Scratch, per workgroup slot j (entries of one dispatch; slots = count): on the grid
// padded by one zero cell on each side (G = (H+2)·(W+2) cells, vec4 = 4 channels) x and
// the search direction p (zero on kept and border cells, so L·p needs no bounds tests),
// and per removed pixel m the residual r and q = L·p; `removed` lists the removed pixels'
// padded cells in raster order, D_i in the top 4 bits.

struct Params {
  first: u32,      // first entry of this dispatch
  count: u32,      // entries (workgroups, scratch slots) in this dispatch
  out_first: u32,  // entry of `masked` that entry `first` goes to
  height: u32,
  width: u32,
  input_channels: u32,
  percentiles: u32,  // P
  max_iterations: u32,
  seed: u32,
  tolerance: f32,
  drop: f32,
  noise: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input_image: array<f32>;
@group(0) @binding(2) var<storage, read> maps: array<f32>;
@group(0) @binding(3) var<storage, read> ranks: array<vec2u>;
@group(0) @binding(4) var<storage, read> positions: array<vec2f>;
@group(0) @binding(5) var<storage, read_write> masked: array<f32>;
@group(0) @binding(6) var<storage, read_write> scratch: array<vec4f>;
@group(0) @binding(7) var<storage, read_write> removed: array<u32>;

// Invocations per workgroup, chosen by the host (about 64 removed pixels each, 16 to 256).
override LANES: u32 = 64u;

var<workgroup> low_value: f32;
var<workgroup> high_value: f32;
var<workgroup> counts: array<u32, LANES>;
// Three reductions per CG step, each into its own array: a lane writes the next one while
// others may still read the previous.
var<workgroup> sums_pq: array<vec4f, LANES>;
var<workgroup> sums_rz: array<vec4f, LANES>;
var<workgroup> sums_true: array<vec4f, LANES>;
var<workgroup> all_done: u32;

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

// Σ_n c_n over the in-image 8-neighbours of (y, x): 2 per side, 1 per diagonal.
fn neighbour_weight(y: u32, x: u32, H: u32, W: u32) -> u32 {
  let up = select(0u, 1u, y > 0u);
  let down = select(0u, 1u, y + 1u < H);
  let left = select(0u, 1u, x > 0u);
  let right = select(0u, 1u, x + 1u < W);
  return 2u * (up + down + left + right) + (up + down) * (left + right);
}

// (s, e) += t without rounding error in s + e (Knuth's TwoSum, per lane).
fn add_exact(s: ptr<function, vec4f>, e: ptr<function, vec4f>, t: vec4f) {
  let n = *s + t;
  let bb = n - *s;
  *e += (*s - (n - bb)) + (t - bb);
  *s = n;
}

// Each lane adds the lanes' partial sums in the same order, so every lane holds the same total.
fn sum_pq() -> vec4f {
  var total = vec4f(0.0);
  for (var l = 0u; l < LANES; l++) { total += sums_pq[l]; }
  return total;
}

fn sum_rz() -> vec4f {
  var total = vec4f(0.0);
  for (var l = 0u; l < LANES; l++) { total += sums_rz[l]; }
  return total;
}

fn sum_true() -> vec4f {
  var total = vec4f(0.0);
  for (var l = 0u; l < LANES; l++) { total += sums_true[l]; }
  return total;
}

@compute @workgroup_size(LANES)
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
  let row = W + 2u;
  let cells = (H + 2u) * row;
  let x_base = j * (2u * cells + 2u * N);
  let p_base = x_base + cells;
  let r_base = p_base + cells;
  let q_base = r_base + N;
  let list_base = j * N;

  // The percentile of the map (numpy 'linear'), from each pixel's ascending positions.
  let position = positions[order * P + k];
  let lower = min(u32(position.x), N - 1u);
  let upper = min(lower + 1u, N - 1u);
  let fraction = position.y;
  for (var i = lid; i < N; i += LANES) {
    let rank = ranks[map_base + i];
    let first_position = N - rank.x - rank.y;
    let last_position = N - rank.x - 1u;
    let value = maps[map_base + i];
    if (lower >= first_position && lower <= last_position) { low_value = value; }
    if (upper >= first_position && upper <= last_position) { high_value = value; }
  }
  workgroupBarrier();
  let low = low_value;
  let high = high_value;

  // Kept pixels are copied; each lane lists the removed pixels of its run of pixels, and
  // the runs' counts place them in raster order.
  let span = (N + LANES - 1u) / LANES;
  let start = min(lid * span, N);
  let end = min(start + span, N);
  var mine = 0u;
  for (var i = start; i < end; i++) {
    let kept = is_kept(maps[map_base + i], low, high, fraction, order);
    if (kept) {
      for (var ch = 0u; ch < C; ch++) { masked[target_base + i * C + ch] = input_image[source_base + i * C + ch]; }
    } else {
      mine += 1u;
    }
  }
  counts[lid] = mine;
  workgroupBarrier();
  var offset = 0u;
  var unknowns = 0u;
  for (var l = 0u; l < LANES; l++) {
    offset += select(0u, counts[l], l < lid);
    unknowns += counts[l];
  }
  for (var i = start; i < end; i++) {
    if (!is_kept(maps[map_base + i], low, high, fraction, order)) {
      let y = i / W;
      let x = i % W;
      removed[list_base + offset] = (neighbour_weight(y, x, H, W) << 28u) | ((y + 1u) * row + x + 1u);
      offset += 1u;
    }
  }
  let tolerance2 = params.tolerance * params.tolerance;
  let target2 = tolerance2 / 100.0;
  let drop2 = params.drop * params.drop;

  for (var group = 0u; group < C; group += 4u) {
    let width_g = min(4u, C - group);
    // x: X on kept cells, 0 on removed and border cells; p: 0 everywhere.
    for (var cell = lid; cell < cells; cell += LANES) {
      let py = cell / row;
      let px = cell % row;
      var value = vec4f(0.0);
      if (py >= 1u && py <= H && px >= 1u && px <= W) {
        let i = (py - 1u) * W + px - 1u;
        if (is_kept(maps[map_base + i], low, high, fraction, order)) {
          let at = source_base + i * C + group;
          value.x = input_image[at];
          if (width_g > 1u) { value.y = input_image[at + 1u]; }
          if (width_g > 2u) { value.z = input_image[at + 2u]; }
          if (width_g > 3u) { value.w = input_image[at + 3u]; }
        }
      }
      scratch[x_base + cell] = value;
      scratch[p_base + cell] = vec4f(0.0);
    }
    storageBarrier();
    workgroupBarrier();

    // Cycles of CG; `restart` forms the true residual and starts a cycle from it.
    var restart = true;
    var first_cycle = true;
    var done = vec4<bool>(width_g <= 0u, width_g <= 1u, width_g <= 2u, width_g <= 3u);
    var b2 = vec4f(0.0);        // ‖b‖²
    var cycle2 = vec4f(0.0);    // ‖r‖² at the start of the cycle
    var rz = vec4f(0.0);        // ‖r‖² now (recursive)
    var beta = vec4f(0.0);
    for (var step = 0u; step <= params.max_iterations; step++) {
      // Direction update (or the true residual and a restart), one pass over removed pixels.
      var partial = vec4f(0.0);
      if (restart) {
        for (var m = lid; m < unknowns; m += LANES) {
          let entry = removed[list_base + m];
          let cell = entry & 0x0fffffffu;
          let digits = entry >> 28u;
          let d = f32(digits);
          let inverse = select(0.0, 1.0 / d, d > 0.0);
          var s = vec4f(0.0);
          var e = vec4f(0.0);
          add_exact(&s, &e, 2.0 * scratch[x_base + cell - row]);
          add_exact(&s, &e, 2.0 * scratch[x_base + cell + row]);
          add_exact(&s, &e, 2.0 * scratch[x_base + cell - 1u]);
          add_exact(&s, &e, 2.0 * scratch[x_base + cell + 1u]);
          add_exact(&s, &e, scratch[x_base + cell - row - 1u]);
          add_exact(&s, &e, scratch[x_base + cell - row + 1u]);
          add_exact(&s, &e, scratch[x_base + cell + row - 1u]);
          add_exact(&s, &e, scratch[x_base + cell + row + 1u]);
          // D·x as D's binary digits times x (D ≤ 12): each product is exact.
          let xi = scratch[x_base + cell];
          if ((digits & 8u) != 0u) { add_exact(&s, &e, -8.0 * xi); }
          if ((digits & 4u) != 0u) { add_exact(&s, &e, -4.0 * xi); }
          if ((digits & 2u) != 0u) { add_exact(&s, &e, -2.0 * xi); }
          if ((digits & 1u) != 0u) { add_exact(&s, &e, -xi); }
          let r = s + e;
          scratch[r_base + m] = r;
          scratch[p_base + cell] = r * inverse;
          partial += r * r * inverse;
        }
      } else {
        for (var m = lid; m < unknowns; m += LANES) {
          let entry = removed[list_base + m];
          let cell = entry & 0x0fffffffu;
          let d = f32(entry >> 28u);
          let inverse = select(0.0, 1.0 / d, d > 0.0);
          scratch[p_base + cell] = scratch[r_base + m] * inverse + beta * scratch[p_base + cell];
        }
      }
      sums_true[lid] = partial;
      storageBarrier();
      workgroupBarrier();
      if (restart) {
        let t = sum_true();
        if (first_cycle) {
          b2 = t;
          done = done | (t <= vec4f(0.0));
        } else {
          done = done | (t <= tolerance2 * b2) | (t > 0.25 * cycle2);
        }
        first_cycle = false;
        cycle2 = t;
        rz = t;
      }
      if (lid == 0u) { all_done = select(0u, 1u, all(done) || step == params.max_iterations); }
      if (workgroupUniformLoad(&all_done) == 1u) { break; }

      // q = L·p and p·q.
      partial = vec4f(0.0);
      for (var m = lid; m < unknowns; m += LANES) {
        let entry = removed[list_base + m];
        let cell = entry & 0x0fffffffu;
        let d = f32(entry >> 28u);
        let pc = scratch[p_base + cell];
        let sides = scratch[p_base + cell - row] + scratch[p_base + cell + row] + scratch[p_base + cell - 1u] + scratch[p_base + cell + 1u];
        let corners = scratch[p_base + cell - row - 1u] + scratch[p_base + cell - row + 1u] + scratch[p_base + cell + row - 1u] + scratch[p_base + cell + row + 1u];
        let lp = d * pc - 2.0 * sides - corners;
        scratch[q_base + m] = lp;
        partial += pc * lp;
      }
      sums_pq[lid] = partial;
      workgroupBarrier();
      let pq = sum_pq();
      let alpha = select(rz / pq, vec4f(0.0), done | !(pq > vec4f(0.0)));

      // x += α·p, r −= α·q, and the new ‖r‖².
      partial = vec4f(0.0);
      for (var m = lid; m < unknowns; m += LANES) {
        let entry = removed[list_base + m];
        let cell = entry & 0x0fffffffu;
        let d = f32(entry >> 28u);
        let inverse = select(0.0, 1.0 / d, d > 0.0);
        scratch[x_base + cell] += alpha * scratch[p_base + cell];
        let r = scratch[r_base + m] - alpha * scratch[q_base + m];
        scratch[r_base + m] = r;
        partial += r * r * inverse;
      }
      sums_rz[lid] = partial;
      storageBarrier();
      workgroupBarrier();
      let next = sum_rz();
      // A cycle ends once an unfinished channel's recursive residual reached its target.
      restart = any(!done & ((next <= max(drop2 * cycle2, target2 * b2)) | !(next > vec4f(0.0))));
      beta = select(next / rz, vec4f(0.0), done | !(rz > vec4f(0.0)));
      rz = select(next, rz, done);
    }

    for (var m = lid; m < unknowns; m += LANES) {
      let cell = removed[list_base + m] & 0x0fffffffu;
      let i = (cell / row - 1u) * W + cell % row - 1u;
      let value = scratch[x_base + cell];
      for (var t = 0u; t < width_g; t++) {
        let ch = group + t;
        let key = ((image * P + k) * N + i) * C + ch;
        masked[target_base + i * C + ch] = value[t] + params.noise * gaussian(key);
      }
    }
    storageBarrier();
    workgroupBarrier();
  }
}

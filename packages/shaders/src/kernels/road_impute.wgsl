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
// it is A·x = b with integer weights c_n = 2 (sides) or 1 (diagonals):
//
//   (A·x)_i = D_i·x_i − Σ_{removed n} c_n·x_n,   b_i = Σ_{kept n} c_n·X_n,   D_i = Σ_{n} c_n
//
// A is symmetric positive definite (an M-matrix) whenever a pixel is kept; it is nearly
// singular where large regions are removed (the image border adds no weight), where
// conjugate gradients with a diagonal preconditioner need O(H + W) steps. It is solved by
// conjugate gradients preconditioned by one multigrid V-cycle (each channel its own CG,
// channels in groups of 4 as vec4 lanes; the hierarchy is built once and shared by them):
//
//   levels: level 0 is the H×W grid, level l + 1 has ⌈H_l/2⌉×⌈W_l/2⌉ cells, down to 1×1.
//   P_l (level l + 1 → l): bilinear, vertex-centred: fine row y takes coarse row y/2 with
//     weight 1 if y is even, rows (y−1)/2 and (y+1)/2 with 1/2 each if y is odd, or row
//     (y−1)/2 with 1 if (y+1)/2 is past the coarse grid (the same in x; weights multiply).
//     Rows of P for kept pixels are zero (they are not unknowns).
//   A_{l+1} = P_lᵀ·A_l·P_l (Galerkin; 9-point again, stored per cell), A_0 = A.
//   Smoother: Jacobi, e ← e + (f − A_l·e)/d, d_i = max(a_ii, ½·Σ_j |a_ij|) (= D_i on level
//     0, where A is diagonally dominant; never less than half the ℓ1 row sum, so that
//     2·diag(d) − A_l is diagonally dominant and the sweep does not expand errors in the
//     A_l norm even where a Galerkin row is not dominant).
//   V-cycle M⁻¹f on level l: one sweep from e = 0, f_{l+1} = P_lᵀ·(f − A_l·e), the V-cycle
//     on level l + 1, e ← e + P_l·e_{l+1}, one sweep; on 1×1, e = f/d (exact).
//
// M⁻¹ is symmetric (the same sweep before and after) and positive definite, so CG applies;
// in float64 it takes at most 9 steps to ‖r‖ ≤ 1e-7·‖b‖ on CAM-like and random masks from
// 24×40 to 128×128, independent of the size (diagonal preconditioning: up to 236 at
// 64×64). The hierarchy (about 1/3 of level 0's cells, stencils included) is built once
// per entry and shared by the channel groups. CG runs in cycles: a cycle starts from the
// true residual r = b − A·x and runs until its recursive residual has fallen to
// ‖r‖ ≤ max(drop·‖r_start‖, tolerance/10·‖b‖) (norms ‖r‖² = Σ r²/D; CG's own α and β use
// r·M⁻¹r); then the true residual is formed again, without rounding error in its terms
// (c_n·x_n and D·x as sums of powers of two times x are exact in float32; their sum is
// carried as an unevaluated pair, TwoSum), so float32 drift of the recursive residual
// never decides convergence. A channel is done when its true
// residual is ‖r‖ ≤ tolerance·‖b‖, or when a cycle did not halve it (float32's floor: the
// rounding of x itself), or when b = 0 (x = 0 is exact); every channel stops after
// max_iterations CG steps (roadSolverSettings: 50, tolerance 1e-6, drop 1e-6; the GPU
// tests converge within 9). q = A·p is carried as A·M⁻¹r + β·q, so one pass forms p and
// q. Removed pixels start at 0, so where nothing is kept (a constant map) they stay 0.
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
// Scratch, per workgroup slot j (entries of one dispatch; slots = count; entry_size vec4
// cells each): every level's grid is padded by one zero cell on each side, so stencils
// need no bounds tests, and vectors are zero on kept pixels and inactive cells. Level 0
// (G = (H+2)·(W+2) cells): x, p, r, z, t and the stencil A on the grid, q per removed
// pixel (N); level l ≥ 1 (G_l cells): f, e, t and the stencil A_l. A stencil is 3 vec4 per
// cell, its rows: NW N NE | W centre E 1/d | SW S SE; level 0's is stored too (r, z, t
// are its f, e, t), so one stencil product serves every level of the V-cycle. `removed` (N + G u32 per slot) lists the removed pixels'
// padded cells in raster order, D_i in the top 4 bits, then flags the removed cells of the
// padded grid.

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
  entry_size: u32,  // vec4 scratch cells per slot (roadScratchCells)
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
// Four reductions per CG step in three arrays (3·16·LANES bytes of workgroup memory, within
// the 16 KiB every device has at LANES = 256): a lane writes the next one while others may
// still read the previous, so consecutive reductions use different arrays; the true
// residual's (at a restart) shares sums_pq, whose previous reading and next writing are
// each separated from it by a barrier.
var<workgroup> sums_pq: array<vec4f, LANES>;
var<workgroup> sums_rr: array<vec4f, LANES>;
var<workgroup> sums_rz: array<vec4f, LANES>;
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

fn sum_rr() -> vec4f {
  var total = vec4f(0.0);
  for (var l = 0u; l < LANES; l++) { total += sums_rr[l]; }
  return total;
}

fn sum_rz() -> vec4f {
  var total = vec4f(0.0);
  for (var l = 0u; l < LANES; l++) { total += sums_rz[l]; }
  return total;
}

const MAX_LEVELS: u32 = 32u;

// The size of level l: ⌈H/2^l⌉×⌈W/2^l⌉ (halving with rounding up, l times).
fn level_dims(l: u32) -> vec2u {
  return ((vec2u(params.height, params.width) - 1u) >> vec2u(l)) + 1u;
}

// A·v at a removed cell of level 0 (v is zero on kept and border cells).
fn apply_fine(v: u32, cell: u32, row: u32, d: f32) -> vec4f {
  let sides = scratch[v + cell - row] + scratch[v + cell + row] + scratch[v + cell - 1u] + scratch[v + cell + 1u];
  let corners = scratch[v + cell - row - 1u] + scratch[v + cell - row + 1u] + scratch[v + cell + row - 1u] + scratch[v + cell + row + 1u];
  return d * scratch[v + cell] - 2.0 * sides - corners;
}

// A_l·v at a cell of level l from its stored stencil (base s).
fn apply_coarse(s: u32, v: u32, cell: u32, row: u32) -> vec4f {
  let above = scratch[s + 3u * cell];
  let middle = scratch[s + 3u * cell + 1u];
  let below = scratch[s + 3u * cell + 2u];
  return above.x * scratch[v + cell - row - 1u] + above.y * scratch[v + cell - row] + above.z * scratch[v + cell - row + 1u]
    + middle.x * scratch[v + cell - 1u] + middle.y * scratch[v + cell] + middle.z * scratch[v + cell + 1u]
    + below.x * scratch[v + cell + row - 1u] + below.y * scratch[v + cell + row] + below.z * scratch[v + cell + row + 1u];
}

// P's weight of fine row (or column) y in coarse row c of a coarse grid of `coarse` rows:
// 1 if y = 2c; 1/2 if y = 2c ± 1, except 1 for y = 2c + 1 when c is the last coarse row.
fn p_weight(y: i32, c: i32, coarse: i32) -> f32 {
  let e = y - 2 * c;
  let weight = select(1.0 - 0.5 * f32(abs(e)), 1.0, e == 1 && c + 1 == coarse);
  return select(0.0, weight, c >= 0 && c < coarse && abs(e) <= 1);
}

// The Galerkin operator A_{l+1} = Pᵀ·A_l·P in two separable halves. Half x:
// B[(y, X), (y + dy − 1, X + o)] = Σ Px(x, X)·a_{(y,x),(y+dy−1,x')}·Px(x', X + o) at every
// fine row y and coarse column X, stored at `half` as 3 vec4 per cell (row dy; o = −1, 0, 1).
// x runs over 2X − 1 … 2X + 1 and x' over 2X − 2 … 2X + 2 (padding where outside: a = 0).
fn galerkin_columns(lid: u32, fine: vec2u, fine_stencils: u32, coarse_width: u32, half: u32) {
  let frow = fine.y + 2u;
  let columns = i32(coarse_width);
  for (var c = lid; c < fine.x * coarse_width; c += LANES) {
    let y = c / coarse_width;
    let X = c % coarse_width;
    let py = y + 1u;
    let px = 2u * X;  // padded column of x = 2X − 1
    // (Rows of A_l are zero where the fine cell is not an unknown, and so is B there.)
    let Xi = i32(X);
    for (var dy = 0u; dy < 3u; dy++) {
      var acc = vec3f(0.0);
      for (var a = 0; a < 3; a++) {
        let x = 2 * Xi - 1 + a;
        let stencil = scratch[fine_stencils + 3u * (py * frow + px + u32(a)) + dy];
        for (var dx = 0; dx < 3; dx++) {
          let x2 = x + dx - 1;  // Px(x', X − 1), Px(x', X), Px(x', X + 1)
          let to = vec3f(p_weight(x2, Xi - 1, columns), p_weight(x2, Xi, columns), p_weight(x2, Xi + 1, columns));
          acc += p_weight(x, Xi, columns) * stencil[dx] * to;
        }
      }
      scratch[half + 3u * c + dy] = vec4f(acc, 0.0);
    }
  }
}

// Half y: A_{l+1}[(Y, X), (Y + o', X + o)] = Σ Py(y, Y)·B[(y, X), (y', X + o)]·Py(y', Y + o'),
// stored as 3 vec4 per cell (rows o' = −1, 0, 1; columns o in x, y, z; w of the middle row
// holds 1/d, d = max(a_ii, ½·Σ_j |a_ij|), or 0 where a_ii = 0: no unknown under the cell).
fn galerkin_rows(lid: u32, fine_height: u32, coarse: vec2u, half: u32, s: u32) {
  let crow = coarse.y + 2u;
  let rows = i32(coarse.x);
  for (var c = lid; c < coarse.x * coarse.y; c += LANES) {
    let Y = i32(c / coarse.y);
    let X = c % coarse.y;
    var above = vec4f(0.0);
    var middle = vec4f(0.0);
    var below = vec4f(0.0);
    for (var a = 0; a < 3; a++) {
      let y = 2 * Y - 1 + a;
      if (y < 0 || y >= i32(fine_height)) { continue; }
      let w = p_weight(y, Y, rows);
      for (var dy = 0; dy < 3; dy++) {
        let b = w * scratch[half + 3u * (u32(y) * coarse.y + X) + u32(dy)];
        let y2 = y + dy - 1;
        above += p_weight(y2, Y - 1, rows) * b;
        middle += p_weight(y2, Y, rows) * b;
        below += p_weight(y2, Y + 1, rows) * b;
      }
    }
    let l1 = dot(abs(above.xyz) + abs(middle.xyz) + abs(below.xyz), vec3f(1.0));
    let d = max(middle.y, 0.5 * l1);
    let cell = (u32(Y) + 1u) * crow + X + 1u;
    scratch[s + 3u * cell] = vec4f(above.xyz, 0.0);
    scratch[s + 3u * cell + 1u] = vec4f(middle.xyz, select(0.0, 1.0 / d, middle.y > 0.0));
    scratch[s + 3u * cell + 2u] = vec4f(below.xyz, 0.0);
  }
}

// The coarse rows (or columns) that fine row y takes and their weights (P); one source has
// second = first and weight 0.
struct Sources {
  first: u32,
  second: u32,
  w_first: f32,
  w_second: f32,
}

fn sources(y: u32, coarse: u32) -> Sources {
  if ((y & 1u) == 0u) { return Sources(y / 2u, y / 2u, 1.0, 0.0); }
  if (y / 2u + 1u < coarse) { return Sources(y / 2u, y / 2u + 1u, 0.5, 0.5); }
  return Sources(y / 2u, y / 2u, 1.0, 0.0);
}

// P's weight of fine row 2·c − 1 + d (d = 0, 1, 2) in coarse row c (a fine row past the
// image reads the zero padding).
fn restrict_weight(d: u32, c: u32, coarse: u32) -> f32 {
  if (d == 1u) { return 1.0; }
  if (d == 0u) { return 0.5; }
  return select(1.0, 0.5, c + 1u < coarse);
}

// f_{l+1} = Pᵀ·t_l at every cell of level l + 1 (t_l at fine base t, f at coarse base f).
// Cells of level l + 1 with no unknown under them (1/d = 0 in its stencils at s) keep f = 0.
fn restrict_level(lid: u32, fine: vec2u, t: u32, coarse: vec2u, f: u32, s: u32) {
  let frow = fine.y + 2u;
  let crow = coarse.y + 2u;
  for (var c = lid; c < coarse.x * coarse.y; c += LANES) {
    let cy = c / coarse.y;
    let cx = c % coarse.y;
    if (scratch[s + 3u * ((cy + 1u) * crow + cx + 1u) + 1u].w == 0.0) { continue; }
    var total = vec4f(0.0);
    for (var dy = 0u; dy < 3u; dy++) {
      let at = t + (2u * cy + dy) * frow + 2u * cx;
      let along = restrict_weight(0u, cx, coarse.y) * scratch[at] + scratch[at + 1u] + restrict_weight(2u, cx, coarse.y) * scratch[at + 2u];
      total += restrict_weight(dy, cy, coarse.x) * along;
    }
    scratch[f + (cy + 1u) * crow + cx + 1u] = total;
  }
}

// (P·e_{l+1}) at fine row y, column x (coarse values at base e).
fn prolong(e: u32, coarse: vec2u, y: u32, x: u32) -> vec4f {
  let crow = coarse.y + 2u;
  let sy = sources(y, coarse.x);
  let sx = sources(x, coarse.y);
  let r0 = e + (sy.first + 1u) * crow + 1u;
  let r1 = e + (sy.second + 1u) * crow + 1u;
  return sy.w_first * (sx.w_first * scratch[r0 + sx.first] + sx.w_second * scratch[r0 + sx.second])
    + sy.w_second * (sx.w_first * scratch[r1 + sx.first] + sx.w_second * scratch[r1 + sx.second]);
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
  let x_base = j * params.entry_size;
  let p_base = x_base + cells;
  let r_base = p_base + cells;
  let z_base = r_base + cells;
  let t_base = z_base + cells;
  let q_base = t_base + 4u * cells;  // after level 0's stencil (3 cells per cell)
  let list_base = j * (N + cells);
  let flag_base = list_base + N;

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
  for (var cell = lid; cell < cells; cell += LANES) {
    let py = cell / row;
    let px = cell % row;
    var flag = 0u;
    if (py >= 1u && py <= H && px >= 1u && px <= W) {
      flag = select(1u, 0u, is_kept(maps[map_base + (py - 1u) * W + px - 1u], low, high, fraction, order));
    }
    removed[flag_base + cell] = flag;
  }

  // The levels' scratch bases: f, e, t and the stencil (3 cells each) at base, + g, + 2g,
  // + 3g (g: the level's padded cells). Level 0's f, e, t are r, z, t.
  var level_base: array<u32, MAX_LEVELS>;
  level_base[0] = r_base;
  var levels = 1u;
  var next_base = q_base + N;
  loop {
    if (all(level_dims(levels - 1u) <= vec2u(1u)) || levels == MAX_LEVELS) { break; }
    let size = level_dims(levels);
    level_base[levels] = next_base;
    next_base += 6u * (size.x + 2u) * (size.y + 2u);
    levels += 1u;
  }
  for (var c = lid; c < next_base - (q_base + N); c += LANES) { scratch[q_base + N + c] = vec4f(0.0); }
  storageBarrier();
  workgroupBarrier();
  // Level 0's stencil A: D_i on the diagonal (1/D_i in w), −2 (sides) or −1 (diagonals)
  // where the neighbour is removed; zero where the cell is kept or padding.
  for (var cell = lid; cell < cells; cell += LANES) {
    var above = vec4f(0.0);
    var middle = vec4f(0.0);
    var below = vec4f(0.0);
    let at = flag_base + cell;
    if (removed[at] != 0u) {
      let d = f32(neighbour_weight(cell / row - 1u, cell % row - 1u, H, W));
      above = -vec4f(f32(removed[at - row - 1u]), 2.0 * f32(removed[at - row]), f32(removed[at - row + 1u]), 0.0);
      middle = vec4f(-2.0 * f32(removed[at - 1u]), d, -2.0 * f32(removed[at + 1u]), select(0.0, 1.0 / d, d > 0.0));
      below = -vec4f(f32(removed[at + row - 1u]), 2.0 * f32(removed[at + row]), f32(removed[at + row + 1u]), 0.0);
    }
    scratch[t_base + cells + 3u * cell] = above;
    scratch[t_base + cells + 3u * cell + 1u] = middle;
    scratch[t_base + cells + 3u * cell + 2u] = below;
  }
  storageBarrier();
  workgroupBarrier();
  // The Galerkin operators, level by level; the halves use level 0's p and r grids (not yet
  // in use: 3·H·⌈W/2⌉ ≤ 2·G cells).
  for (var l = 1u; l < levels; l++) {
    let fine = level_dims(l - 1u);
    let size = level_dims(l);
    galerkin_columns(lid, fine, level_base[l - 1u] + 3u * (fine.x + 2u) * (fine.y + 2u), size.y, p_base);
    storageBarrier();
    workgroupBarrier();
    galerkin_rows(lid, fine.x, size, p_base, level_base[l] + 3u * (size.x + 2u) * (size.y + 2u));
    storageBarrier();
    workgroupBarrier();
  }

  let tolerance2 = params.tolerance * params.tolerance;
  let target2 = tolerance2 / 100.0;
  let drop2 = params.drop * params.drop;

  for (var group = 0u; group < C; group += 4u) {
    let width_g = min(4u, C - group);
    // x: X on kept cells, 0 on removed and border cells; p, r, z, t, q: 0 everywhere.
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
      scratch[r_base + cell] = vec4f(0.0);
      scratch[z_base + cell] = vec4f(0.0);
      scratch[t_base + cell] = vec4f(0.0);
    }
    for (var m = lid; m < N; m += LANES) { scratch[q_base + m] = vec4f(0.0); }
    storageBarrier();
    workgroupBarrier();

    // Cycles of CG; `restart` forms the true residual and starts a cycle from it.
    var restart = true;
    var first_cycle = true;
    var done = vec4<bool>(width_g <= 0u, width_g <= 1u, width_g <= 2u, width_g <= 3u);
    var b2 = vec4f(0.0);        // ‖b‖²
    var cycle2 = vec4f(0.0);    // ‖r‖² at the start of the cycle
    var rz = vec4f(0.0);        // r·M⁻¹r of the previous step
    for (var step = 0u; step <= params.max_iterations; step++) {
      // The true residual (and z = r/D, the V-cycle's first sweep) at a restart.
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
          scratch[r_base + cell] = r;
          scratch[z_base + cell] = r * inverse;
          partial += r * r * inverse;
        }
      }
      sums_pq[lid] = partial;
      storageBarrier();
      workgroupBarrier();
      if (restart) {
        let t = sum_pq();
        if (first_cycle) {
          b2 = t;
          done = done | (t <= vec4f(0.0));
        } else {
          done = done | (t <= tolerance2 * b2) | (t > 0.25 * cycle2);
        }
        first_cycle = false;
        cycle2 = t;
      }
      if (lid == 0u) { all_done = select(0u, 1u, all(done) || step == params.max_iterations); }
      if (workgroupUniformLoad(&all_done) == 1u) { break; }

      // The V-cycle, t = M⁻¹r, in 2·levels − 1 stages: down through levels 0 … L − 1, then up
      // through L − 2 … 0, on level l's f, e, t (level 0: r, z, t). Down: e = f/d, the sweep
      // from 0 (on level 0 z = r/D is already there; on the coarsest level it is the exact
      // solve), then t = f − A·e restricted to level l + 1's f. Up: e += P·(level l + 1's
      // result: e on the coarsest level, t above it), then the sweep t = e + (f − A·e)/d; on
      // level 0 also r·t. Cells with no unknown under them (1/d = 0) keep e = t = 0. One
      // level alone (1×1) gets level 0's two sweeps.
      partial = vec4f(0.0);
      for (var stage = 0u; stage < 2u * levels - 1u; stage++) {
        let down = stage < levels;
        let l = select(2u * levels - 2u - stage, stage, down);
        let size = level_dims(l);
        let lrow = size.y + 2u;
        let g = (size.x + 2u) * lrow;
        let f = level_base[l];
        let e = f + g;
        let t = f + 2u * g;
        let s = f + 3u * g;
        let sweep = !down || levels == 1u;
        let below = level_dims(l + 1u);
        let below_g = (below.x + 2u) * (below.y + 2u);
        // Level 0's loops run over its removed pixels (the list), coarser levels' over all cells.
        let count = select(size.x * size.y, unknowns, l == 0u);
        if (l > 0u || !down) {
          let result = level_base[l + 1u] + select(2u, 1u, l + 2u == levels) * below_g;
          for (var c = lid; c < count; c += LANES) {
            var cell = (c / size.y + 1u) * lrow + c % size.y + 1u;
            if (l == 0u) { cell = removed[list_base + c] & 0x0fffffffu; }
            let inverse = scratch[s + 3u * cell + 1u].w;
            if (inverse > 0.0) {
              if (down) {
                scratch[e + cell] = scratch[f + cell] * inverse;
              } else {
                scratch[e + cell] += prolong(result, below, cell / lrow - 1u, cell % lrow - 1u);
              }
            }
          }
          storageBarrier();
          workgroupBarrier();
        }
        if (sweep || l + 1u < levels) {
          for (var c = lid; c < count; c += LANES) {
            var cell = (c / size.y + 1u) * lrow + c % size.y + 1u;
            if (l == 0u) { cell = removed[list_base + c] & 0x0fffffffu; }
            let inverse = scratch[s + 3u * cell + 1u].w;
            if (inverse > 0.0) {
              let residual = scratch[f + cell] - apply_coarse(s, e, cell, lrow);
              let value = select(residual, scratch[e + cell] + residual * inverse, sweep);
              scratch[t + cell] = value;
              if (sweep && l == 0u) { partial += scratch[f + cell] * value; }
            }
          }
          storageBarrier();
          workgroupBarrier();
        }
        if (!sweep && l + 1u < levels) {
          restrict_level(lid, size, t, below, level_base[l + 1u], level_base[l + 1u] + 3u * below_g);
          storageBarrier();
          workgroupBarrier();
        }
      }
      sums_rz[lid] = partial;
      storageBarrier();
      workgroupBarrier();
      let next_rz = sum_rz();
      let beta = select(next_rz / rz, vec4f(0.0), vec4<bool>(restart) | done | !(rz > vec4f(0.0)));
      rz = next_rz;

      // p = M⁻¹r + β·p and q = A·p = A·M⁻¹r + β·q in one pass, and p·q.
      partial = vec4f(0.0);
      for (var m = lid; m < unknowns; m += LANES) {
        let entry = removed[list_base + m];
        let cell = entry & 0x0fffffffu;
        let pc = scratch[t_base + cell] + beta * scratch[p_base + cell];
        let lp = apply_fine(t_base, cell, row, f32(entry >> 28u)) + beta * scratch[q_base + m];
        scratch[p_base + cell] = pc;
        scratch[q_base + m] = lp;
        partial += pc * lp;
      }
      sums_pq[lid] = partial;
      workgroupBarrier();
      let pq = sum_pq();
      let alpha = select(rz / pq, vec4f(0.0), done | !(pq > vec4f(0.0)));

      // x += α·p, r −= α·q, z = r/D (the next V-cycle's first sweep), and Σ r²/D.
      partial = vec4f(0.0);
      for (var m = lid; m < unknowns; m += LANES) {
        let entry = removed[list_base + m];
        let cell = entry & 0x0fffffffu;
        let d = f32(entry >> 28u);
        let inverse = select(0.0, 1.0 / d, d > 0.0);
        scratch[x_base + cell] += alpha * scratch[p_base + cell];
        let r = scratch[r_base + cell] - alpha * scratch[q_base + m];
        scratch[r_base + cell] = r;
        scratch[z_base + cell] = r * inverse;
        partial += r * r * inverse;
      }
      sums_rr[lid] = partial;
      storageBarrier();
      workgroupBarrier();
      let next = sum_rr();
      // A cycle ends once an unfinished channel's recursive residual reached its target.
      restart = any(!done & ((next <= max(drop2 * cycle2, target2 * b2)) | !(next > vec4f(0.0))));
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

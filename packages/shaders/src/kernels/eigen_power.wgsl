// Eigen-CAM, step 3: the first principal component of each centred map X [S, C] by power
// iteration on its Gram matrix K [n, n] (eigen_gram), and X's projection onto it:
//
//   v₀ = K[·, j], j = argmax_i K[i,i]           (a column of K: inside K's range)
//   v_{t+1} = K·v_t / ‖K·v_t‖₂,  λ = ‖K·v_t‖₂,  δ_t = ‖v_{t+1} − v_t‖₂,  r = δ_t / δ_{t−1}
//   stop when the estimated error δ_t · r / (1 − r) ≤ tolerance (r < 1, from the second
//   iteration on), or δ_t ≤ floor (float32 rounding), or after max_iterations
//   by positions (K = X·Xᵀ, v = u ∈ ℝ^S): p[s] = √λ · v[s]
//   by channels  (K = Xᵀ·X, v ∈ ℝ^C):     p[s] = Σ_c X[s,c] · v[c]   (X stored [S, C])
//   sign: p ← −p when max_s p < −min_s p (so |max| ≥ |min|, the largest |value| positive)
//   projections[m,s] = p[s],  maps[m,s] = ReLU(p[s]),  iterations[m] = t + 1
//
// Either way p = X·v₁ (v₁ the top right singular vector of X), the Eigen-CAM projection.
// Convergence: the error angle shrinks by λ₂/λ₁ per iteration and r estimates λ₂/λ₁, so
// the error left at the stop is about δ_t · r / (1 − r) ≤ tolerance (the geometric tail).
// Near-equal λ₁, λ₂ (r → 1) converge slowly and may stop at max_iterations with a larger
// error. K = 0 (constant or zero input) gives p = 0.
// One workgroup of WG per map (a power of two the host sizes to n within the device's limit,
// or on a software adapter to the SIMD group it runs invocations in: each iteration's
// reductions cost a barrier per halving, which a software GPU pays per group of
// invocations); the two iterates live in `vectors` [maps, 2, n].

override WG: u32 = 256u;  // invocations per workgroup, a power of two

struct Params {
  maps: u32,            // B·K
  positions: u32,       // S
  channels: u32,        // C
  size: u32,            // n = min(S, C)
  by_positions: u32,    // 1: K = X·Xᵀ (S×S), 0: K = Xᵀ·X (C×C)
  max_iterations: u32,  // iteration cap
  tolerance: f32,       // on the estimated error δ·r/(1 − r)
  floor: f32,           // stop when δ ≤ floor
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> gram: array<f32>;
@group(0) @binding(2) var<storage, read> centred: array<f32>;
@group(0) @binding(3) var<storage, read_write> vectors: array<f32>;
@group(0) @binding(4) var<storage, read_write> projections: array<f32>;
@group(0) @binding(5) var<storage, read_write> maps: array<f32>;
@group(0) @binding(6) var<storage, read_write> iterations: array<u32>;

var<workgroup> partial: array<f32, WG>;
var<workgroup> partial_index: array<u32, WG>;
var<workgroup> broadcast_value: f32;
var<workgroup> broadcast_index: u32;

fn sum_all(lid: u32, value: f32) -> f32 {
  partial[lid] = value;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride >>= 1u) {
    if (lid < stride) { partial[lid] += partial[lid + stride]; }
    workgroupBarrier();
  }
  if (lid == 0u) { broadcast_value = partial[0]; }
  return workgroupUniformLoad(&broadcast_value);
}

// The largest value (sign = 1) or the negated smallest (sign = −1), as a uniform value.
fn extreme(lid: u32, value: f32) -> f32 {
  partial[lid] = value;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride >>= 1u) {
    if (lid < stride) { partial[lid] = max(partial[lid], partial[lid + stride]); }
    workgroupBarrier();
  }
  if (lid == 0u) { broadcast_value = partial[0]; }
  return workgroupUniformLoad(&broadcast_value);
}

// Index of the largest value (the lowest index among equals).
fn argmax_all(lid: u32, value: f32, index: u32) -> u32 {
  partial[lid] = value;
  partial_index[lid] = index;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride >>= 1u) {
    if (lid < stride) {
      let other = partial[lid + stride];
      let other_index = partial_index[lid + stride];
      if (other > partial[lid] || (other == partial[lid] && other_index < partial_index[lid])) {
        partial[lid] = other;
        partial_index[lid] = other_index;
      }
    }
    workgroupBarrier();
  }
  if (lid == 0u) { broadcast_index = partial_index[0]; }
  return workgroupUniformLoad(&broadcast_index);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let map = wid.x + wid.y * nwg.x;
  if (map >= params.maps) { return; }
  let n = params.size;
  let k_base = map * n * n;
  let x_base = map * params.positions * params.channels;

  // Start: the column of K with the largest diagonal entry.
  var best = -1.0;
  var best_index = 0u;
  for (var i = lid; i < n; i += WG) {
    let d = gram[k_base + i * n + i];
    if (d > best) { best = d; best_index = i; }
  }
  let start = argmax_all(lid, best, best_index);
  var cur = map * 2u * n;
  var nxt = cur + n;
  var square = 0.0;
  for (var i = lid; i < n; i += WG) {
    let v = gram[k_base + i * n + start];
    vectors[cur + i] = v;
    square += v * v;
  }
  let norm0 = sqrt(sum_all(lid, square));
  var scale = 0.0;
  if (norm0 > 1e-30) { scale = 1.0 / norm0; }
  for (var i = lid; i < n; i += WG) { vectors[cur + i] *= scale; }
  storageBarrier();

  var lambda = 0.0;
  var count = 0u;
  var previous_delta = -1.0;
  var running = norm0 > 1e-30;
  while (running && count < params.max_iterations) {
    square = 0.0;
    for (var i = lid; i < n; i += WG) {
      var w = 0.0;
      let row = k_base + i * n;
      for (var j = 0u; j < n; j++) { w += gram[row + j] * vectors[cur + j]; }
      vectors[nxt + i] = w;
      square += w * w;
    }
    storageBarrier();
    let norm = sqrt(sum_all(lid, square));
    count += 1u;
    if (!(norm > 1e-30)) {
      // K·v = 0: v lies in K's null space, which here means X = 0 up to rounding.
      lambda = 0.0;
      for (var i = lid; i < n; i += WG) { vectors[cur + i] = 0.0; }
      storageBarrier();
      break;
    }
    var change = 0.0;
    for (var i = lid; i < n; i += WG) {
      let w = vectors[nxt + i] / norm;
      vectors[nxt + i] = w;
      let d = w - vectors[cur + i];
      change += d * d;
    }
    storageBarrier();
    let delta = sqrt(sum_all(lid, change));
    lambda = norm;
    let previous = cur;
    cur = nxt;
    nxt = previous;
    var converged = delta <= params.floor;
    if (previous_delta > 0.0) {
      let ratio = delta / previous_delta;
      converged = converged || (ratio < 1.0 && delta * ratio <= params.tolerance * (1.0 - ratio));
    }
    previous_delta = delta;
    running = !converged;
  }

  // Projection of X onto the component, its extremes, then the sign rule.
  let sigma = sqrt(lambda);
  var high = -3.402823e38;
  var low = 3.402823e38;
  for (var s = lid; s < params.positions; s += WG) {
    var p = 0.0;
    if (params.by_positions == 1u) {
      p = sigma * vectors[cur + s];
    } else {
      let row = x_base + s * params.channels;
      for (var c = 0u; c < params.channels; c++) { p += centred[row + c] * vectors[cur + c]; }
    }
    projections[map * params.positions + s] = p;
    high = max(high, p);
    low = min(low, p);
  }
  let top = extreme(lid, high);
  let bottom = -extreme(lid, -low);
  var sign = 1.0;
  if (top < -bottom) { sign = -1.0; }
  for (var s = lid; s < params.positions; s += WG) {
    let p = sign * projections[map * params.positions + s];
    projections[map * params.positions + s] = p;
    maps[map * params.positions + s] = max(p, 0.0);
  }
  if (lid == 0u) { iterations[map] = count; }
}

// Lane reduction, workgroup-memory path (any device): LANES consecutive invocations
// (local index lid, lane = lid % LANES) form a group; lanes_sum returns on every lane the
// exact-as-possible sum of the group's float32 pairs (hi + lo), merged by error-free
// TwoSum: (a_hi + a_lo) + (b_hi + b_lo) = (s, e + a_lo + b_lo) with s + e = a_hi + b_hi.
// A tree over strides LANES/2 … 1 with a barrier per level, then a broadcast of lane 0's
// sum. Call it in uniform control flow (it has barriers), from every invocation.

var<workgroup> lane_scratch: array<vec2f, WG>;

fn lane_two_sum(a: f32, b: f32) -> vec2f {
  let s = a + b;
  let bb = s - a;
  return vec2f(s, (a - (s - bb)) + (b - bb));
}

fn lane_merge(a: vec2f, b: vec2f) -> vec2f {
  let t = lane_two_sum(a.x, b.x);
  return vec2f(t.x, (t.y + a.y) + b.y);
}

fn lanes_sum(value: vec2f, lid: u32) -> vec2f {
  let lane = lid % LANES;
  lane_scratch[lid] = value;
  workgroupBarrier();
  for (var stride = LANES / 2u; stride > 0u; stride >>= 1u) {
    if (lane < stride) { lane_scratch[lid] = lane_merge(lane_scratch[lid], lane_scratch[lid + stride]); }
    workgroupBarrier();
  }
  let total = lane_scratch[lid - lane];
  // The scratch is reused by the next call: nobody may overwrite it before all have read.
  workgroupBarrier();
  return total;
}

// The value of a pair: hi + lo, or hi alone once hi is not finite (lo is then NaN, from
// inf − inf inside TwoSum, and would turn an overflow that must be reported into a NaN
// that a later max(·, 0) could drop).
fn lanes_value(p: vec2f) -> f32 {
  let finite = (bitcast<u32>(p.x) & 0x7f800000u) != 0x7f800000u;
  return select(p.x, p.x + p.y, finite);
}

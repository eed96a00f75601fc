// Lane reduction, subgroup path (devices with the `subgroups` feature): LANES consecutive
// invocations (local index lid, lane = lid % LANES) form a group; lanes_sum returns on
// every lane the sum of the group's float32 pairs (hi + lo), merged by error-free TwoSum:
// (a_hi + a_lo) + (b_hi + b_lo) = (s, e + a_lo + b_lo) with s + e = a_hi + b_hi.
// A butterfly of subgroupShuffleXor over offsets 1 … LANES/2: no workgroup memory, no
// barrier. The lower partner's value always goes first, so both partners compute the
// same sum and every lane ends with the same bits.
// Needs LANES ≤ the device's smallest subgroup size and the workgroup split into
// subgroups of consecutive local indices (subgroup_invocation_id = lid % subgroup_size),
// as every WebGPU implementation does for a 1-D workgroup whose size is a multiple of the
// subgroup size; the host sizes workgroups so. Call it from every invocation, in uniform
// control flow (inactive lanes would leave shuffles undefined).

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
  var total = value;
  for (var offset = 1u; offset < LANES; offset <<= 1u) {
    let other = subgroupShuffleXor(total, offset);
    total = select(lane_merge(other, total), lane_merge(total, other), (lid & offset) == 0u);
  }
  return total;
}

// The value of a pair: hi + lo, or hi alone once hi is not finite (lo is then NaN, from
// inf − inf inside TwoSum, and would turn an overflow that must be reported into a NaN
// that a later max(·, 0) could drop).
fn lanes_value(p: vec2f) -> f32 {
  let finite = (bitcast<u32>(p.x) & 0x7f800000u) != 0x7f800000u;
  return select(p.x, p.x + p.y, finite);
}

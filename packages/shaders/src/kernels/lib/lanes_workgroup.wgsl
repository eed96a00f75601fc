// Lane reduction, workgroup-memory path (any device): LANES consecutive invocations
// (local index lid, lane = lid % LANES) form a group; lanes_sum returns on every lane the
// exact-as-possible sum of the group's float32 pairs (hi + lo), merged by error-free
// TwoSum: (a_hi + a_lo) + (b_hi + b_lo) = (s, e + a_lo + b_lo) with s + e = a_hi + b_hi.
// A tree over strides LANES/2 … 1 with a barrier per level, then a broadcast of lane 0's
// sum. Call it in uniform control flow (it has barriers), from every invocation.
// #include float_pairs

var<workgroup> lane_scratch: array<vec2f, WG>;

fn lanes_sum(value: vec2f, lid: u32) -> vec2f {
  let lane = lid % LANES;
  lane_scratch[lid] = value;
  workgroupBarrier();
  for (var stride = LANES / 2u; stride > 0u; stride >>= 1u) {
    if (lane < stride) { lane_scratch[lid] = pair_merge(lane_scratch[lid], lane_scratch[lid + stride]); }
    workgroupBarrier();
  }
  let total = lane_scratch[lid - lane];
  // The scratch is reused by the next call: nobody may overwrite it before all have read.
  workgroupBarrier();
  return total;
}

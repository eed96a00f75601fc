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
// #include float_pairs

fn lanes_sum(value: vec2f, lid: u32) -> vec2f {
  var total = value;
  for (var offset = 1u; offset < LANES; offset <<= 1u) {
    let other = subgroupShuffleXor(total, offset);
    total = select(pair_merge(other, total), pair_merge(total, other), (lid & offset) == 0u);
  }
  return total;
}

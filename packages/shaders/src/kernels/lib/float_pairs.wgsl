// Included by `// #include float_pairs`: error-free transformations on float32 and unevaluated pairs
// (hi + lo, "double-float"), exact whether or not the compiler fuses a·b + c:
//   two_sum(a, b) = (s, e) with s + e = a + b exactly (Knuth's TwoSum); two_sum4 per component
//   two_prod(a, b) = (p, e) with p + e = a·b exactly (Dekker's product; the operands split
//     into 12-bit halves by masking, so products of halves are exact)
//   pair_merge(a, b) = (a_hi + a_lo) + (b_hi + b_lo) as (s, e + a_lo + b_lo), s + e = a_hi + b_hi
//   pair_value(p) = hi + lo, or hi alone once hi is not finite (lo is then NaN, from inf − inf
//     inside TwoSum, and would turn an overflow that must be reported into a NaN that a later
//     max(·, 0) could drop)

fn two_sum(a: f32, b: f32) -> vec2f {
  let s = a + b;
  let bb = s - a;
  return vec2f(s, (a - (s - bb)) + (b - bb));
}

fn two_sum4(a: vec4f, b: vec4f) -> array<vec4f, 2> {
  let s = a + b;
  let bb = s - a;
  return array<vec4f, 2>(s, (a - (s - bb)) + (b - bb));
}

// The top 12 significand bits of x: products of two such halves are exact in float32.
fn high_half(x: f32) -> f32 {
  return bitcast<f32>(bitcast<u32>(x) & 0xfffff000u);
}

fn two_prod(a: f32, b: f32) -> vec2f {
  let p = a * b;
  let ah = high_half(a);
  let al = a - ah;
  let bh = high_half(b);
  let bl = b - bh;
  return vec2f(p, (((ah * bh - p) + ah * bl) + al * bh) + al * bl);
}

fn pair_merge(a: vec2f, b: vec2f) -> vec2f {
  let t = two_sum(a.x, b.x);
  return vec2f(t.x, (t.y + a.y) + b.y);
}

fn pair_value(p: vec2f) -> f32 {
  let finite = (bitcast<u32>(p.x) & 0x7f800000u) != 0x7f800000u;
  return select(p.x, p.x + p.y, finite);
}

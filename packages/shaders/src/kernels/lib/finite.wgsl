// Included by `// #include finite`: is_finite(x), false for ±∞ and NaN (exponent bits all ones),
// and all_finite(v), true when all four components of v are finite; read from the bits
// because a compiler may assume floats finite and fold `x == x` away.

fn is_finite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

fn all_finite(v: vec4f) -> bool {
  return all((bitcast<vec4u>(v) & vec4u(0x7f800000u)) != vec4u(0x7f800000u));
}

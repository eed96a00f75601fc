// Included by `// #include finite`: is_finite(x), false for ±∞ and NaN (exponent bits all ones), read
// from the bits because a compiler may assume floats finite and fold `x == x` away.

fn is_finite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

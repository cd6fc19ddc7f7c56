// Small numeric helpers shared by the harness, the reference and the backends: a portable seeded
// normal generator and rounding of float values to bf16/f16.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

#include "convbench/problem.hpp"

namespace convbench {

/// Standard-normal values from splitmix64 + Box–Muller: the same sequence on every platform and
/// standard library (std::normal_distribution is not specified bit-for-bit).
class NormalSource {
 public:
  explicit NormalSource(uint64_t seed) : state_(seed) {}
  uint64_t next_u64() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  /// Uniform in (0, 1].
  double next_unit() { return (static_cast<double>(next_u64() >> 11) + 1.0) * 0x1.0p-53; }
  float next() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double r = std::sqrt(-2.0 * std::log(next_unit()));
    const double a = 6.283185307179586 * next_unit();
    spare_ = static_cast<float>(r * std::sin(a));
    has_spare_ = true;
    return static_cast<float>(r * std::cos(a));
  }

 private:
  uint64_t state_;
  float spare_ = 0;
  bool has_spare_ = false;
};

/// The bf16 bit pattern of `x`, rounded to nearest even.
inline uint16_t to_bf16_bits(float x) {
  uint32_t u;
  std::memcpy(&u, &x, 4);
  if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((u >> 16) | 0x40);  // NaN
  u += 0x7fffu + ((u >> 16) & 1u);
  return static_cast<uint16_t>(u >> 16);
}
inline float from_bf16_bits(uint16_t b) {
  uint32_t u = static_cast<uint32_t>(b) << 16;
  float x;
  std::memcpy(&x, &u, 4);
  return x;
}

/// The IEEE binary16 bit pattern of `x`, rounded to nearest even.
inline uint16_t to_f16_bits(float x) {
  const _Float16 h = static_cast<_Float16>(x);
  uint16_t b;
  std::memcpy(&b, &h, 2);
  return b;
}
inline float from_f16_bits(uint16_t b) {
  _Float16 h;
  std::memcpy(&h, &b, 2);
  return static_cast<float>(h);
}

/// `x` rounded to the nearest value the dtype stores (f32 and tf32 data are stored as float).
inline float round_to(DType d, float x) {
  switch (d) {
    case DType::bf16: return from_bf16_bits(to_bf16_bits(x));
    case DType::f16: return static_cast<float>(static_cast<_Float16>(x));
    default: return x;
  }
}

}  // namespace convbench

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
  /// The source as it stands after `values` (an even number) values of NormalSource(seed): splitmix64's
  /// state only adds a constant per draw, and each pair of values takes two draws. Lets a long stream be
  /// generated in pieces, in parallel, identical to generating it in one go.
  static NormalSource after(uint64_t seed, uint64_t values) { return NormalSource(seed + values * kGolden); }
  uint64_t next_u64() {
    uint64_t z = (state_ += kGolden);
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
  static constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ull;
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

/// The IEEE binary16 bit pattern of `x`, rounded to nearest even (overflow gives infinity). Written out
/// rather than through _Float16, which not every compiler supports.
inline uint16_t to_f16_bits(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const auto sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  uint32_t mant = x & 0x7fffffu;
  const int32_t exp = static_cast<int32_t>((x >> 23) & 0xffu);
  if (exp == 0xff) return static_cast<uint16_t>(sign | 0x7c00u | (mant ? 0x200u | (mant >> 13) : 0u));  // inf, NaN
  const int32_t e = exp - 127 + 15;
  if (e >= 31) return static_cast<uint16_t>(sign | 0x7c00u);
  if (e <= 0) {  // a subnormal half, or zero
    if (e < -10) return sign;
    mant |= 0x800000u;
    const auto shift = static_cast<uint32_t>(14 - e);
    uint32_t half = mant >> shift;
    const uint32_t rem = mant & ((1u << shift) - 1), halfway = 1u << (shift - 1);
    if (rem > halfway || (rem == halfway && (half & 1u))) ++half;
    return static_cast<uint16_t>(sign | half);
  }
  uint32_t half = (static_cast<uint32_t>(e) << 10) | (mant >> 13);
  const uint32_t rem = mant & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (half & 1u))) ++half;  // a carry may round up to infinity, correctly
  return static_cast<uint16_t>(sign | half);
}

inline float from_f16_bits(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1fu, mant = h & 0x3ffu, x;
  if (exp == 0) {
    if (mant == 0) {
      x = sign;
    } else {  // subnormal: normalise
      int32_t shifts = 0;
      while (!(mant & 0x400u)) mant <<= 1, ++shifts;
      x = sign | (static_cast<uint32_t>(127 - 15 + 1 - shifts) << 23) | ((mant & 0x3ffu) << 13);
    }
  } else if (exp == 31) {
    x = sign | 0x7f800000u | (mant << 13);
  } else {
    x = sign | ((exp - 15 + 127) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &x, 4);
  return f;
}

/// `x` rounded to the nearest TF32 value (10 stored mantissa bits, float's exponent range), ties to even.
/// TF32 tensor cores multiply such values exactly, so only the accumulation differs from FP32.
inline float round_to_tf32(float f) {
  uint32_t x = 0;
  std::memcpy(&x, &f, sizeof x);
  // inf and NaN stay as they are; otherwise add half a TF32 step (ties to even) and drop the 13 low bits
  if ((x & 0x7f800000u) != 0x7f800000u) x = (x + 0xfffu + ((x >> 13) & 1u)) & ~0x1fffu;
  std::memcpy(&f, &x, sizeof f);
  return f;
}

/// `x` rounded to the nearest value the dtype's inputs hold: bf16, f16, TF32 (stored as float, so that
/// TF32 and FP32 math see the very same numbers), or float.
inline float round_to(DType d, float x) {
  switch (d) {
    case DType::tf32:
      return round_to_tf32(x);
    case DType::bf16:
      return from_bf16_bits(to_bf16_bits(x));
    case DType::f16:
      return from_f16_bits(to_f16_bits(x));
    default:
      return x;
  }
}

}  // namespace convbench

// The float64 reference convolution and the checks built on it.
#pragma once

#include <cstdint>
#include <vector>

#include "convbench/backend.hpp"
#include "convbench/host_buffer.hpp"
#include "convbench/problem.hpp"

namespace convbench {

/// Offsets of one element in the problem's layout.
int64_t input_offset(const Problem& p, int64_t n, int64_t c, int64_t y, int64_t x);
int64_t weight_offset(const Problem& p, int64_t k, int64_t c, int64_t r, int64_t s);  ///< c within the group
int64_t output_offset(const Problem& p, int64_t n, int64_t k, int64_t y, int64_t x);

/// One output element computed directly in float64.
double reference_at(const Problem& p, const HostTensors& t, int64_t n, int64_t k, int64_t y, int64_t x);
/// The whole output in float64, in the problem's layout. Meant for small problems.
std::vector<double> reference_conv(const Problem& p, const HostTensors& t);

/// Normwise relative error tolerated for a dtype: 1e-5 f32, 1e-3 tf32, 1e-2 bf16 and f16.
double tolerance(DType d);
/// The largest finite value of the type a problem's output is stored in: 65504 for f16, bf16's for bf16, and
/// float's for f32 and tf32.
double largest_finite(DType d);

struct Check {
  double error = 0;  ///< normwise relative error ||got - want||₂ / ||want||₂ over the finite expected points
  double tolerance = 0;
  int64_t points = 0;              ///< output elements compared
  bool sampled = false;            ///< true when only a seeded sample of positions was compared
  int64_t nonfinite_inputs = 0;    ///< inf or NaN values among the input and weights
  int64_t nonfinite_expected = 0;  ///< compared positions whose expected value is inf or NaN (matched exactly)
  /// Compared positions whose expected value is finite but beyond the output type's range (within the
  /// tolerance of its largest value), and whose output is the infinity of its sign, as rounding gives.
  int64_t overflowed = 0;
  /// The first output index (in the output buffer) where a non-finite value disagrees: an inf or NaN where
  /// a finite value was expected, or an expected inf/NaN not reproduced exactly; -1 when none.
  int64_t mismatch_index = -1;
  bool ok() const { return mismatch_index < 0 && error <= tolerance; }
};

/// Compares an output (problem layout) with the float64 reference: every element for small outputs,
/// else `samples` seeded random positions, so the seed problem checks in milliseconds. Where the input or
/// weights hold inf or NaN, every element is compared up to 2^22 of them, and beyond that every position
/// where the output is non-finite is compared as well. An infinite output where the float64 value is beyond
/// the range of the output's type (p.dtype) is what rounding gives, counted in `overflowed`, not a mismatch.
Check check_against_reference(const Problem& p, const HostTensors& t, FloatView got, uint64_t seed,
                              int64_t samples = 8192);

/// How many inf or NaN values the input and weights hold.
int64_t count_nonfinite(const HostTensors& t);

/// `got` against `want` (same length), element by element: non-finite expected values must match exactly,
/// the rest by normwise relative error. `tolerance` is copied into the result.
Check compare_outputs(FloatView got, FloatView want, double tolerance);

}  // namespace convbench

// The float64 reference convolution and the checks built on it.
#pragma once

#include <cstdint>
#include <vector>

#include "convbench/backend.hpp"
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

struct Check {
  double error = 0;  ///< normwise relative error ||got - want||₂ / ||want||₂ over the checked points
  double tolerance = 0;
  int64_t points = 0;    ///< output elements compared
  bool sampled = false;  ///< true when only a seeded sample of positions was compared
  bool ok() const { return error <= tolerance; }
};

/// Compares an output (problem layout) with the float64 reference: every element for small outputs,
/// else `samples` seeded random positions, so the seed problem checks in milliseconds.
Check check_against_reference(const Problem& p, const HostTensors& t, const std::vector<float>& got, uint64_t seed,
                              int64_t samples = 8192);

/// Normwise relative error of `got` against `want` (same length).
double normwise_error(const std::vector<float>& got, const std::vector<float>& want);

}  // namespace convbench

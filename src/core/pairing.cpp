// The dtype pairing of the two devices.
#include "convbench/pairing.hpp"

#include <algorithm>

#include "convbench/reference.hpp"

namespace convbench {

std::vector<DType> cpu_dtypes_to_try(DType requested, std::optional<DType> forced) {
  if (forced) return {*forced};
  if (requested == DType::f32) return {DType::f32};
  return {requested, DType::f32};
}

std::string mode_name(DeviceKind kind, DType run) {
  if (kind == DeviceKind::cpu && run == DType::tf32) return "f32 with bf16 math";
  return to_string(run);
}

double device_tolerance(DeviceKind kind, DType run) {
  return kind == DeviceKind::cpu && run == DType::tf32 ? tolerance(DType::bf16) : tolerance(run);
}

size_t fastest_mode(const std::vector<ModeTrial>& trials) {
  size_t fastest = 0;
  for (size_t i = 1; i < trials.size(); ++i)
    if (trials[i].best_ms < trials[fastest].best_ms) fastest = i;
  for (size_t i = 0; i < fastest; ++i)
    if (trials[i].best_ms <= trials[fastest].best_ms * (1 + kFasterBy)) return i;
  return fastest;
}

std::optional<size_t> trial_to_repeat(const std::vector<ModeTrial>& trials) {
  const size_t kept = fastest_mode(trials);
  for (size_t i = 0; i < trials.size(); ++i)
    if (i != kept && trials[i].later_runs == 0) return i;
  return std::nullopt;
}

}  // namespace convbench

// What one invocation measured, as plain data that printers read and never change.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "convbench/harness.hpp"
#include "convbench/reference.hpp"

namespace convbench {

/// One device's outcome: a measurement, or the reason it did not run.
struct DeviceResult {
  std::string kind;                        ///< "cpu" or "gpu"
  std::optional<Measurement> measurement;  ///< empty when the device did not run
  std::string not_run_reason;              ///< one line, set when measurement is empty
  std::optional<Check> reference_check;    ///< against the float64 reference, when verified
};

struct RunResult {
  Problem problem;
  uint64_t seed = 0;
  int warmup = 0;
  std::vector<DeviceResult> devices;
  std::optional<Check> cross_check;  ///< GPU output against CPU output, when both ran and verified
  std::optional<double> speedup;     ///< CPU sum / GPU sum, only when both ran and verification passed
};

}  // namespace convbench

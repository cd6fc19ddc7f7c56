// `convbench peak`: measure this machine's compute and bandwidth ceilings and cache them for rooflines.
#pragma once

#include <ostream>

#include "convbench/backend.hpp"
#include "convbench/error.hpp"
#include "flags.hpp"
#include "outcome.hpp"

namespace convbench {

struct PeakOptions {
  DeviceSelection device = DeviceSelection::all;
  BackendSettings backend;
};

/// Measures the ceilings of the selected devices, prints them and saves them to ceilings_path() (warnings on
/// `err`). An unusable GPU is reported and skipped unless `--device gpu` asked for it. A ceilings file that
/// is not a regular file or cannot be read is refused with Error(usage) before anything is measured.
Outcome run_peak(const PeakOptions& o, std::ostream& out, std::ostream& err);

}  // namespace convbench

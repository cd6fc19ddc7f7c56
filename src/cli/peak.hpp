// `convbench peak`: measure this machine's compute and bandwidth ceilings and cache them for rooflines.
#pragma once

#include <ostream>

#include "options.hpp"

namespace convbench {

/// Measures the ceilings of the selected devices, prints them and saves them to ceilings_path().
/// An unusable GPU is reported and skipped unless `--device gpu` asked for it.
ExitCode run_peak(const PeakOptions& o, std::ostream& out, std::ostream& err);

}  // namespace convbench

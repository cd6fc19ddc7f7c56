// `convbench peak`: its flags and their conversion to PeakOptions.
#pragma once

#include <string>

#include "peak.hpp"

namespace CLI {
class App;
}

namespace convbench {

struct PeakFlags {
  std::string device = "all", threads, gpu = "0";
};
CLI::App* declare_peak(CLI::App& app, PeakFlags& f);
PeakOptions to_peak_options(const PeakFlags& f);

}  // namespace convbench

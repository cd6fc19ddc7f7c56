// `convbench compare BASE NEW`: its flags and their conversion to CompareOptions.
#pragma once

#include <string>

#include "compare.hpp"

namespace CLI {
class App;
}

namespace convbench {

struct CompareFlags {
  std::string base, next, threshold = "0.05", noise_floor = "0.02", device = "all", format = "text";
};
CLI::App* declare_compare(CLI::App& app, CompareFlags& f);
CompareOptions to_compare_options(const CompareFlags& f);

}  // namespace convbench

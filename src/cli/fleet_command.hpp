// `convbench fleet FILE...`: its flags and their conversion to FleetOptions.
#pragma once

#include <string>
#include <vector>

#include "fleet.hpp"

namespace CLI {
class App;
}

namespace convbench {

struct FleetFlags {
  std::vector<std::string> files;
  std::string device = "gpu", threshold = "0.05", expect_nodes = "0", format = "table";
};
CLI::App* declare_fleet(CLI::App& app, FleetFlags& f);
FleetOptions to_fleet_options(const FleetFlags& f);

}  // namespace convbench

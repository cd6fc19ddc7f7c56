// `convbench fleet FILE...`: its flags and their conversion to FleetOptions.
#include "fleet_command.hpp"

#include <CLI/CLI.hpp>

#include "convbench/error.hpp"
#include "flags.hpp"

namespace convbench {

CLI::App* declare_fleet(CLI::App& app, FleetFlags& f) {
  CLI::App* fleet = app.add_subcommand(
      "fleet",
      "Merge the records of many nodes or GPUs (one file each, or - for stdin): every problem's fleet median, "
      "each node's deviation from it; exit 19 when a straggler, a failure or a missing node is found.");
  fleet->add_option("FILES", f.files, "result files (json or jsonl), or - for stdin")->required()->type_name("FILE...");
  add_flags(*fleet,
            {{"--device", &f.device, nullptr, "which device's times to compare across the fleet (default gpu)",
              "cpu|gpu"},
             {"--straggler-threshold", &f.threshold, nullptr,
              "a node slower than its fleet median by more than this fraction plus its noise is a straggler "
              "(default 0.05)",
              "FRACTION"},
             {"--expect-nodes", &f.expect_nodes, nullptr,
              "how many nodes should have reported; fewer is flagged (default 0: not checked)", "N"},
             {"--format", &f.format, nullptr, "table, json or csv (default table)", "table|json|csv"}});
  return fleet;
}

FleetOptions to_fleet_options(const FleetFlags& f) {
  FleetOptions o;
  o.files = f.files;
  if (f.device != "cpu" && f.device != "gpu") throw UsageError("--device", f.device, "expected cpu or gpu");
  o.device = f.device == "cpu" ? DeviceKind::cpu : DeviceKind::gpu;
  o.threshold = parse_fraction("--straggler-threshold", f.threshold, 10);
  o.expect_nodes = static_cast<int>(parse_integer("--expect-nodes", f.expect_nodes, 0, 1000000));
  if (f.format == "table")
    o.format = FleetOptions::Format::table;
  else if (f.format == "json")
    o.format = FleetOptions::Format::json;
  else if (f.format == "csv")
    o.format = FleetOptions::Format::csv;
  else
    throw UsageError("--format", f.format, "expected table, json or csv");
  return o;
}

}  // namespace convbench

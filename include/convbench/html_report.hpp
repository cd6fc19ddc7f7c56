// `convbench report --html`: one self-contained page (no scripts, fonts or requests) with SVG charts of a
// set of records: the CPU and GPU medians per problem with the speedup, a roofline per device, each GPU's
// or node's deviation from the fleet median, and where and how the records were made.
#pragma once

#include <string>
#include <vector>

#include "convbench/result.hpp"

namespace convbench {

/// A record and the facts of its metadata the page shows.
struct ReportRecord {
  RunResult result;
  std::string host, timestamp, convbench, onednn, cudnn, gpu_name, cpu_model, command;
};

/// One entry of the fleet chart: its deviation from its group's fleet median.
struct FleetMark {
  std::string label, node;
  double deviation = 0;
  bool straggler = false;
};

/// The page. Chart elements carry classes the tests count: `bar cpu` and `bar gpu` (medians), `point cpu`
/// and `point gpu` (rooflines), `bar fleet` (deviations, plus `straggler`). The fleet chart appears only
/// when `fleet` is not empty.
std::string html_report(const std::vector<ReportRecord>& records, const std::vector<FleetMark>& fleet);

}  // namespace convbench

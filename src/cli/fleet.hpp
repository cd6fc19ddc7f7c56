// `convbench fleet FILE...`: records from many nodes (or GPUs) merged, each problem's fleet median, every
// node's deviation from it, and what to flag: stragglers, failures, missing nodes.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "convbench/result.hpp"
#include "flags.hpp"
#include "outcome.hpp"

namespace convbench {

struct FleetOptions {
  std::vector<std::string> files;     ///< result files; "-" is stdin
  DeviceKind device = DeviceKind::gpu;
  double threshold = 0.05;            ///< a node slower than the fleet median by more than this plus its noise
  int expect_nodes = 0;               ///< 0: not checked
  enum class Format { table, json, csv } format = Format::table;
};

/// One record's place in the fleet: where it ran and what it measured.
struct FleetEntry {
  std::string problem;   ///< the canonical flag form (dtype and layout included)
  std::string label;     ///< the record's label
  std::string node;      ///< host, with ":rank" when a scheduler rank was set
  std::string device;    ///< the GPU's name and UUID, or the CPU model
  std::string model;     ///< GPU name or CPU model: entries are compared within one model
  std::string mode;      ///< the mode the device ran (mode_name()); entries are compared within one mode too
  bool other_mode = false;  ///< the mode is not the dtype asked (a bf16 problem run as f32 on the CPU)
  double ms = 0;         ///< the level: the median of the rounds' medians
  double noise = 0;      ///< twice the level's relative standard error
  double deviation = 0;  ///< ms / the group's fleet median − 1
  bool straggler = false;
  std::string failure;   ///< why this entry failed (did not run, verification); empty when it did not
};

struct FleetReport {
  std::vector<FleetEntry> entries;  ///< grouped by problem and model, in order of first appearance
  std::vector<std::string> nodes;   ///< distinct nodes, sorted
  std::string missing;              ///< "expected N nodes, found M", when short
  int stragglers = 0, failures = 0;
  /// One line per node that has two records of one problem (two runs of one host without a scheduler rank).
  std::vector<std::string> warnings;
  size_t other_device_only = 0;  ///< records skipped because only the other device was asked for
};

/// A record's node: metadata.host, with ":" and the rank (the first of kRankVariables in metadata.scheduler)
/// when the launcher set one, and "/gpuN" for a record of one GPU among several.
std::string node_of(const nlohmann::json& record);

/// Groups the records by problem and device model, and flags each entry against the median of its group's entries
/// that ran its mode (a warning names a group whose nodes ran the device in more than one).
FleetReport build_fleet(const std::vector<nlohmann::json>& records, const FleetOptions& o);

/// Reads the files, prints the report on `out` and its warnings on `err`, and returns
/// ExitCode::fleet_flagged when anything was flagged, ExitCode::nothing_compared when no record measured
/// the device.
Outcome run_fleet(const FleetOptions& o, std::ostream& out, std::ostream& err);

}  // namespace convbench

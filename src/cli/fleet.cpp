// The fleet: records from many nodes grouped by problem and device model, each group's median, every
// entry's deviation from it, and the flags a cluster's acceptance test gates on.
#include "fleet.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "convbench/pairing.hpp"
#include "convbench/record.hpp"
#include "convbench/report.hpp"
#include "convbench/system.hpp"
#include "convbench/text.hpp"
#include "run.hpp"

namespace convbench {
namespace {

using nlohmann::json;

std::string text_at(const json& j, const char* key) {
  return j.contains(key) && j.at(key).is_string() ? j.at(key).get<std::string>() : "";
}

/// The entry of one record, before the fleet's median is known.
FleetEntry entry_of(const json& record, const RunResult& r, const FleetOptions& o) {
  FleetEntry e;
  e.problem = r.problem.describe();
  e.label = r.label;
  e.node = node_of(record);
  const json meta = record.value("metadata", json::object());
  e.model = o.device == DeviceKind::gpu ? text_at(meta, "gpu_name") : text_at(meta, "cpu_model");
  e.device = o.device == DeviceKind::gpu ? e.model + " " + text_at(meta, "gpu_uuid") : e.model;
  const auto d =
      std::find_if(r.devices.begin(), r.devices.end(), [&](const DeviceResult& x) { return x.kind == o.device; });
  if (d == r.devices.end() || !d->measurement) {
    e.failure = d == r.devices.end() ? "not asked for" : not_run_text(*d);
    return e;
  }
  if (e.model.empty()) e.model = e.device = d->measurement->device.name;
  e.mode = mode_name(d->kind, d->dtype);
  e.other_mode = !other_mode_note(r, *d).empty();
  const Level level = level_of({&*d->measurement});
  e.ms = level.ms;
  e.noise = 2 * level.error;
  if (d->reference_check && !d->reference_check->ok())
    e.failure = fmt::format("verification failed (error {:.1e}, tolerance {:.0e})", d->reference_check->error,
                            d->reference_check->tolerance);
  else if (r.cross_check && !r.cross_check->ok())
    e.failure = "the GPU and CPU outputs disagree";
  return e;
}

/// The name a row goes by: the record's label (a suite's layer name, a list's file:line), else its problem.
const std::string& name_of(const FleetEntry& e) { return e.label.empty() ? e.problem : e.label; }

void print_table(const FleetReport& rep, const FleetOptions& o, std::ostream& out) {
  // Nothing is cut short: a node name cut to a column could name two nodes, a problem cut short two
  // problems. The problem goes last, whole, as in compare's table.
  size_t node_width = 4;
  for (const FleetEntry& e : rep.entries) node_width = std::max(node_width, e.node.size());
  fmt::print(out, "{:<{}}  {:>11}  {:>9}  {:>6}  {:<9}  {}\n", "node", node_width, "median ms", "deviation", "noise",
             "verdict", "problem");
  // A group's rows (one problem on one model, contiguous) go by the name of its first record, so that two
  // files that labelled one problem differently still read as one problem.
  const FleetEntry* first = nullptr;
  for (const FleetEntry& e : rep.entries) {
    if (!first || first->problem != e.problem || first->model != e.model) first = &e;
    if (!e.failure.empty())
      fmt::print(out, "{:<{}}  {:>11}  {:>9}  {:>6}  {:<9}  {} ({})\n", e.node, node_width, "-", "-", "-", "FAILED",
                 name_of(*first), e.failure);
    else
      fmt::print(out, "{:<{}}  {:>11.4f}  {:>+8.1f}%  {:>5.1f}%  {:<9}  {}{}\n", e.node, node_width, e.ms,
                 e.deviation * 100, e.noise * 100, e.straggler ? "STRAGGLER" : "ok", name_of(*first),
                 e.other_mode ? fmt::format(" (ran {})", e.mode) : "");
  }
  if (!rep.missing.empty()) fmt::print(out, "missing nodes: {}\n", rep.missing);
  fmt::print(out, "{}, {}: {} beyond {:.1f}% + noise, {}\n", counted(rep.nodes.size(), "node"),
             counted(rep.entries.size(), "entry", "entries"), counted(rep.stragglers, "straggler"), o.threshold * 100,
             counted(rep.failures, "failure"));
}

json report_json(const FleetReport& rep, const FleetOptions& o) {
  json entries = json::array();
  for (const FleetEntry& e : rep.entries)
    entries.push_back({{"problem", e.problem},
                       {"label", e.label},
                       {"node", e.node},
                       {"device", e.device},
                       {"model", e.model},
                       {"mode", e.failure.empty() ? json(e.mode) : json(nullptr)},
                       {"ms", e.failure.empty() ? json(e.ms) : json(nullptr)},
                       {"deviation", e.failure.empty() ? json(e.deviation) : json(nullptr)},
                       {"noise", e.noise},
                       {"straggler", e.straggler},
                       {"failure", e.failure.empty() ? json(nullptr) : json(e.failure)}});
  return {{"schema_version", 1},      {"device", to_string(o.device)},
          {"threshold", o.threshold}, {"nodes", rep.nodes},
          {"entries", entries},       {"stragglers", rep.stragglers},
          {"failures", rep.failures}, {"missing", rep.missing.empty() ? json(nullptr) : json(rep.missing)}};
}

void print_csv(const FleetReport& rep, std::ostream& out) {
  out << "problem,label,node,device,ms,deviation,noise,straggler,failure,mode\n";
  for (const FleetEntry& e : rep.entries)
    out << fmt::format("{},{},{},{},{},{},{},{},{},{}\n", csv_cell(e.problem), csv_cell(e.label), csv_cell(e.node),
                       csv_cell(e.device), e.failure.empty() ? fmt::format("{:.6g}", e.ms) : "",
                       e.failure.empty() ? fmt::format("{:.6g}", e.deviation) : "", fmt::format("{:.6g}", e.noise),
                       e.straggler ? "true" : "false", csv_cell(e.failure), csv_cell(e.mode));
}

}  // namespace

std::string node_of(const json& record) {
  const json meta = record.value("metadata", json::object());
  std::string node = text_at(meta, "host");
  if (node.empty()) node = "unknown-host";
  const json sched = meta.value("scheduler", json::object());
  for (const char* rank : kRankVariables)
    if (sched.contains(rank) && sched.at(rank).is_string()) {
      node += ":" + sched.at(rank).get<std::string>();
      break;
    }
  // A record of one GPU among several (--gpu all) names it.
  if (record.contains("gpu_index") && record.at("gpu_index").is_number_integer())
    node += "/gpu" + std::to_string(record.at("gpu_index").get<int>());
  return node;
}

FleetReport build_fleet(const std::vector<json>& records, const FleetOptions& o) {
  FleetReport rep;
  // Groups of (problem, model), in order of first appearance.
  std::vector<std::vector<FleetEntry>> groups;
  std::map<std::string, size_t> index;
  std::set<std::string> nodes;
  int n = 0;
  for (const json& j : records) {
    const RunResult r = result_from_json(j, fmt::format("fleet: record {}", ++n));
    FleetEntry e = entry_of(j, r, o);
    if (e.failure == "not asked for") {
      ++rep.other_device_only;
      continue;
    }
    nodes.insert(e.node);
    const auto [it, fresh] = index.emplace(e.problem + "\n" + e.model, groups.size());
    if (fresh) groups.emplace_back();
    groups[it->second].push_back(std::move(e));
  }
  std::set<std::string> repeated;  // nodes already warned about
  for (auto& group : groups) {
    std::map<std::string, size_t> per_node;
    for (const FleetEntry& e : group) ++per_node[e.node];
    for (const auto& [node, count] : per_node)
      if (count > 1 && repeated.insert(node).second)
        rep.warnings.push_back(fmt::format(
            "fleet: node '{}' has {} records of '{}': runs of one host without a scheduler rank count as one node; "
            "to compare two runs of one machine, use convbench compare",
            node, count, name_of(group.front())));
    // Each entry against the entries that ran the device in its mode: a node whose CPU ran f32 for a bf16
    // problem, among nodes that ran bf16, is not slow or fast for it, only different.
    std::map<std::string, std::vector<double>> levels;
    for (const FleetEntry& e : group)
      if (e.failure.empty()) levels[e.mode].push_back(e.ms);
    if (levels.size() > 1) {
      std::string modes;
      for (const auto& [mode, of_mode] : levels)
        modes += fmt::format("{}{} on {}", modes.empty() ? "" : ", ", mode, counted(of_mode.size(), "node"));
      rep.warnings.push_back(
          fmt::format("fleet: '{}' ran the {} in {} modes ({}): each node is compared only with "
                      "those that ran its mode",
                      name_of(group.front()), to_string(o.device), levels.size(), modes));
    }
    for (FleetEntry& e : group) {
      const std::vector<double>& of_mode = levels[e.mode];
      if (!e.failure.empty()) {
        ++rep.failures;
      } else if (const double median = median_of(of_mode); median > 0) {
        e.deviation = e.ms / median - 1;
        e.straggler = of_mode.size() >= 2 && e.deviation > o.threshold + e.noise;
        rep.stragglers += e.straggler;
      }
      rep.entries.push_back(e);
    }
  }
  rep.nodes.assign(nodes.begin(), nodes.end());
  if (o.expect_nodes > 0 && static_cast<int>(rep.nodes.size()) < o.expect_nodes)
    rep.missing = fmt::format("expected {} nodes, found {}", o.expect_nodes, rep.nodes.size());
  return rep;
}

Outcome run_fleet(const FleetOptions& o, std::ostream& out, std::ostream& err) {
  const FleetReport rep = build_fleet(read_record_files(o.files, "fleet"), o);
  for (const std::string& w : rep.warnings) warn(err, w);
  switch (o.format) {
    case FleetOptions::Format::table:
      print_table(rep, o, out);
      break;
    case FleetOptions::Format::json:
      out << report_json(rep, o).dump(2) << '\n';
      break;
    case FleetOptions::Format::csv:
      print_csv(rep, out);
      break;
  }
  if (rep.entries.empty()) {
    const char* other = o.device == DeviceKind::gpu ? "cpu" : "gpu";
    return {ExitCode::nothing_compared,
            fmt::format("fleet: nothing to compare: no record has a {} result{}", to_string(o.device),
                        rep.other_device_only ? fmt::format("; --device {} compares the {} that asked for the {}",
                                                            other, counted(rep.other_device_only, "record"), other)
                                              : "")};
  }
  if (rep.stragglers || rep.failures || !rep.missing.empty()) {
    std::string what;
    if (rep.stragglers) what += counted(rep.stragglers, "straggler");
    if (rep.failures) what += (what.empty() ? "" : ", ") + counted(rep.failures, "failure");
    if (!rep.missing.empty()) what += (what.empty() ? "" : ", ") + rep.missing;
    return {ExitCode::fleet_flagged, "fleet: " + what};
  }
  return {};
}

}  // namespace convbench

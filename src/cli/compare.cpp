// Baseline comparison: pair records by problem, compare medians against their measured noise.
#include "compare.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <map>
#include <nlohmann/json.hpp>

#include "convbench/pairing.hpp"
#include "convbench/record.hpp"

namespace convbench {
namespace {

const DeviceResult* find(const RunResult& r, DeviceKind kind) {
  for (const DeviceResult& d : r.devices)
    if (d.kind == kind && d.measurement) return &d;
  return nullptr;
}

double relative_spread(const Stats& s) { return s.mean > 0 ? s.stddev / s.mean : 0.0; }

std::vector<RunResult> load(const std::string& path) {
  std::vector<RunResult> out;
  int i = 0;
  for (const auto& j : read_records(path, "compare"))
    out.push_back(result_from_json(j, fmt::format("compare: '{}' record {}", path, ++i)));
  return out;
}

}  // namespace

const char* to_string(Verdict v) {
  constexpr const char* kNames[] = {"faster", "same", "slower"};  // in Verdict order
  return kNames[static_cast<size_t>(v)];
}

CompareReport compare_results(const std::vector<RunResult>& base, const std::vector<RunResult>& next,
                              DeviceSelection device, double threshold) {
  CompareReport rep;
  std::map<std::string, const RunResult*> by_problem;
  for (const RunResult& r : next) by_problem.emplace(r.problem.describe(), &r);
  std::map<std::string, bool> matched;
  for (const RunResult& b : base) {
    const std::string key = b.problem.describe();
    const auto it = by_problem.find(key);
    if (it == by_problem.end()) {
      rep.only_in_base.push_back(key);
      continue;
    }
    matched[key] = true;
    for (DeviceKind kind : kDeviceKinds) {
      if ((device == DeviceSelection::cpu && kind != DeviceKind::cpu) ||
          (device == DeviceSelection::gpu && kind != DeviceKind::gpu))
        continue;
      const DeviceResult* db = find(b, kind);
      const DeviceResult* dn = find(*it->second, kind);
      if (!db || !dn || db->measurement->stats.median <= 0) continue;
      if (db->dtype != dn->dtype) {  // e.g. the CPU ran bf16 math in one and strict FP32 in the other
        rep.mode_changes.push_back(fmt::format("{} {}: {} -> {}", to_string(kind), key, mode_name(kind, db->dtype),
                                               mode_name(kind, dn->dtype)));
        continue;
      }
      const Measurement* mb = &*db->measurement;
      const Measurement* mn = &*dn->measurement;
      Comparison c;
      c.problem = key;
      c.label = b.label;
      c.device = kind;
      c.base_ms = mb->stats.median;
      c.new_ms = mn->stats.median;
      c.ratio = c.new_ms / c.base_ms;
      c.noise = relative_spread(mb->stats) + relative_spread(mn->stats);
      c.verdict = c.ratio > 1 + c.noise ? Verdict::slower : c.ratio < 1 - c.noise ? Verdict::faster : Verdict::same;
      c.regression = c.ratio - 1 > threshold + c.noise;
      rep.rows.push_back(c);
    }
  }
  for (const RunResult& r : next)
    if (!matched.count(r.problem.describe())) rep.only_in_new.push_back(r.problem.describe());
  return rep;
}

namespace {

/// Why nothing was compared, in one line.
std::string nothing_compared(const CompareOptions& o, size_t base, size_t next, const CompareReport& rep) {
  if (base == 0) return fmt::format("compare: nothing was compared: '{}' holds no records", o.base);
  if (next == 0) return fmt::format("compare: nothing was compared: '{}' holds no records", o.next);
  if (rep.only_in_base.size() == base)
    return fmt::format("compare: nothing was compared: the files share no problem ({} only in base, {} only in new)",
                       rep.only_in_base.size(), rep.only_in_new.size());
  return fmt::format("compare: nothing was compared: no {} measured in both files",
                     o.device == DeviceSelection::all   ? "device was"
                     : o.device == DeviceSelection::cpu ? "CPU run was"
                                                        : "GPU run was");
}

void print_json(const CompareOptions& o, const CompareReport& rep, int regressions, std::ostream& out) {
  nlohmann::json rows = nlohmann::json::array();
  for (const Comparison& c : rep.rows)
    rows.push_back({{"label", c.label},
                    {"problem", c.problem},
                    {"device", to_string(c.device)},
                    {"base_ms", c.base_ms},
                    {"new_ms", c.new_ms},
                    {"ratio", c.ratio},
                    {"noise", c.noise},
                    {"verdict", to_string(c.verdict)},
                    {"regression", c.regression}});
  const nlohmann::json j = {{"schema_version", 1},
                            {"threshold", o.threshold},
                            {"rows", rows},
                            {"only_in_base", rep.only_in_base},
                            {"only_in_new", rep.only_in_new},
                            {"mode_changes", rep.mode_changes},
                            {"compared", rep.rows.size()},
                            {"regressions", regressions}};
  out << j.dump(2) << '\n';
}

void print_table(const CompareOptions& o, const CompareReport& rep, int regressions, std::ostream& out) {
  fmt::print(out, "{:>4}  {:>11}  {:>11}  {:>6}  {:>6}  {:<8}  {}\n", "dev", "base ms", "new ms", "ratio", "noise",
             "verdict", "problem");
  for (const Comparison& c : rep.rows)
    fmt::print(out, "{:>4}  {:>11.4f}  {:>11.4f}  {:>6.3f}  {:>5.1f}%  {:<8}  {}{}\n", to_string(c.device), c.base_ms,
               c.new_ms, c.ratio, c.noise * 100, to_string(c.verdict), c.label.empty() ? c.problem : c.label,
               c.regression ? "  REGRESSION" : "");
  for (const auto& p : rep.only_in_base) fmt::print(out, "only in base: {}\n", p);
  for (const auto& p : rep.only_in_new) fmt::print(out, "only in new:  {}\n", p);
  for (const auto& m : rep.mode_changes) fmt::print(out, "mode changed, not compared: {}\n", m);
  fmt::print(out, "{} compared, {} regression{} beyond {:.1f}% + noise\n", rep.rows.size(), regressions,
             regressions == 1 ? "" : "s", o.threshold * 100);
}

}  // namespace

Outcome run_compare(const CompareOptions& o, std::ostream& out) {
  const std::vector<RunResult> base = load(o.base), next = load(o.next);
  const CompareReport rep = compare_results(base, next, o.device, o.threshold);
  int regressions = 0;
  for (const Comparison& c : rep.rows) regressions += c.regression;
  (o.json ? print_json : print_table)(o, rep, regressions, out);
  if (rep.rows.empty()) return {ExitCode::nothing_compared, nothing_compared(o, base.size(), next.size(), rep)};
  if (regressions)
    return {ExitCode::regression, fmt::format("{} problem{} slowed down by more than {:.1f}% beyond the measured noise",
                                              regressions, regressions == 1 ? "" : "s", o.threshold * 100)};
  return {};
}

}  // namespace convbench

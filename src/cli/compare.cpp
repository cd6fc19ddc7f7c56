// Baseline comparison: pair records by problem, compare medians against their measured noise.
#include "compare.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "convbench/pairing.hpp"
#include "convbench/record.hpp"
#include "convbench/text.hpp"

namespace convbench {
namespace {

/// `kind`'s entry in `r` when that device measured the problem.
const DeviceResult* find(const RunResult& r, DeviceKind kind) {
  const DeviceResult* d = r.device(kind);
  return d && d->measurement ? d : nullptr;
}

/// Records grouped by canonical problem, in order of first appearance: several records of one problem in a
/// file are rounds of it (files appended to by interleaved runs, or --rounds).
std::vector<std::pair<std::string, std::vector<const RunResult*>>> by_problem(const std::vector<RunResult>& rs) {
  std::vector<std::pair<std::string, std::vector<const RunResult*>>> out;
  std::map<std::string, size_t> index;
  for (const RunResult& r : rs) {
    const std::string key = r.problem.describe();
    const auto [it, fresh] = index.emplace(key, out.size());
    if (fresh) out.push_back({key, {}});
    out[it->second].second.push_back(&r);
  }
  return out;
}

/// How `d` was measured, beyond its problem: the mode it ran, then a cold cache and timed transfers where they
/// were asked for. Two runs measured differently time different things, so they are not compared.
std::string measured_as(const DeviceResult& d) {
  std::string how = mode_name(d.kind, d.dtype);
  if (d.measurement->cache == CacheMode::cold) how += ", cold cache";
  for (const auto& [key, value] : d.measurement->prepare.details)
    if (key == kTransfersDetail && value == kTransfersTimed) how += ", transfers timed";
  return how;
}

/// The measurements of `kind` in `records`, and how they were measured (measured_as(); the last record's, with
/// `mixed` set when two records differ).
std::vector<const Measurement*> measurements(const std::vector<const RunResult*>& records, DeviceKind kind,
                                             std::optional<std::string>& how, bool& mixed) {
  std::vector<const Measurement*> out;
  for (const RunResult* r : records)
    if (const DeviceResult* d = find(*r, kind); d && d->measurement->stats.median > 0) {
      const std::string as = measured_as(*d);
      if (how && *how != as) mixed = true;
      how = as;
      out.push_back(&*d->measurement);
    }
  return out;
}

/// The first device of `kind` that started and failed in `records`, if any.
const DeviceResult* failed(const std::vector<const RunResult*>& records, DeviceKind kind) {
  for (const RunResult* r : records)
    if (const DeviceResult* d = r->device(kind); d && d->failed()) return d;
  return nullptr;
}

std::vector<RunResult> load(const std::string& path) {
  std::vector<RunResult> out;
  int i = 0;
  for (const auto& j : read_records(path, "compare"))
    out.push_back(result_from_json(j, fmt::format("compare: '{}' record {}", path, ++i)));
  return out;
}

}  // namespace

namespace {

/// Verdicts for the rows of one device. Between two runs the levels drift by more than either run can
/// see (a slow spell of a shared machine, a process that got unlucky memory placement). With enough
/// problems that drift is measured: the robust spread of the log ratios across the problems. A problem is
/// a regression alone when its slowdown passes the threshold, its own noise, and the modified Z-score
/// cut (3.5 spreads) that marks an outlier among the set; the set is a regression when its median ratio
/// passes the threshold and that median's standard error. With fewer problems the --noise-floor stands in.
void judge(CompareReport& rep, DeviceKind kind, double threshold, double noise_floor) {
  std::vector<double> logs;
  for (const Comparison& c : rep.rows)
    if (c.device == kind) logs.push_back(std::log(c.ratio));
  if (logs.empty()) return;
  double between = noise_floor;
  if (logs.size() >= kMinProblemsForSpread) {
    const double med = median_of(logs);
    std::vector<double> dev;
    for (double l : logs) dev.push_back(std::fabs(l - med));
    const double spread = 1.4826 * median_of(dev);
    between = std::max(noise_floor, kOutlierZ * spread);
    SetVerdict set;
    set.device = kind;
    set.problems = static_cast<int>(logs.size());
    set.median_ratio = std::exp(med);
    set.spread = spread;
    set.noise = 2 * 1.2533 * spread / std::sqrt(static_cast<double>(logs.size()));
    set.regression = set.median_ratio - 1 > threshold + set.noise;
    rep.sets.push_back(set);
  }
  for (Comparison& c : rep.rows) {
    if (c.device != kind) continue;
    c.noise += between;
    c.verdict = c.ratio > 1 + c.noise ? Verdict::slower : c.ratio < 1 - c.noise ? Verdict::faster : Verdict::same;
    c.regression = c.ratio - 1 > threshold + c.noise;
  }
}

}  // namespace

const char* to_string(Verdict v) {
  constexpr const char* kNames[] = {"faster", "same", "slower"};  // in Verdict order
  return kNames[static_cast<size_t>(v)];
}

CompareReport compare_results(const std::vector<RunResult>& base, const std::vector<RunResult>& next,
                              DeviceSelection device, double threshold, double noise_floor) {
  CompareReport rep;
  const auto base_groups = by_problem(base), next_groups = by_problem(next);
  std::map<std::string, const std::vector<const RunResult*>*> next_index;
  for (const auto& [key, records] : next_groups) next_index.emplace(key, &records);
  std::map<std::string, bool> matched;
  for (const auto& [key, base_records] : base_groups) {
    const auto it = next_index.find(key);
    if (it == next_index.end()) {
      rep.only_in_base.push_back(key);
      continue;
    }
    matched[key] = true;
    for (DeviceKind kind : kDeviceKinds) {
      if ((device == DeviceSelection::cpu && kind != DeviceKind::cpu) ||
          (device == DeviceSelection::gpu && kind != DeviceKind::gpu))
        continue;
      std::optional<std::string> base_mode, next_mode;
      bool mixed = false;
      const auto mb = measurements(base_records, kind, base_mode, mixed);
      const auto mn = measurements(*it->second, kind, next_mode, mixed);
      const std::string& label = base_records.front()->label;
      if (const DeviceResult* f = failed(*it->second, kind); f && !mb.empty()) {
        rep.failed_in_new.push_back(
            fmt::format("{} {}: {}", to_string(kind), label.empty() ? key : label, f->not_run_reason));
        continue;
      }
      if (mb.empty() || mn.empty()) continue;
      // e.g. the CPU ran bf16 math in one and strict FP32 in the other, or one flushed the caches
      if (mixed || *base_mode != *next_mode) {
        rep.mode_changes.push_back(fmt::format("{} {}: {} -> {}", to_string(kind), key, *base_mode, *next_mode));
        continue;
      }
      const Level lb = level_of(mb), ln = level_of(mn);
      Comparison c;
      c.problem = key;
      c.label = label;
      c.device = kind;
      c.base_ms = lb.ms;
      c.new_ms = ln.ms;
      c.base_rounds = lb.rounds;
      c.new_rounds = ln.rounds;
      c.ratio = c.new_ms / c.base_ms;
      c.noise = 2 * std::hypot(lb.error, ln.error);  // the levels' own; judge() adds the between-run part
      rep.rows.push_back(c);
    }
  }
  for (const auto& [key, records] : next_groups)
    if (!matched.count(key)) rep.only_in_new.push_back(key);
  for (DeviceKind kind : kDeviceKinds) judge(rep, kind, threshold, noise_floor);
  return rep;
}

namespace {

/// Why nothing was compared, in one line; when only the other device was measured in both files, the
/// --device that compares it.
std::string nothing_compared(const CompareOptions& o, const std::vector<RunResult>& base,
                             const std::vector<RunResult>& next, const CompareReport& rep) {
  if (base.empty()) return fmt::format("compare: nothing was compared: '{}' holds no records", o.base);
  if (next.empty()) return fmt::format("compare: nothing was compared: '{}' holds no records", o.next);
  if (rep.only_in_base.size() == base.size())
    return fmt::format("compare: nothing was compared: the files share no problem ({} only in base, {} only in new)",
                       rep.only_in_base.size(), rep.only_in_new.size());
  if (!rep.mode_changes.empty())  // measured in both, but not alike
    return fmt::format("compare: nothing was compared: what both files measured, they measured differently ({}{})",
                       rep.mode_changes.front(),
                       rep.mode_changes.size() > 1 ? fmt::format(", and {} more", rep.mode_changes.size() - 1) : "");
  if (o.device == DeviceSelection::all) return "compare: nothing was compared: no device was measured in both files";
  const bool cpu = o.device == DeviceSelection::cpu;
  const std::string line =
      fmt::format("compare: nothing was compared: no {} run was measured in both files", cpu ? "CPU" : "GPU");
  const size_t other =
      compare_results(base, next, cpu ? DeviceSelection::gpu : DeviceSelection::cpu, o.threshold, o.noise_floor)
          .rows.size();
  return other ? fmt::format("{}; --device {} compares the {} measured in both", line, cpu ? "gpu" : "cpu",
                             counted(other, cpu ? "GPU run" : "CPU run"))
               : line;
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
                    {"base_rounds", c.base_rounds},
                    {"new_rounds", c.new_rounds},
                    {"verdict", to_string(c.verdict)},
                    {"regression", c.regression}});
  nlohmann::json sets = nlohmann::json::array();
  for (const SetVerdict& s : rep.sets)
    sets.push_back({{"device", to_string(s.device)},
                    {"problems", s.problems},
                    {"median_ratio", s.median_ratio},
                    {"spread", s.spread},
                    {"noise", s.noise},
                    {"regression", s.regression}});
  const nlohmann::json j = {{"schema_version", 1},
                            {"threshold", o.threshold},
                            {"noise_floor", o.noise_floor},
                            {"rows", rows},
                            {"only_in_base", rep.only_in_base},
                            {"only_in_new", rep.only_in_new},
                            {"mode_changes", rep.mode_changes},
                            {"failed_in_new", rep.failed_in_new},
                            {"sets", sets},
                            {"compared", rep.rows.size()},
                            {"regressions", regressions}};
  out << j.dump(2) << '\n';
}

void print_table(const CompareOptions& o, const CompareReport& rep, int regressions, std::ostream& out) {
  fmt::print(out, "{:>4}  {:>11}  {:>11}  {:>6}  {:>6}  {:>6}  {:<8}  {}\n", "dev", "base ms", "new ms", "rounds",
             "ratio", "noise", "verdict", "problem");
  for (const Comparison& c : rep.rows)
    fmt::print(out, "{:>4}  {:>11.4f}  {:>11.4f}  {:>6}  {:>6.3f}  {:>5.1f}%  {:<8}  {}{}\n", to_string(c.device),
               c.base_ms, c.new_ms, fmt::format("{}/{}", c.base_rounds, c.new_rounds), c.ratio, c.noise * 100,
               to_string(c.verdict), c.label.empty() ? c.problem : c.label, c.regression ? "  REGRESSION" : "");
  for (const auto& p : rep.only_in_base) fmt::print(out, "only in base: {}\n", p);
  for (const auto& p : rep.only_in_new) fmt::print(out, "only in new:  {}\n", p);
  for (const auto& m : rep.mode_changes) fmt::print(out, "mode changed, not compared: {}\n", m);
  for (const auto& f : rep.failed_in_new) fmt::print(out, "failed in new: {}  REGRESSION\n", f);
  for (const SetVerdict& s : rep.sets)
    fmt::print(out, "{}: the set of {} problems: median ratio {:.3f}, noise {:.1f}%, spread between problems {:.1f}%{}\n",
               to_string(s.device), s.problems, s.median_ratio, s.noise * 100, s.spread * 100,
               s.regression ? "  REGRESSION" : "");
  fmt::print(out, "{} compared, {} beyond {:.1f}% + noise{}\n", rep.rows.size(), counted(regressions, "regression"),
             o.threshold * 100,
             rep.failed_in_new.empty() ? "" : ", " + counted(rep.failed_in_new.size(), "device") + " failed in new");
}

}  // namespace

Outcome run_compare(const CompareOptions& o, std::ostream& out) {
  const std::vector<RunResult> base = load(o.base), next = load(o.next);
  const CompareReport rep = compare_results(base, next, o.device, o.threshold, o.noise_floor);
  int regressions = 0;
  for (const Comparison& c : rep.rows) regressions += c.regression;
  (o.json ? print_json : print_table)(o, rep, regressions, out);
  if (rep.rows.empty() && rep.failed_in_new.empty())
    return {ExitCode::nothing_compared, nothing_compared(o, base, next, rep)};
  std::string what;
  for (const std::string& f : rep.failed_in_new)
    what += fmt::format("{}failed in new: {}", what.empty() ? "" : "; ", f);
  for (const SetVerdict& s : rep.sets)
    if (s.regression)
      what += fmt::format("{}the {} set of {} problems slowed down by {:.1f}% (median)", what.empty() ? "" : "; ",
                          to_string(s.device), s.problems, (s.median_ratio - 1) * 100);
  if (regressions)
    what += fmt::format("{}{} problem{} slowed down by more than {:.1f}% beyond the measured noise",
                        what.empty() ? "" : "; ", regressions, regressions == 1 ? "" : "s", o.threshold * 100);
  if (!what.empty()) return {ExitCode::regression, what};
  return {};
}

}  // namespace convbench

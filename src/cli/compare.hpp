// `convbench compare BASE NEW`: per-problem time ratios with a noise-aware verdict, for CI gates.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "convbench/result.hpp"
#include "flags.hpp"
#include "outcome.hpp"

namespace convbench {

/// The drift between two runs of unchanged code that neither run can see in its own spread, as a fraction;
/// measured by bench/compare_noise.sh (bench/RESULTS.md).
constexpr double kDefaultNoiseFloor = 0.02;

struct CompareOptions {
  std::string base, next;  ///< result files
  double threshold = 0.05;
  double noise_floor = kDefaultNoiseFloor;
  DeviceSelection device = DeviceSelection::all;
  bool json = false;  ///< one JSON object on stdout instead of the table
};

enum class Verdict { faster, same, slower };
const char* to_string(Verdict v);

struct Comparison {
  std::string problem;  ///< the canonical flag form (dtype and layout included)
  std::string label;    ///< the base record's label (suite entry or FILE:LINE), may be empty
  DeviceKind device = DeviceKind::cpu;
  double base_ms = 0, new_ms = 0;   ///< each file's level: the median of its rounds' medians
  int base_rounds = 0, new_rounds = 0;  ///< rounds of the problem in each file (records, or a record's rounds)
  double ratio = 0;                     ///< new / base
  /// relative: twice the combined standard error of the two levels, plus the drift between the runs (the
  /// noise floor, or kOutlierZ × the spread of the set's ratios when it is larger)
  double noise = 0;
  Verdict verdict = Verdict::same;  ///< slower when ratio > 1 + noise, faster when ratio < 1 − noise
  bool regression = false;          ///< ratio − 1 > threshold + noise
};

/// With kMinProblemsForSpread problems or more on a device, the drift between the two runs is measured from
/// the spread of the problems' ratios, and a problem must stand out of it by kOutlierZ spreads.
constexpr size_t kMinProblemsForSpread = 5;
constexpr double kOutlierZ = 3.5;

/// The verdict on a device's whole set of problems (kMinProblemsForSpread or more).
struct SetVerdict {
  DeviceKind device = DeviceKind::cpu;
  int problems = 0;
  double median_ratio = 0;  ///< the median over the problems of new / base
  double spread = 0;        ///< the robust spread (1.4826 × MAD) of the problems' log ratios
  double noise = 0;         ///< twice the median's standard error, 1.2533 × spread / √problems
  bool regression = false;  ///< median_ratio − 1 > threshold + noise
};

struct CompareReport {
  std::vector<Comparison> rows;
  std::vector<SetVerdict> sets;
  std::vector<std::string> only_in_base, only_in_new;  ///< problems present in one file only
  /// "<dev> <problem>: <base> -> <new>" where a device was measured differently (another mode, a cold cache or
  /// timed transfers in one file only, as "f32, cold cache"): not compared
  std::vector<std::string> mode_changes;
  /// "<dev> <problem>: <reason>" where a device measured in base failed in new (out of memory, a library
  /// failure): each counts as a regression
  std::vector<std::string> failed_in_new;
};

/// Pairs records by canonical problem (several records of a problem in one file are its rounds) and compares
/// the level of each device that both ran.
CompareReport compare_results(const std::vector<RunResult>& base, const std::vector<RunResult>& next,
                              DeviceSelection device, double threshold, double noise_floor = kDefaultNoiseFloor);

/// Reads both files, prints the table (or JSON), and returns ExitCode::regression when any problem regressed
/// or a device measured in base failed in new, ExitCode::nothing_compared when no problem and device was measured in
/// both files.
Outcome run_compare(const CompareOptions& o, std::ostream& out);

}  // namespace convbench

// The validated options of one invocation, and the command-line definition that produces them.
#pragma once

#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "check.hpp"
#include "convbench/backend.hpp"
#include "convbench/harness.hpp"
#include "convbench/problem.hpp"
#include "convbench/report.hpp"

namespace convbench {

enum class DeviceSelection { all, cpu, gpu };

/// A problem with where it came from: a suite entry, "file:line", or empty for the command line.
struct LabeledProblem {
  std::string label;
  Problem problem;
};

struct Options {
  std::vector<LabeledProblem> problems;  ///< at least one; a single command-line problem has an empty label
  HarnessConfig harness;
  DeviceSelection device = DeviceSelection::all;
  std::optional<DType> cpu_dtype;  ///< --cpu-dtype; empty: the CPU's best mode for each problem's dtype
  BackendSettings backend;
  uint64_t seed = 0;
  bool verify = true;
  bool require_gpu = false;  ///< fail with the `check` exit codes instead of a CPU-only report
  Format format = Format::table;
  std::string output;  ///< --output FILE; empty means stdout
  bool quiet = false;
  std::string input_data, weights_data, save_output;  ///< .npy paths, or empty
  std::vector<std::string> argv;
};

struct CompareOptions {
  std::string base, next;  ///< result files
  double threshold = 0.05;
  DeviceSelection device = DeviceSelection::all;
};

struct PeakOptions {
  DeviceSelection device = DeviceSelection::all;
  BackendSettings backend;
};

/// The command line's problem flags, as text: the defaults of every line of a problem list.
struct ProblemDefaults {
  std::string batch = "100", input = "100x100x3", filter = "32x7x7", stride = "1", padding = "valid", dilation = "1",
              groups = "1", layout = "nhwc", dtype = "f32";
};

/// Reads a problem list: one problem per line, as flags or a descriptor; `#` starts a comment. Errors
/// name `name:line`. Throws UsageError (or the error's own code) on the first bad line, or when empty.
std::vector<LabeledProblem> read_problem_list(std::istream& in, const std::string& name,
                                              const ProblemDefaults& defaults);

/// One of: options for a benchmark run, for `convbench check`, `compare` or `peak`, or text (help,
/// version, the suite list) to print on stdout before exiting 0.
struct ParsedCommandLine {
  std::optional<Options> options;
  std::optional<CheckOptions> check;
  std::optional<CompareOptions> compare;
  std::optional<PeakOptions> peak;
  std::string text;
};

/// Parses and validates argv. Throws UsageError with a one-line message on any bad input.
/// A missing --seed is drawn from std::random_device, so that the printed seed reproduces the run.
ParsedCommandLine parse_command_line(int argc, const char* const* argv);

// The value parsers, exposed for tests. Each throws UsageError naming `flag`.
int64_t parse_integer(const std::string& flag, const std::string& text, int64_t lo, int64_t hi);
/// "AxBxC…" with one of the allowed part counts; every part in [lo, hi].
std::vector<int64_t> parse_dims(const std::string& flag, const std::string& text, const std::vector<size_t>& counts,
                                const std::string& shape, int64_t lo, int64_t hi);
DType parse_dtype(const std::string& text);
Layout parse_layout(const std::string& text);
DeviceSelection parse_device(const std::string& text);
AlgoSearch parse_algo(const std::string& text);
/// Seconds, greater than 0 and at most 600.
double parse_seconds(const std::string& flag, const std::string& text);

/// Exit-code table printed by --help and documented in README.md.
const char* exit_code_help();

}  // namespace convbench

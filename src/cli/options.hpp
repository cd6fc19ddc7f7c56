// The validated options of one invocation, and the command-line definition that produces them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/check.hpp"
#include "convbench/backend.hpp"
#include "convbench/harness.hpp"
#include "convbench/problem.hpp"

namespace convbench {

enum class DeviceSelection { all, cpu, gpu };

struct Options {
  Problem problem;
  HarnessConfig harness;
  DeviceSelection device = DeviceSelection::all;
  BackendSettings backend;
  uint64_t seed = 0;
  bool verify = true;
  bool require_gpu = false;  ///< fail with the `check` exit codes instead of a CPU-only report
};

/// One of: options for a benchmark run, options for `convbench check`, or text (help, version) to
/// print on stdout before exiting 0.
struct ParsedCommandLine {
  std::optional<Options> options;
  std::optional<CheckOptions> check;
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

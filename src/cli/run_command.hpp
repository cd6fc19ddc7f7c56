// The default command (a benchmark run): its flags, declared on the top-level app, and their conversion to
// validated RunOptions.
#pragma once

#include <cstdint>
#include <optional>
#include <functional>
#include <string>
#include <vector>

#include "convbench/backend.hpp"
#include "convbench/harness.hpp"
#include "convbench/problem.hpp"
#include "convbench/report.hpp"
#include "convbench/system.hpp"
#include "flags.hpp"
#include "problem_flags.hpp"

namespace CLI {
class App;
}

namespace convbench {

struct RunOptions {
  std::vector<LabeledProblem> problems;  ///< at least one; a single command-line problem has an empty label
  std::string suite;  ///< --suite: the suite the problems came from (each label starts with it and a space)
  HarnessConfig harness;
  /// Told before each group of timed runs of a device (set by run_benchmarks for its progress line).
  std::function<void(DeviceKind, int done, int total)> on_run;
  DeviceSelection device = DeviceSelection::all;
  std::optional<DType> cpu_dtype;  ///< --cpu-dtype; empty: the CPU's best mode for each problem's dtype
  bool cpu_fastest = false;        ///< --cpu-dtype fastest: the CPU's mode chosen by a timed trial of each
  BackendSettings backend;
  uint64_t seed = 0;
  bool verify = true;
  /// Refuse (exit 3) a problem whose estimated host memory exceeds what `meminfo` says is available;
  /// --no-memory-check turns it off. `meminfo` is /proc/meminfo but for tests (--debug-meminfo).
  bool memory_check = true;
  std::string meminfo = kProcMeminfo;
  bool require_gpu = false;  ///< fail with the `check` exit codes instead of a CPU-only report
  Format format = Format::table;
  std::string output;  ///< --output FILE; empty means stdout
  bool quiet = false;
  bool verbose = false;  ///< the table's details, a block per problem
  int rounds = 1;        ///< each problem is measured this many times, the list run in turn
  /// --gpu: the GPUs to run, in turn (backend.gpu_index is the first); empty means every GPU there is.
  std::vector<int> gpus{0};
  double straggler_threshold = 0.05;  ///< with several GPUs: slower than the node's median by this + noise
  bool fail_on_straggler = false;     ///< with several GPUs: a straggler makes the exit code 19
  std::string input_data, weights_data, save_output;  ///< .npy paths, or empty
  std::string problems_file;                          ///< --problems FILE (- for stdin), or empty
  /// No --tune-cache, and neither XDG_CACHE_HOME nor HOME to put the default in: the cache is off, and a run
  /// that opens a GPU says so.
  bool tune_cache_nowhere = false;
  std::vector<std::string> argv;
  std::vector<std::string> warnings;  ///< about the flags (e.g. GPU-only flags with --device cpu), one line each
};

/// The run's flags as given (text), before validation.
/// --rounds auto with several problems: the median of 3 rounds outvotes one slow spell.
constexpr int kAutoRounds = 3;

struct RunFlags {
  ProblemFlags problem;
  std::string runs = "10", warmup = "1", device = "all", threads, seed, algo = "auto", workspace_limit, gpu = "0",
              problems, suite, format = "table", output, input_data, weights_data, save_output, cache = "hot",
              tune_cache, cpu_dtype = "auto", fake_run_ms, rounds = "auto", straggler_threshold = "0.05", fake_gpu_ms,
              fake_failure, meminfo;
  bool no_verify = false, no_memory_check = false, version = false, include_transfers = false, require_gpu = false,
       quiet = false, retune = false, verbose = false, fail_on_straggler = false;
};

/// Declares the run's flags on the top-level app.
void declare_run_flags(CLI::App& app, RunFlags& f);
/// Validates the flags (`app` tells which were given). A missing --seed is drawn from std::random_device,
/// so that the printed seed reproduces the run. Throws UsageError with a one-line message.
RunOptions to_run_options(const RunFlags& f, const CLI::App& app, int argc, const char* const* argv);

}  // namespace convbench

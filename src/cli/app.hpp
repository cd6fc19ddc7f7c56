// Runs one benchmark invocation from validated options: the wiring between harness, backends,
// verification and printers.
#pragma once

#include <functional>
#include <ostream>

#include "options.hpp"
#include "convbench/error.hpp"
#include "convbench/result.hpp"

namespace convbench {

/// Bytes of host memory a run of `p` needs at its peak, on the devices that will run.
double estimate_host_bytes(const Problem& p, bool cpu, bool gpu);

/// Where run_benchmark gets its backends: the registry, or fakes in tests.
struct BackendFactory {
  std::function<Availability(const BackendSettings&)> cpu = make_cpu_backend;
  std::function<Availability(const BackendSettings&)> gpu = make_gpu_backend;
};

/// One problem end to end; sets `requested_failure` when a requested device could not run it or its
/// verification failed. The devices' outputs are written to --save-output and then dropped.
RunResult run_problem(const LabeledProblem& lp, const Options& o, Availability& cpu_backend, Availability& gpu_backend,
                      ExitCode& requested_failure);

/// Runs every problem of `o`, streaming records to the printers (stdout or --output, written atomically),
/// with progress on a terminal's stderr and a summary at the end; a requested device that could not run
/// also gets one line on `err`. Ctrl-C stops after the current run, keeps what was written and returns
/// ExitCode::interrupted. Returns the exit code. Throws Error for failures that stop the run.
ExitCode run_benchmark(const Options& o, std::ostream& out, std::ostream& err, const BackendFactory& backends = {});

}  // namespace convbench

// Runs one benchmark invocation from validated options: the wiring between harness, backends,
// verification and printers.
#pragma once

#include <functional>
#include <ostream>

#include "cli/options.hpp"
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

/// Measures, verifies and prints the report on `out`; a requested device that could not run also gets
/// one line on `err`. Returns the exit code. Throws Error for failures that stop the run.
ExitCode run_benchmark(const Options& o, std::ostream& out, std::ostream& err, const BackendFactory& backends = {});

}  // namespace convbench

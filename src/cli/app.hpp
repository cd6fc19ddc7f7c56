// Runs one benchmark invocation from validated options: the wiring between harness, backends,
// verification and printers.
#pragma once

#include <ostream>

#include "cli/options.hpp"
#include "convbench/error.hpp"
#include "convbench/result.hpp"

namespace convbench {

/// Bytes of host memory a run of `p` needs at its peak, on the devices that will run.
double estimate_host_bytes(const Problem& p, bool cpu, bool gpu);

/// Measures, verifies and prints; returns the exit code. Throws Error for failures that stop the run.
ExitCode run_benchmark(const Options& o, std::ostream& out);

}  // namespace convbench

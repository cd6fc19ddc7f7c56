// The default command: runs the problems of validated RunOptions, the wiring between harness, backends,
// verification and printers.
#pragma once

#include <functional>
#include <ostream>

#include "convbench/error.hpp"
#include "convbench/registry.hpp"
#include "convbench/result.hpp"
#include "outcome.hpp"
#include "run_command.hpp"

namespace convbench {

/// One warning on `err`: a single line for scripts; wrapped to the width of a terminal, continuation lines
/// indented, when a person reads it.
void warn(std::ostream& err, const std::string& text);

/// Where --save-output puts one device's output when it is one of several: `path` with `.device` before
/// the extension (r.npy: r.cpu.npy, r.gpu.npy, or r.gpu0.npy... with several GPUs).
std::string saved_output_path(const std::string& path, const std::string& device);

/// Bytes of host memory a run of `p` needs at its peak, on the devices that will run.
double estimate_host_bytes(const Problem& p, bool cpu, bool gpu);

/// Throws Error(out_of_memory) when a problem of the run needs more host memory than is available now (unless
/// --no-memory-check); with several problems the line starts with the problem's label.
void check_host_memory(const RunOptions& o);

/// Where run_benchmarks gets its backends: the registry, or fakes in tests.
struct BackendFactory {
  std::function<Availability(const BackendSettings&)> cpu = make_cpu_backend;
  std::function<Availability(const BackendSettings&)> gpu = [](const BackendSettings& s) {
    return make_gpu_backend(s);
  };
  std::function<int(const BackendSettings&)> gpu_count = convbench::gpu_count;
};

/// One GPU of --gpu: its index and its backend (or why it has none).
struct GpuSlot {
  int index = 0;
  Availability avail;
};

/// One problem end to end: the CPU once, then each GPU in `gpus` in turn, a record per GPU (one record when
/// no GPU is wanted). Sets `requested_failure`, unless already set, when a requested device could not run it,
/// a device started and failed (out of memory, a library failure; the record says so), or its verification
/// failed. The devices' outputs are written to --save-output and then dropped. Warnings about the machine
/// (a broken ceilings cache) go to `err`. `cpu_mode`: with --cpu-dtype fastest, the CPU's mode an earlier round
/// of this problem chose by time, which later rounds keep (none: choose now).
std::vector<RunResult> run_problem(const LabeledProblem& lp, const RunOptions& o, Availability& cpu_backend,
                                   std::vector<GpuSlot>& gpus, ExitCode& requested_failure, std::ostream& err,
                                   std::optional<DType> cpu_mode = std::nullopt);

/// Runs every problem of `o`, streaming records to the printers (stdout or --output), with progress and
/// warnings on `err` and a summary at the end. Ctrl-C (SIGTERM) stops after the current run, keeps what
/// was written and ends with ExitCode::interrupted (ExitCode::terminated). A problem on which a device fails
/// (out of memory, a library failure) is recorded as such, and the next problem runs. Returns the exit code
/// and, when a requested device could not run or a device failed, the one line main prints (the first such
/// problem's). Throws Error for failures that stop the run.
Outcome run_benchmarks(const RunOptions& o, std::ostream& out, std::ostream& err, const BackendFactory& backends = {});

}  // namespace convbench

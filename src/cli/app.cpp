// One invocation: check memory, make seeded inputs, run each selected backend through the harness,
// verify, derive the speedup, print, and decide the exit code.
#include "cli/app.hpp"

#include <fmt/format.h>

#include "convbench/report.hpp"
#include "core/system.hpp"

namespace convbench {
namespace {

std::string gib(double bytes) { return fmt::format("{:.1f} GiB", bytes / (1024.0 * 1024.0 * 1024.0)); }

void check_host_memory(const Problem& p, bool cpu, bool gpu) {
  const double need = estimate_host_bytes(p, cpu, gpu);
  const double have = static_cast<double>(available_memory_bytes());
  if (have > 0 && need > have)
    throw Error(ExitCode::out_of_memory,
                fmt::format("the problem needs about {} of host memory, but only {} is available ({})", gib(need),
                            gib(have), p.describe()));
}

/// Runs one device; returns the exit code to use if this device was explicitly requested and failed.
ExitCode run_device(const char* kind, Availability avail, const Options& o, const HostTensors& inputs,
                    RunResult& r) {
  DeviceResult d;
  d.kind = kind;
  ExitCode code = ExitCode::ok;
  if (!avail.backend) {
    d.not_run_reason = avail.reason;
    code = avail.code;
  } else if (const Support s = avail.backend->supports(o.problem); !s.ok) {
    d.not_run_reason = "unsupported: " + s.reason;
    code = ExitCode::unsupported;
  } else {
    try {
      d.measurement = measure(*avail.backend, o.problem, inputs, o.harness);
      if (o.verify) d.reference_check = check_against_reference(o.problem, inputs, d.measurement->output, o.seed);
    } catch (const Error& e) {
      // A backend may only learn while preparing that it has no implementation for this problem.
      if (e.code() != ExitCode::unsupported) throw;
      d.not_run_reason = std::string("unsupported: ") + e.what();
      code = ExitCode::unsupported;
    }
  }
  r.devices.push_back(std::move(d));
  return code;
}

}  // namespace

double estimate_host_bytes(const Problem& p, bool cpu, bool gpu) {
  const double in = static_cast<double>(p.input_elems()) + static_cast<double>(p.weight_elems());
  const double out = static_cast<double>(p.output_elems());
  const double dsize = dtype_bytes(p.dtype);
  double need = 4 * in;                                // seeded f32 input and weights
  if (cpu) need += dsize * (in + out) + 4 * out * 2;   // oneDNN tensors, user-layout output, its copy
  if (gpu) need += 4 * out * 2 + dsize * (in + out);   // staging for upload and download, result copy
  return need;
}

ExitCode run_benchmark(const Options& o, std::ostream& out, std::ostream& err, const BackendFactory& backends) {
  const bool want_cpu = o.device != DeviceSelection::gpu, want_gpu = o.device != DeviceSelection::cpu;
  check_host_memory(o.problem, want_cpu, want_gpu);

  RunResult r;
  r.problem = o.problem;
  r.seed = o.seed;
  r.warmup = o.harness.warmup;
  const HostTensors inputs = make_inputs(o.problem, o.seed);

  // The GPU is probed first, so that --require-gpu fails before any CPU work.
  Availability gpu_backend = want_gpu ? backends.gpu(o.backend) : Availability{};
  if (o.require_gpu && !gpu_backend.backend) throw Error(gpu_backend.code, "gpu: " + gpu_backend.reason);

  ExitCode requested_failure = ExitCode::ok;
  if (want_cpu) {
    const ExitCode c = run_device("cpu", backends.cpu(o.backend), o, inputs, r);
    if (o.device == DeviceSelection::cpu) requested_failure = c;
  }
  if (want_gpu) {
    const bool available = gpu_backend.backend != nullptr;
    const ExitCode c = run_device("gpu", std::move(gpu_backend), o, inputs, r);
    // Without --require-gpu, an unusable GPU asked for by --device gpu is exit code 5, whatever the reason.
    if (o.device == DeviceSelection::gpu) requested_failure = available ? c : ExitCode::gpu_unavailable;
  }

  const Measurement* cpu = nullptr;
  const Measurement* gpu = nullptr;
  bool verified = true;
  for (const DeviceResult& d : r.devices) {
    if (!d.measurement) continue;
    (d.kind == "cpu" ? cpu : gpu) = &*d.measurement;
    if (d.reference_check && !d.reference_check->ok()) verified = false;
  }
  if (cpu && gpu && o.verify) {
    Check c;
    c.tolerance = tolerance(o.problem.dtype);
    c.error = normwise_error(gpu->output, cpu->output);
    c.points = static_cast<int64_t>(gpu->output.size());
    r.cross_check = c;
    verified = verified && c.ok();
  }
  if (cpu && gpu && verified) r.speedup = speedup(cpu->stats, gpu->stats);

  make_table_printer(out)->print(r);

  if (!verified) return ExitCode::verify_failed;
  if (requested_failure != ExitCode::ok) {
    const DeviceResult& d = r.devices.back();
    err << "convbench: error: " << d.kind << ": " << d.not_run_reason << '\n';
    return requested_failure;
  }
  if (!cpu && !gpu) return ExitCode::unsupported;
  return ExitCode::ok;
}

}  // namespace convbench

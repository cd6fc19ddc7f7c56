// Ceilings: oneDNN matmul rates and a parallel copy on the CPU; cuDNN 1x1-convolution rates and a device
// copy on the GPU.
#include "cli/peak.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <ctime>

#include "backends/onednn/onednn_backend.hpp"
#include "backends/registry.hpp"
#include "core/system.hpp"

namespace convbench {
namespace {

void print(std::ostream& out, const Ceilings& c) {
  std::string rates;
  for (const auto& [dtype, tflops] : c.tflops) rates += fmt::format("{} {:.2f} TFLOP/s, ", dtype, tflops);
  fmt::print(out, "{}: {}copy {:.1f} GB/s\n", c.device, rates, c.gbps);
}

}  // namespace

ExitCode run_peak(const PeakOptions& o, std::ostream& out, std::ostream& err) {
  std::vector<Ceilings> measured;
  if (o.device != DeviceSelection::gpu) {
    const int threads = o.backend.threads > 0 ? o.backend.threads : physical_cores();
    Ceilings c;
    c.device = ceiling_key("cpu", cpu_model(), threads);
    for (DType d : {DType::f32, DType::bf16})
      if (const double t = cpu_matmul_tflops(d, threads); t > 0) c.tflops[to_string(d)] = t;
    c.gbps = cpu_copy_gbps(threads);
    c.measured = utc_now();
    print(out, c);
    measured.push_back(c);
  }
  ExitCode code = ExitCode::ok;
  if (o.device != DeviceSelection::cpu) {
    try {
      Ceilings c = measure_gpu_ceilings(o.backend);
      c.measured = utc_now();
      print(out, c);
      measured.push_back(c);
    } catch (const Error& e) {
      fmt::print(out, "gpu: not measured: {}\n", e.what());
      if (o.device == DeviceSelection::gpu) {
        err << "convbench: error: gpu: " << e.what() << '\n';
        code = ExitCode::gpu_unavailable;
      }
    }
  }
  if (!measured.empty()) {
    const std::string path = ceilings_path();
    save_ceilings(path, measured);
    fmt::print(out, "saved to {}; results now show the fraction of these ceilings they reach\n", path);
  }
  return code;
}

}  // namespace convbench

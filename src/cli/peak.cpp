// Ceilings: oneDNN matmul rates and a parallel copy on the CPU; cuDNN 1x1-convolution rates and a device
// copy on the GPU.
#include "peak.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <ctime>

#include "convbench/cache_file.hpp"
#include "convbench/registry.hpp"
#include "convbench/system.hpp"
#include "run.hpp"

namespace convbench {
namespace {

void print(std::ostream& out, const Ceilings& c) {
  std::string rates;
  for (const auto& [dtype, tflops] : c.tflops) rates += fmt::format("{} {:.2f} TFLOP/s, ", dtype, tflops);
  fmt::print(out, "{}: {}copy {:.1f} GB/s\n", c.device, rates, c.gbps);
  std::string sources;
  for (const auto& [dtype, how] : c.sources) sources += fmt::format("{}{} {}", sources.empty() ? "" : "; ", dtype, how);
  if (!sources.empty()) fmt::print(out, "  fastest: {}\n", sources);
}

}  // namespace

Outcome run_peak(const PeakOptions& o, std::ostream& out, std::ostream& err) {
  // Refused before any measuring, which takes seconds: a file that cannot be replaced (or would block).
  const std::string path = ceilings_path();
  if (path.empty()) throw UsageError("nowhere to keep the ceilings: set CONVBENCH_PEAK_FILE, XDG_CACHE_HOME or HOME");
  if (const CacheFileText now = read_cache_file(path); now.state == CacheFileText::State::unusable)
    throw UsageError(
        fmt::format("the ceilings file '{}' {}; set CONVBENCH_PEAK_FILE to a regular file's path", path, now.problem));
  std::vector<Ceilings> measured;
  if (o.device != DeviceSelection::gpu) {
    Ceilings c = measure_cpu_ceilings(o.backend.threads);
    c.measured = utc_now();
    print(out, c);
    measured.push_back(c);
  }
  Outcome outcome;
  if (o.device != DeviceSelection::cpu) {
    try {
      Ceilings c = measure_gpu_ceilings(o.backend);
      c.measured = utc_now();
      print(out, c);
      measured.push_back(c);
    } catch (const Error& e) {
      fmt::print(out, "gpu: not measured: {}\n", e.what());
      if (o.device == DeviceSelection::gpu) outcome = {ExitCode::gpu_unavailable, std::string("gpu: ") + e.what()};
    }
  }
  if (!measured.empty()) {
    for (const std::string& w : save_ceilings(path, measured)) warn(err, w);
    fmt::print(out, "saved to {}; results now show the fraction of these ceilings they reach\n", path);
  }
  return outcome;
}

}  // namespace convbench

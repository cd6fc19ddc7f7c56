// The backend registry: the only place that knows, at compile time, which backends this build has.
#include "backends/registry.hpp"

#include <fmt/format.h>

#include <utility>

#include "backends/fake/fake_backend.hpp"
#include "backends/onednn/onednn_backend.hpp"
#include "convbench/backend.hpp"
#if CONVBENCH_HAVE_CUDNN
#include "backends/cudnn/cudnn_backend.hpp"
#include "backends/cudnn/gpu_probe.hpp"
#endif

namespace convbench {

Availability make_cpu_backend(const BackendSettings& s) {
  if (s.fake_run_ms >= 0) return {make_fake_backend("cpu", s.fake_run_ms), "", ExitCode::ok};
  return {make_onednn_backend(s), "", ExitCode::ok};
}

namespace {
constexpr const char* kNoGpuBackend =
    "this convbench was built without the GPU backend (no CUDA toolkit or cuDNN at configure time); rebuild on a "
    "machine with them";
}  // namespace

Availability make_gpu_backend(const BackendSettings& s) {
  if (s.fake_run_ms >= 0) return {make_fake_backend("gpu", s.fake_run_ms), "", ExitCode::ok};
#if CONVBENCH_HAVE_CUDNN
  return make_cudnn_backend(s);
#else
  (void)s;
  return {nullptr, kNoGpuBackend, ExitCode::gpu_arch_unsupported};
#endif
}

Availability make_gpu_backend(const BackendSettings& s, GpuProbe probe) {
#if CONVBENCH_HAVE_CUDNN
  return make_cudnn_backend(s, std::move(probe));
#else
  (void)s;
  (void)probe;
  return {nullptr, kNoGpuBackend, ExitCode::gpu_arch_unsupported};
#endif
}

GpuProbe gpu_probe(int device) {
#if CONVBENCH_HAVE_CUDNN
  return probe_gpu(device);
#else
  GpuProbe p;
  p.device = device;
  p.status = GpuStatus::arch_unsupported;
  p.message = kNoGpuBackend;
  return p;
#endif
}

Ceilings measure_gpu_ceilings(const BackendSettings& s) {
#if CONVBENCH_HAVE_CUDNN
  return measure_cudnn_ceilings(s);
#else
  (void)s;
  throw Error(ExitCode::gpu_arch_unsupported, kNoGpuBackend);
#endif
}

std::string library_versions() {
  std::string v = onednn_version() + " (CPU ISA " + onednn_isa() + ")\n";
#if CONVBENCH_HAVE_CUDNN
  v += cudnn_versions() + "\n";
#else
  v += "cuDNN: not built in\n";
#endif
  return v;
}

}  // namespace convbench

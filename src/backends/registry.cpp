// The backend registry: the only place that knows, at compile time, which backends this build has.
#include "convbench/registry.hpp"

#include <fmt/format.h>

#include <utility>

#include "backends/fake/fake_backend.hpp"
#include "backends/onednn/onednn_backend.hpp"
#include "convbench/backend.hpp"
#include "convbench/system.hpp"
#if CONVBENCH_HAVE_CUDNN
#include "backends/cudnn/cuda_probe.hpp"
#include "backends/cudnn/cudnn_backend.hpp"
#endif

namespace convbench {

Availability make_cpu_backend(const BackendSettings& s) {
  if (s.fake_run_ms >= 0)
    return {make_fake_backend(DeviceKind::cpu, s.fake_run_ms, -1, s.fake_failure), "", ExitCode::ok};
  return {make_onednn_backend(s), "", ExitCode::ok};
}

#if !CONVBENCH_HAVE_CUDNN
namespace {
constexpr const char* kNoGpuBackend =
    "this convbench was built without the GPU backend (no CUDA toolkit or cuDNN at configure time); rebuild on a "
    "machine with them";
}  // namespace
#endif

Availability make_gpu_backend(const BackendSettings& s) {
  if (!s.fake_gpu_ms.empty()) {
    if (s.gpu_index >= static_cast<int>(s.fake_gpu_ms.size()))
      return {nullptr, fmt::format("no GPU {}: this machine has {}", s.gpu_index, s.fake_gpu_ms.size()),
              ExitCode::gpu_no_device};
    return {make_fake_backend(DeviceKind::gpu, s.fake_gpu_ms[static_cast<size_t>(s.gpu_index)], s.gpu_index,
                              s.fake_failure),
            "", ExitCode::ok};
  }
  if (s.fake_run_ms >= 0)
    return {make_fake_backend(DeviceKind::gpu, s.fake_run_ms, -1, s.fake_failure), "", ExitCode::ok};
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

GpuProbe probe_gpu(int device) {
#if CONVBENCH_HAVE_CUDNN
  return probe_cuda_system(device);
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

int gpu_count(const BackendSettings& s) {
  if (!s.fake_gpu_ms.empty()) return static_cast<int>(s.fake_gpu_ms.size());
  if (s.fake_run_ms >= 0) return 1;
  const GpuProbe p = probe_gpu(0);
  return p.status == GpuStatus::ok ? p.device_count : 0;
}

bool gpu_backend_built() { return CONVBENCH_HAVE_CUDNN != 0; }

std::string cpu_library_version() {
  const std::string v = onednn_version();  // "oneDNN X.Y.Z"
  return v.substr(v.find(' ') + 1);
}

std::string cpu_library_isa() { return onednn_isa(); }

Ceilings measure_cpu_ceilings(int threads) {
  const int n = threads > 0 ? threads : physical_cores();
  Ceilings c;
  c.device = ceiling_key(DeviceKind::cpu, cpu_model(), n);
  for (DType d : {DType::f32, DType::bf16})
    if (const double t = cpu_matmul_tflops(d, n); t > 0) c.tflops[to_string(d)] = t;
  c.gbps = cpu_copy_gbps(n);
  return c;
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

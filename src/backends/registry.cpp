// The backend registry: the only place that knows, at compile time, which backends this build has.
#include <fmt/format.h>

#include "backends/onednn/onednn_backend.hpp"
#include "convbench/backend.hpp"
#if CONVBENCH_HAVE_CUDNN
#include "backends/cudnn/cudnn_backend.hpp"
#endif

namespace convbench {

Availability make_cpu_backend(const BackendSettings& s) { return {make_onednn_backend(s), "", ExitCode::ok}; }

Availability make_gpu_backend(const BackendSettings& s) {
#if CONVBENCH_HAVE_CUDNN
  return make_cudnn_backend(s);
#else
  (void)s;
  return {nullptr, "this convbench was built without the GPU backend (no CUDA toolkit or cuDNN at configure time)",
          ExitCode::gpu_unavailable};
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

// The GPU backend: cuDNN's graph API through cudnn-frontend, loaded at run time. This header includes
// no CUDA or cuDNN header.
#pragma once

#include <string>

#include "convbench/backend.hpp"
#include "convbench/gpu_status.hpp"
#include "convbench/roofline.hpp"

namespace convbench {

/// Probes the GPU; returns the backend, or the one-line reason it cannot run here.
Availability make_cudnn_backend(const BackendSettings& s);
/// The same from a probe already made (`convbench check` probes once), without probing again.
Availability make_cudnn_backend(const BackendSettings& s, GpuProbe probe);
/// The GPU's ceilings: a 1×1 convolution (a GEMM of 131072×1024×1024) through this backend in every dtype,
/// and a 1 GiB device-to-device copy. Throws Error when the GPU cannot be used.
Ceilings measure_cudnn_ceilings(const BackendSettings& s);
/// "cuDNN 9.19.0 (headers 9.19.0), CUDA runtime 13.0 (static)" or why cuDNN cannot be loaded.
std::string cudnn_versions();

}  // namespace convbench

// The GPU backend: cuDNN's graph API through cudnn-frontend, loaded at run time. This header includes
// no CUDA or cuDNN header.
#pragma once

#include <string>

#include "convbench/backend.hpp"

namespace convbench {

/// Probes the GPU; returns the backend, or the one-line reason it cannot run here.
Availability make_cudnn_backend(const BackendSettings& s);
/// "cuDNN 9.19.0 (headers 9.19.0), CUDA runtime 13.0 (static)" or why cuDNN cannot be loaded.
std::string cudnn_versions();

}  // namespace convbench

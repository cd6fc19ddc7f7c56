// The GPU probe on the real system (libcuda, the CUDA runtime, libcudnn). CUDA-free header.
#pragma once

#include "backends/gpu_probe.hpp"

namespace convbench {

/// classify_gpu() on this machine. Leaves libcudnn open (GpuProbe::cudnn_library) when it loaded.
GpuProbe probe_gpu(int device);

}  // namespace convbench

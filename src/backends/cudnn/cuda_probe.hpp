// The GPU probe on the real system (libcuda, the CUDA runtime, libcudnn). CUDA-free header.
#pragma once

#include "convbench/gpu_status.hpp"

namespace convbench {

/// classify_gpu() on this machine. Leaves libcudnn open (GpuProbe::cudnn_library) when it loaded.
GpuProbe probe_cuda_system(int device);

}  // namespace convbench

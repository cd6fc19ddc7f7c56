// Finds out whether this machine has a GPU that the cuDNN backend can use, and if not, exactly why.
// This header includes no CUDA header, so the registry can include it.
#pragma once

#include <cstdint>
#include <string>

namespace convbench {

/// Each reason a GPU cannot be used, in the order they are checked.
enum class GpuStatus {
  ok,
  no_driver,          ///< libcuda.so.1 cannot be loaded
  no_device_nodes,    ///< the driver library is there but /dev/nvidiactl is not (e.g. a container without GPUs)
  driver_too_old,     ///< the driver cannot serve the CUDA runtime convbench is linked with
  no_device,          ///< the driver sees no CUDA device (or not the one asked for)
  cudnn_missing,      ///< libcudnn.so.9 cannot be loaded, or is older than 9.0
  arch_unsupported,   ///< the GPU's compute capability is below what this CUDA runtime supports
  other,              ///< any other CUDA error, named in the message
};

struct GpuProbe {
  GpuStatus status = GpuStatus::other;
  std::string message;  ///< one line: what is wrong and what to do; empty when ok
  int device = 0;
  std::string name;     ///< e.g. "NVIDIA H100 80GB HBM3"
  int cc_major = 0, cc_minor = 0, sm_count = 0;
  uint64_t total_memory = 0;
  int driver_version = 0;   ///< CUDA version the driver supports, e.g. 13000
  int runtime_version = 0;  ///< CUDA runtime linked in, e.g. 13000
  int64_t cudnn_version = 0;  ///< e.g. 91900
  void* cudnn_library = nullptr;  ///< the dlopen handle of libcudnn, kept open for the process
};

/// Checks driver, device nodes, driver/runtime versions, the device, cuDNN and the architecture, in that
/// order, and stops at the first failure. Never hangs on a machine without a GPU: the first check fails at
/// once. Thread-unsafe; call from main's thread.
GpuProbe probe_gpu(int device);

/// "12.4" from 12040.
std::string cuda_version_string(int v);
/// "9.19.0" from 91900.
std::string cudnn_version_string(int64_t v);

}  // namespace convbench

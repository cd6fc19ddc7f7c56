// Whether this machine has a GPU the cuDNN backend can use, and if not, exactly why. The classification
// is CUDA-free and works on facts asked of a ProbeSystem, so tests can inject every failure; the real
// system (libcuda, the CUDA runtime, libcudnn) lives in backends/cudnn/gpu_probe.cpp.
#pragma once

#include <cstdint>
#include <string>

#include "convbench/error.hpp"

namespace convbench {

/// Each reason a GPU cannot be used, in the order they are checked.
enum class GpuStatus {
  ok,
  no_driver,         ///< libcuda.so.1 cannot be loaded
  no_device_nodes,   ///< the driver library is there but /dev/nvidiactl is not (e.g. a container without GPUs)
  driver_too_old,    ///< the driver cannot serve the CUDA runtime convbench is linked with
  no_device,         ///< the driver sees no CUDA device (or not the one asked for)
  cudnn_missing,     ///< libcudnn.so.9 cannot be loaded, or is older than 9.0
  arch_unsupported,  ///< the GPU's compute capability is below the runtime's minimum, or no GPU backend is built
  conv_failed,       ///< the tiny check convolution failed or gave a wrong result
  other,             ///< any other CUDA error, named in the message
};

/// The documented exit code of each status (`convbench check`, `--require-gpu`).
ExitCode exit_code_for(GpuStatus s);
/// Short stable name for JSON, e.g. "no_driver".
const char* to_string(GpuStatus s);

/// Facts about one device.
struct DeviceFacts {
  std::string name;  ///< e.g. "NVIDIA H100 80GB HBM3"
  std::string uuid;  ///< "GPU-xxxxxxxx-..." or empty
  int cc_major = 0, cc_minor = 0, sm_count = 0;
  uint64_t total_memory = 0;  ///< bytes
  std::string pci_bus_id;     ///< "0000:1a:00.0" (domain:bus:device.function) or empty
};

struct GpuProbe {
  GpuStatus status = GpuStatus::other;
  std::string message;  ///< one line: what is wrong and what to do; empty when ok
  int device = 0;
  int device_count = 0;
  DeviceFacts facts;
  std::string driver_release;     ///< e.g. "580.159.04", from /proc/driver/nvidia/version; may be empty
  int driver_version = 0;         ///< CUDA version the driver supports, e.g. 13000
  int runtime_version = 0;        ///< CUDA runtime linked in, e.g. 13000
  int64_t cudnn_version = 0;      ///< e.g. 91900
  void* cudnn_library = nullptr;  ///< the dlopen handle of libcudnn, kept open for the process
};

/// CUDA runtime error values the classification needs (checked against cuda_runtime.h where it is built).
constexpr int kCudaSuccess = 0;
constexpr int kCudaErrorInsufficientDriver = 35;
constexpr int kCudaErrorNoDevice = 100;

/// What the probe asks of the system.
class ProbeSystem {
 public:
  virtual ~ProbeSystem() = default;
  virtual bool load_driver() = 0;                                ///< can libcuda.so.1 be loaded?
  virtual bool device_nodes_present() = 0;                       ///< does /dev/nvidiactl exist?
  virtual int driver_cuda_version() = 0;                         ///< cuDriverGetVersion, e.g. 13000; 0 if unknown
  virtual std::string driver_release() = 0;                      ///< e.g. "580.159.04"; empty if unknown
  virtual int runtime_cuda_version() = 0;                        ///< cudaRuntimeGetVersion
  virtual int device_count(int& count) = 0;                      ///< a cudaError_t value
  virtual int device_facts(int device, DeviceFacts& facts) = 0;  ///< a cudaError_t value
  virtual std::string error_text(int cuda_error) = 0;            ///< "description (cudaErrorName)"
  virtual int64_t load_cudnn() = 0;  ///< cudnnGetVersion() of libcudnn.so.9, or 0 when it cannot be loaded
};

/// Checks driver, device nodes, driver/runtime versions, the device, cuDNN and the architecture, in that
/// order, and stops at the first failure. The first check fails at once where there is no GPU.
GpuProbe classify_gpu(ProbeSystem& sys, int device);

/// "12.4" from 12040.
std::string cuda_version_string(int v);

/// The driver's release ("580.159.04") from the first line of /proc/driver/nvidia/version, in either of
/// its forms ("... Kernel Module  580.159.04  ..." or "... Open Kernel Module for x86_64  580.159.04 ...");
/// empty when the line holds no version.
std::string driver_release_from_proc(const std::string& line);
/// "9.19.0" from 91900.
std::string cudnn_version_string(int64_t v);

}  // namespace convbench

// The GPU availability probe: each check turns one failure class into one actionable line.
#include "backends/cudnn/gpu_probe.hpp"

#include <cuda.h>
#include <cuda_runtime.h>
#include <dlfcn.h>
#include <fmt/format.h>
#include <unistd.h>

namespace convbench {
namespace {

/// The oldest compute capability the CUDA 13 runtime runs on (Turing).
constexpr int kMinCc = 75;
constexpr int64_t kMinCudnn = 90000;

}  // namespace

std::string cuda_version_string(int v) { return fmt::format("{}.{}", v / 1000, (v % 1000) / 10); }

std::string cudnn_version_string(int64_t v) {
  return fmt::format("{}.{}.{}", v / 10000, (v % 10000) / 100, v % 100);
}

GpuProbe probe_gpu(int device) {
  GpuProbe p;
  p.device = device;
  cudaRuntimeGetVersion(&p.runtime_version);

  // 1. The driver library. Without it the CUDA runtime only says "driver version is insufficient".
  void* libcuda = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!libcuda) {
    p.status = GpuStatus::no_driver;
    p.message = "no NVIDIA driver: libcuda.so.1 cannot be loaded; install the NVIDIA driver, or run on a machine "
                "that has one";
    return p;
  }
  // 2. Device nodes: a container started without GPU access has the library but no /dev/nvidia*.
  if (access("/dev/nvidiactl", F_OK) != 0) {
    dlclose(libcuda);
    p.status = GpuStatus::no_device_nodes;
    p.message = "NVIDIA device nodes missing: /dev/nvidiactl does not exist; if this is a container, start it with "
                "GPU access (for example docker run --gpus all)";
    return p;
  }
  // 3. Driver version against the runtime we link statically.
  using DriverGetVersion = CUresult (*)(int*);
  if (auto get = reinterpret_cast<DriverGetVersion>(dlsym(libcuda, "cuDriverGetVersion"))) get(&p.driver_version);
  dlclose(libcuda);
  if (p.driver_version < p.runtime_version) {
    p.status = GpuStatus::driver_too_old;
    p.message = fmt::format("NVIDIA driver too old: it supports CUDA {} but convbench uses the CUDA {} runtime; "
                            "update the driver",
                            cuda_version_string(p.driver_version), cuda_version_string(p.runtime_version));
    return p;
  }
  // 4. Devices.
  int count = 0;
  const cudaError_t e = cudaGetDeviceCount(&count);
  if (e == cudaErrorNoDevice || (e == cudaSuccess && count == 0)) {
    p.status = GpuStatus::no_device;
    p.message = "no CUDA device: the NVIDIA driver is loaded but reports no GPU; check nvidia-smi";
    return p;
  }
  if (e == cudaErrorInsufficientDriver) {
    p.status = GpuStatus::driver_too_old;
    p.message = fmt::format("NVIDIA driver too old for the CUDA {} runtime ({}); update the driver",
                            cuda_version_string(p.runtime_version), cudaGetErrorString(e));
    return p;
  }
  if (e != cudaSuccess) {
    p.status = GpuStatus::other;
    p.message = fmt::format("CUDA cannot list devices: {} ({})", cudaGetErrorString(e), cudaGetErrorName(e));
    return p;
  }
  if (device < 0 || device >= count) {
    p.status = GpuStatus::no_device;
    p.message = fmt::format("no CUDA device {}: this machine has {} (use --gpu 0 to {})", device, count, count - 1);
    return p;
  }
  cudaDeviceProp prop{};
  if (const cudaError_t pe = cudaGetDeviceProperties(&prop, device); pe != cudaSuccess) {
    p.status = GpuStatus::other;
    p.message = fmt::format("CUDA cannot read device {}: {} ({})", device, cudaGetErrorString(pe), cudaGetErrorName(pe));
    return p;
  }
  p.name = prop.name;
  p.cc_major = prop.major;
  p.cc_minor = prop.minor;
  p.sm_count = prop.multiProcessorCount;
  p.total_memory = prop.totalGlobalMem;
  // 5. cuDNN, loaded at run time.
  void* libcudnn = dlopen("libcudnn.so.9", RTLD_NOW | RTLD_GLOBAL);
  if (!libcudnn) {
    p.status = GpuStatus::cudnn_missing;
    p.message = "cuDNN 9 missing: libcudnn.so.9 cannot be loaded; install cuDNN 9 or add its lib directory to "
                "LD_LIBRARY_PATH";
    return p;
  }
  using GetVersion = size_t (*)();
  auto get_version = reinterpret_cast<GetVersion>(dlsym(libcudnn, "cudnnGetVersion"));
  p.cudnn_version = get_version ? static_cast<int64_t>(get_version()) : 0;
  if (p.cudnn_version < kMinCudnn) {
    dlclose(libcudnn);
    p.status = GpuStatus::cudnn_missing;
    p.message = fmt::format("cuDNN too old: found {}, convbench needs 9.0 or newer", cudnn_version_string(p.cudnn_version));
    return p;
  }
  p.cudnn_library = libcudnn;
  // 6. Architecture.
  if (p.cc_major * 10 + p.cc_minor < kMinCc) {
    p.status = GpuStatus::arch_unsupported;
    p.message = fmt::format("GPU architecture not supported: {} is sm_{}{}, but the CUDA {} runtime needs sm_75 or newer",
                            p.name, p.cc_major, p.cc_minor, cuda_version_string(p.runtime_version));
    return p;
  }
  p.status = GpuStatus::ok;
  return p;
}

}  // namespace convbench

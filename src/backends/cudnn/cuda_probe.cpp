// The real ProbeSystem: libcuda through dlopen, the statically linked CUDA runtime, libcudnn through dlopen.
#include "backends/cudnn/cuda_probe.hpp"

#include <cuda.h>
#include <cuda_runtime.h>
#include <dlfcn.h>
#include <fmt/format.h>
#include <unistd.h>

#include <fstream>

namespace convbench {
namespace {

static_assert(kCudaSuccess == cudaSuccess);
static_assert(kCudaErrorInsufficientDriver == cudaErrorInsufficientDriver);
static_assert(kCudaErrorNoDevice == cudaErrorNoDevice);

class RealProbeSystem final : public ProbeSystem {
 public:
  ~RealProbeSystem() override {
    if (libcuda_) dlclose(libcuda_);
  }
  bool load_driver() override {
    libcuda_ = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    return libcuda_ != nullptr;
  }
  bool device_nodes_present() override { return access("/dev/nvidiactl", F_OK) == 0; }
  int driver_cuda_version() override {
    using DriverGetVersion = CUresult (*)(int*);
    int v = 0;
    if (auto get = reinterpret_cast<DriverGetVersion>(dlsym(libcuda_, "cuDriverGetVersion"))) get(&v);
    return v;
  }
  std::string driver_release() override {
    std::ifstream in("/proc/driver/nvidia/version");
    std::string line;
    return std::getline(in, line) ? driver_release_from_proc(line) : "";
  }
  int runtime_cuda_version() override {
    int v = 0;
    cudaRuntimeGetVersion(&v);
    return v;
  }
  int device_count(int& count) override { return cudaGetDeviceCount(&count); }
  int device_facts(int device, DeviceFacts& f) override {
    cudaDeviceProp prop{};
    const cudaError_t e = cudaGetDeviceProperties(&prop, device);
    if (e != cudaSuccess) return e;
    f.name = prop.name;
    f.cc_major = prop.major;
    f.cc_minor = prop.minor;
    f.sm_count = prop.multiProcessorCount;
    f.total_memory = prop.totalGlobalMem;
    f.pci_bus_id = fmt::format("{:04x}:{:02x}:{:02x}.0", prop.pciDomainID, prop.pciBusID, prop.pciDeviceID);
    const auto* u = reinterpret_cast<const unsigned char*>(prop.uuid.bytes);
    f.uuid = fmt::format(
        "GPU-{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}",
        u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
    return cudaSuccess;
  }
  std::string error_text(int e) override {
    const auto err = static_cast<cudaError_t>(e);
    return fmt::format("{} ({})", cudaGetErrorString(err), cudaGetErrorName(err));
  }
  int64_t load_cudnn() override {
    // Kept open for the process: cudnn-frontend resolves every cuDNN symbol through this handle.
    libcudnn_ = dlopen("libcudnn.so.9", RTLD_NOW | RTLD_GLOBAL);
    if (!libcudnn_) return 0;
    using GetVersion = size_t (*)();
    auto get = reinterpret_cast<GetVersion>(dlsym(libcudnn_, "cudnnGetVersion"));
    return get ? static_cast<int64_t>(get()) : 0;
  }
  void* cudnn_library() const { return libcudnn_; }

 private:
  void* libcuda_ = nullptr;
  void* libcudnn_ = nullptr;
};

}  // namespace

GpuProbe probe_cuda_system(int device) {
  RealProbeSystem sys;
  GpuProbe p = classify_gpu(sys, device);
  p.cudnn_library = sys.cudnn_library();
  return p;
}

}  // namespace convbench

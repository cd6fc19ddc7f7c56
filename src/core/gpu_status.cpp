// GPU availability classification: each failure class becomes one actionable line and one exit code.
#include "convbench/gpu_status.hpp"

#include <fmt/format.h>

#include <cctype>
#include <sstream>

#include "convbench/system.hpp"

namespace convbench {
namespace {

/// The oldest compute capability the CUDA 13 runtime runs on (Turing).
constexpr int kMinCc = 75;
constexpr int64_t kMinCudnn = 90000;

}  // namespace

ExitCode exit_code_for(GpuStatus s) {
  // In GpuStatus order.
  constexpr ExitCode kCodes[] = {ExitCode::ok,
                                 ExitCode::gpu_no_driver,
                                 ExitCode::gpu_no_device_nodes,
                                 ExitCode::gpu_driver_too_old,
                                 ExitCode::gpu_no_device,
                                 ExitCode::gpu_cudnn_missing,
                                 ExitCode::gpu_arch_unsupported,
                                 ExitCode::gpu_conv_failed,
                                 ExitCode::gpu_other};
  return kCodes[static_cast<size_t>(s)];
}

const char* to_string(GpuStatus s) {
  constexpr const char* kNames[] = {"ok",        "no_driver",     "no_device_nodes",  "driver_too_old",
                                    "no_device", "cudnn_missing", "arch_unsupported", "conv_failed",
                                    "other"};
  return kNames[static_cast<size_t>(s)];
}

std::string cuda_version_string(int v) { return fmt::format("{}.{}", v / 1000, (v % 1000) / 10); }

std::string cudnn_version_string(int64_t v) { return fmt::format("{}.{}.{}", v / 10000, (v % 10000) / 100, v % 100); }

GpuProbe classify_gpu(ProbeSystem& sys, int device) {
  GpuProbe p;
  p.device = device;
  p.runtime_version = sys.runtime_cuda_version();
  const auto fail = [&p](GpuStatus s, std::string message) {
    p.status = s;
    p.message = std::move(message);
    return p;
  };
  // Without libcuda the CUDA runtime only says "driver version is insufficient": look first.
  if (!sys.load_driver())
    return fail(GpuStatus::no_driver,
                "no NVIDIA driver: libcuda.so.1 cannot be loaded; install the NVIDIA driver, or run on a machine that "
                "has one");
  if (!sys.device_nodes_present())
    return fail(GpuStatus::no_device_nodes,
                "NVIDIA device nodes missing: /dev/nvidiactl does not exist; if this is a container, start it with GPU "
                "access (for example docker run --gpus all)");
  p.driver_version = sys.driver_cuda_version();
  p.driver_release = sys.driver_release();
  if (p.driver_version > 0 && p.driver_version < p.runtime_version)
    return fail(GpuStatus::driver_too_old,
                fmt::format("NVIDIA driver too old: it supports CUDA {} but convbench uses the CUDA {} runtime; update "
                            "the driver",
                            cuda_version_string(p.driver_version), cuda_version_string(p.runtime_version)));
  phase_mark("gpu probe: driver loaded");
  int count = 0;
  const int e = sys.device_count(count);  // the CUDA runtime's first call that reaches the driver (cuInit)
  phase_mark("gpu probe: CUDA initialised");
  if (e == kCudaErrorInsufficientDriver)
    return fail(GpuStatus::driver_too_old,
                fmt::format("NVIDIA driver too old for the CUDA {} runtime ({}); update the driver",
                            cuda_version_string(p.runtime_version), sys.error_text(e)));
  if (e == kCudaErrorNoDevice || (e == kCudaSuccess && count == 0))
    return fail(GpuStatus::no_device,
                "no CUDA device: the NVIDIA driver is loaded but reports no GPU; check nvidia-smi");
  if (e != kCudaSuccess) return fail(GpuStatus::other, "CUDA cannot list devices: " + sys.error_text(e));
  p.device_count = count;
  if (device < 0 || device >= count)
    return fail(GpuStatus::no_device, fmt::format("no CUDA device {}: this machine has {} (use --gpu 0{})", device,
                                                  count, count > 1 ? fmt::format(" to {}", count - 1) : ""));
  if (const int fe = sys.device_facts(device, p.facts); fe != kCudaSuccess)
    return fail(GpuStatus::other, fmt::format("CUDA cannot read device {}: {}", device, sys.error_text(fe)));
  p.cudnn_version = sys.load_cudnn();
  phase_mark("gpu probe: cuDNN loaded");
  if (p.cudnn_version == 0)
    return fail(GpuStatus::cudnn_missing,
                "cuDNN missing: libcudnn.so.9 cannot be loaded; install cuDNN 9 or add its lib directory to "
                "LD_LIBRARY_PATH");
  if (p.cudnn_version < kMinCudnn)
    return fail(GpuStatus::cudnn_missing, fmt::format("cuDNN too old: found {}, convbench needs 9.0 or newer",
                                                      cudnn_version_string(p.cudnn_version)));
  if (p.facts.cc_major * 10 + p.facts.cc_minor < kMinCc)
    return fail(GpuStatus::arch_unsupported,
                fmt::format("GPU architecture not supported: {} is sm_{}{}, but this build (CUDA {} runtime) needs "
                            "sm_75 or newer",
                            p.facts.name, p.facts.cc_major, p.facts.cc_minor, cuda_version_string(p.runtime_version)));
  p.status = GpuStatus::ok;
  return p;
}

std::string driver_release_from_proc(const std::string& line) {
  std::istringstream words(line);
  std::string w;
  while (words >> w) {
    // A release is digits separated by dots, with at least one dot: "580.159.04", "535.54".
    const bool digits_and_dots = w.find_first_not_of("0123456789.") == std::string::npos;
    if (digits_and_dots && w.find('.') != std::string::npos && std::isdigit(static_cast<unsigned char>(w.front())) &&
        std::isdigit(static_cast<unsigned char>(w.back())))
      return w;
  }
  return "";
}

}  // namespace convbench

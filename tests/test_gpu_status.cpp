// The GPU availability classification, with each failure injected through a fake ProbeSystem.
#include <gtest/gtest.h>

#include <set>

#include "convbench/gpu_status.hpp"

using namespace convbench;

namespace {

/// A healthy H100 machine unless a test changes a field.
struct FakeSystem : ProbeSystem {
  bool driver = true, nodes = true;
  int driver_version = 13000, runtime_version = 13000, count_error = kCudaSuccess, count = 1;
  int facts_error = kCudaSuccess;
  DeviceFacts facts{"NVIDIA H100 80GB HBM3", "GPU-1234", 9, 0, 132, 85'000'000'000ull};
  int64_t cudnn = 91900;

  bool load_driver() override { return driver; }
  bool device_nodes_present() override { return nodes; }
  int driver_cuda_version() override { return driver_version; }
  std::string driver_release() override { return "580.159.04"; }
  int runtime_cuda_version() override { return runtime_version; }
  int device_count(int& c) override {
    c = count;
    return count_error;
  }
  int device_facts(int, DeviceFacts& f) override {
    f = facts;
    return facts_error;
  }
  std::string error_text(int e) override { return "error text " + std::to_string(e); }
  int64_t load_cudnn() override { return cudnn; }
};

}  // namespace

TEST(GpuProbe, HealthyMachine) {
  FakeSystem sys;
  const GpuProbe p = classify_gpu(sys, 0);
  EXPECT_EQ(p.status, GpuStatus::ok);
  EXPECT_EQ(p.message, "");
  EXPECT_EQ(p.facts.name, "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(p.device_count, 1);
  EXPECT_EQ(p.driver_release, "580.159.04");
  EXPECT_EQ(exit_code_for(p.status), ExitCode::ok);
}

TEST(GpuProbe, NoDriverIsDiagnosedBeforeTheRuntimeSaysInsufficientDriver) {
  FakeSystem sys;
  sys.driver = false;
  sys.count_error = kCudaErrorInsufficientDriver;  // what the CUDA runtime reports without libcuda
  const GpuProbe p = classify_gpu(sys, 0);
  EXPECT_EQ(p.status, GpuStatus::no_driver);
  EXPECT_EQ(p.message,
            "no NVIDIA driver: libcuda.so.1 cannot be loaded; install the NVIDIA driver, or run on a machine that has "
            "one");
  EXPECT_EQ(exit_code_for(p.status), ExitCode::gpu_no_driver);
  EXPECT_EQ(static_cast<int>(exit_code_for(p.status)), 10);
}

TEST(GpuProbe, DeviceNodesMissing) {
  FakeSystem sys;
  sys.nodes = false;
  const GpuProbe p = classify_gpu(sys, 0);
  EXPECT_EQ(p.status, GpuStatus::no_device_nodes);
  EXPECT_NE(p.message.find("/dev/nvidiactl does not exist"), std::string::npos);
  EXPECT_NE(p.message.find("--gpus all"), std::string::npos);
  EXPECT_EQ(static_cast<int>(exit_code_for(p.status)), 11);
}

TEST(GpuProbe, DriverTooOldByVersionOrByRuntimeError) {
  FakeSystem sys;
  sys.driver_version = 12040;
  GpuProbe p = classify_gpu(sys, 0);
  EXPECT_EQ(p.status, GpuStatus::driver_too_old);
  EXPECT_EQ(p.message,
            "NVIDIA driver too old: it supports CUDA 12.4 but convbench uses the CUDA 13.0 runtime; update the driver");
  FakeSystem sys2;
  sys2.driver_version = 0;  // unknown
  sys2.count_error = kCudaErrorInsufficientDriver;
  p = classify_gpu(sys2, 0);
  EXPECT_EQ(p.status, GpuStatus::driver_too_old);
  EXPECT_EQ(p.message, "NVIDIA driver too old for the CUDA 13.0 runtime (error text 35); update the driver");
  EXPECT_EQ(static_cast<int>(exit_code_for(p.status)), 12);
}

TEST(GpuProbe, NoDeviceOrNotTheOneAskedFor) {
  FakeSystem sys;
  sys.count_error = kCudaErrorNoDevice;
  GpuProbe p = classify_gpu(sys, 0);
  EXPECT_EQ(p.status, GpuStatus::no_device);
  EXPECT_EQ(p.message, "no CUDA device: the NVIDIA driver is loaded but reports no GPU; check nvidia-smi");
  FakeSystem sys2;
  sys2.count = 2;
  p = classify_gpu(sys2, 3);
  EXPECT_EQ(p.status, GpuStatus::no_device);
  EXPECT_EQ(p.message, "no CUDA device 3: this machine has 2 (use --gpu 0 to 1)");
  EXPECT_EQ(static_cast<int>(exit_code_for(p.status)), 13);
  // Devices count from 0: the count itself is one past the last.
  p = classify_gpu(sys2, 2);
  EXPECT_EQ(p.message, "no CUDA device 2: this machine has 2 (use --gpu 0 to 1)");
  EXPECT_EQ(classify_gpu(sys2, 1).status, GpuStatus::ok);
}

TEST(GpuProbe, CudnnMissingOrTooOld) {
  FakeSystem sys;
  sys.cudnn = 0;
  GpuProbe p = classify_gpu(sys, 0);
  EXPECT_EQ(p.status, GpuStatus::cudnn_missing);
  EXPECT_NE(p.message.find("libcudnn.so.9 cannot be loaded"), std::string::npos);
  sys.cudnn = 8907;
  p = classify_gpu(sys, 0);
  EXPECT_EQ(p.message, "cuDNN too old: found 0.89.7, convbench needs 9.0 or newer");
  EXPECT_EQ(static_cast<int>(exit_code_for(p.status)), 14);
}

TEST(GpuProbe, ArchitectureNotSupported) {
  FakeSystem sys;
  sys.facts.name = "Tesla P100";
  sys.facts.cc_major = 6;
  const GpuProbe p = classify_gpu(sys, 0);
  EXPECT_EQ(p.status, GpuStatus::arch_unsupported);
  EXPECT_EQ(p.message,
            "GPU architecture not supported: Tesla P100 is sm_60, but this build (CUDA 13.0 runtime) needs sm_75 or "
            "newer");
  EXPECT_EQ(static_cast<int>(exit_code_for(p.status)), 15);
  // The oldest architecture the CUDA 13 runtime runs on, Turing, is the first one supported.
  sys.facts.name = "Tesla T4";
  sys.facts.cc_major = 7;
  sys.facts.cc_minor = 5;
  EXPECT_EQ(classify_gpu(sys, 0).status, GpuStatus::ok);
  sys.facts.cc_minor = 2;  // Volta (Xavier)
  EXPECT_EQ(classify_gpu(sys, 0).status, GpuStatus::arch_unsupported);
}

TEST(GpuProbe, OtherCudaErrorsAreNamed) {
  FakeSystem sys;
  sys.count_error = 999;
  const GpuProbe p = classify_gpu(sys, 0);
  EXPECT_EQ(p.status, GpuStatus::other);
  EXPECT_EQ(p.message, "CUDA cannot list devices: error text 999");
  EXPECT_EQ(static_cast<int>(exit_code_for(p.status)), 18);
  EXPECT_EQ(static_cast<int>(exit_code_for(GpuStatus::conv_failed)), 16);
}

TEST(GpuProbe, EveryStatusHasItsOwnExitCodeAndName) {
  std::set<int> codes;
  std::set<std::string> names;
  for (GpuStatus s : {GpuStatus::ok, GpuStatus::no_driver, GpuStatus::no_device_nodes, GpuStatus::driver_too_old,
                      GpuStatus::no_device, GpuStatus::cudnn_missing, GpuStatus::arch_unsupported,
                      GpuStatus::conv_failed, GpuStatus::other}) {
    codes.insert(static_cast<int>(exit_code_for(s)));
    names.insert(to_string(s));
  }
  EXPECT_EQ(codes.size(), 9u);
  EXPECT_EQ(names.size(), 9u);
}

TEST(GpuProbe, DriverReleaseFromEitherFormOfTheProcLine) {
  EXPECT_EQ(driver_release_from_proc("NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.54.03  Tue Jun  6 22:20:39 "
                                     "UTC 2023"),
            "535.54.03");
  // The open kernel module puts words between "Module" and the release (the H100 machine's form).
  EXPECT_EQ(driver_release_from_proc("NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.159.04  Release "
                                     "Build  (dvs-builder@U22-I3-AF03-09-1)  Thu Jun 26 23:46:40 UTC 2025"),
            "580.159.04");
  EXPECT_EQ(driver_release_from_proc("NVRM version: something else entirely"), "");
  EXPECT_EQ(driver_release_from_proc(""), "");
}

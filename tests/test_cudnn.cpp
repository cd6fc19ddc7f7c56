// The cuDNN backend against the float64 reference. Always built; every test skips, with the reason,
// where this build has no GPU backend or the machine no usable GPU.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iostream>

#include "backends/cudnn/destructor_warnings.hpp"
#if CONVBENCH_HAVE_CUDNN
#include "backends/cudnn/cuda_util.hpp"
#endif
#include "convbench/harness.hpp"
#include "convbench/reference.hpp"
#include "convbench/registry.hpp"
#include "random_problems.hpp"
#include "scratch_dir.hpp"

using namespace convbench;

namespace {

Availability gpu_or_skip_reason(AlgoSearch algo = AlgoSearch::heuristic) {
  BackendSettings s;
  s.algo = algo;
  return make_gpu_backend(s);
}

#define REQUIRE_GPU(avail) \
  if (!(avail).backend) GTEST_SKIP() << "no usable GPU: " << (avail).reason

void expect_matches_reference(DType d, Layout layout, int count, uint64_t seed) {
  auto gpu = gpu_or_skip_reason();
  REQUIRE_GPU(gpu);
  int ran = 0, unsupported = 0;
  for (Problem p : convbench::testing::random_problems(count, d, seed)) {
    p.layout = layout;
    SCOPED_TRACE(p.describe());
    const HostTensors t = make_inputs(p, seed + ran);
    try {
      const Measurement m = measure(*gpu.backend, p, t, {1, 1});
      const Check c = check_against_reference(p, t, m.output, 0, int64_t(1) << 30);
      EXPECT_TRUE(c.ok()) << "error " << c.error << " > " << c.tolerance << " with " << m.prepare.implementation;
      ++ran;
    } catch (const Error& e) {
      // No engine for an odd shape in this dtype is not a wrong answer; say which, and require most to run.
      if (e.code() != ExitCode::unsupported) throw;
      ++unsupported;
      std::cerr << "unsupported: " << p.describe() << ": " << e.what() << '\n';
    }
  }
  EXPECT_GE(ran, count / 2) << unsupported << " of " << count << " problems had no engine";
}

}  // namespace

TEST(Cudnn, F32Nhwc) { expect_matches_reference(DType::f32, Layout::nhwc, 12, 1); }
TEST(Cudnn, F32Nchw) { expect_matches_reference(DType::f32, Layout::nchw, 12, 2); }
TEST(Cudnn, Tf32Nhwc) { expect_matches_reference(DType::tf32, Layout::nhwc, 12, 3); }
TEST(Cudnn, Tf32Nchw) { expect_matches_reference(DType::tf32, Layout::nchw, 12, 4); }
TEST(Cudnn, F16Nhwc) { expect_matches_reference(DType::f16, Layout::nhwc, 12, 5); }
TEST(Cudnn, F16Nchw) { expect_matches_reference(DType::f16, Layout::nchw, 12, 6); }
TEST(Cudnn, Bf16Nhwc) { expect_matches_reference(DType::bf16, Layout::nhwc, 12, 7); }
TEST(Cudnn, Bf16Nchw) { expect_matches_reference(DType::bf16, Layout::nchw, 12, 8); }

TEST(Cudnn, ExhaustiveSearchOnTheSeedShapeReportsItsChoice) {
  auto gpu = gpu_or_skip_reason(AlgoSearch::exhaustive);
  REQUIRE_GPU(gpu);
  Problem p;  // the seed problem
  const HostTensors t = make_inputs(p, 1);
  const Measurement m = measure(*gpu.backend, p, t, {1, 10});
  EXPECT_TRUE(check_against_reference(p, t, m.output, 1).ok());
  EXPECT_FALSE(m.prepare.implementation.empty());
  bool has_algo = false;
  for (const auto& [k, v] : m.prepare.details) has_algo = has_algo || (k == "algo" && v.rfind("exhaustive", 0) == 0);
  EXPECT_TRUE(has_algo);
  EXPECT_EQ(m.samples_ms.size(), 10u);
  for (double ms : m.samples_ms) EXPECT_GT(ms, 0);
}

TEST(Cudnn, VerificationCatchesACorruptedGpuOutput) {
  auto gpu = gpu_or_skip_reason();
  REQUIRE_GPU(gpu);
  Problem p;
  p.n = 4;
  const HostTensors t = make_inputs(p, 2);
  Measurement m = measure(*gpu.backend, p, t, {1, 1});
  ASSERT_TRUE(check_against_reference(p, t, m.output, 1).ok());
  m.output[m.output.size() / 2] += 1000.0f;
  EXPECT_FALSE(check_against_reference(p, t, m.output, 1, int64_t(1) << 30).ok());
}

TEST(Cudnn, IncludeTransfersMakesRunsSlower) {
  BackendSettings s;
  s.algo = AlgoSearch::heuristic;
  auto a = make_gpu_backend(s);
  REQUIRE_GPU(a);
  s.include_transfers = true;
  auto b = make_gpu_backend(s);
  Problem p;
  const HostTensors t = make_inputs(p, 3);
  const double without = measure(*a.backend, p, t, {1, 5}).stats.median;
  const double with = measure(*b.backend, p, t, {1, 5}).stats.median;
  EXPECT_GT(with, without);  // the seed's 113 MB output alone takes milliseconds over PCIe
}

TEST(CudnnAvailability, WithoutAGpuTheReasonIsOneActionableLine) {
  auto gpu = make_gpu_backend({});
  if (gpu.backend) GTEST_SKIP() << "a GPU is present";
  EXPECT_FALSE(gpu.reason.empty());
  EXPECT_EQ(gpu.reason.find('\n'), std::string::npos);
  // One of the `convbench check` codes, 10 to 18.
  EXPECT_GE(static_cast<int>(gpu.code), 10);
  EXPECT_LE(static_cast<int>(gpu.code), 18);
  EXPECT_EQ(gpu.reason.find("insufficient"), std::string::npos) << gpu.reason;  // the real cause, not CUDA's words
}

// Runs on any machine: the teardown's lines need no GPU.
TEST(GpuTeardown, AStickyErrorIsSaidByTheFirstFailedReleaseOnly) {
  gpu_teardown::DestructorWarnings said;
  const std::string illegal = "an illegal memory access was encountered (cudaErrorIllegalAddress)";
  EXPECT_EQ(said.line(illegal, "CUDA: cudaFree(p) at cuda_util.hpp:73"),
            "convbench: warning: CUDA: cudaFree(p) at cuda_util.hpp:73 failed in a destructor: an illegal memory "
            "access was encountered (cudaErrorIllegalAddress); later releases that fail with it are not reported");
  EXPECT_EQ(said.line(illegal, "CUDA: cudaFree(p) at cuda_util.hpp:73"), std::nullopt);
  EXPECT_EQ(said.line(illegal, "CUDA: cudaStreamDestroy(h) at cuda_util.hpp:108"), std::nullopt);
  // Another error is news, and is said once too.
  EXPECT_EQ(said.line("CUDNN_STATUS_EXECUTION_FAILED", "cuDNN: cudnnDestroy"),
            "convbench: warning: cuDNN: cudnnDestroy failed in a destructor: CUDNN_STATUS_EXECUTION_FAILED; later "
            "releases that fail with it are not reported");
  EXPECT_EQ(said.line("CUDNN_STATUS_EXECUTION_FAILED", "cuDNN: cudnnDestroy"), std::nullopt);
}

#if CONVBENCH_HAVE_CUDNN
// Also without a GPU: cudaGetErrorString needs no device.
TEST(GpuTeardown, ReleasesThatFailWithOneErrorPrintOneLine) {
  ::testing::internal::CaptureStderr();
  cuda::report_noexcept(cudaErrorIllegalAddress, "cudaFree(p)", "cuda_util.hpp", 73);
  cuda::report_noexcept(cudaErrorIllegalAddress, "cudaEventDestroy(h)", "cuda_util.hpp", 108);
  cuda::report_noexcept(cudaErrorCudartUnloading, "cudaFree(p)", "cuda_util.hpp", 73);  // normal at exit
  cuda::report_noexcept(cudaErrorLaunchFailure, "cudaStreamDestroy(h)", "cuda_util.hpp", 108);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(),
            "convbench: warning: CUDA: cudaFree(p) at cuda_util.hpp:73 failed in a destructor: an illegal memory "
            "access was encountered (cudaErrorIllegalAddress); later releases that fail with it are not reported\n"
            "convbench: warning: CUDA: cudaStreamDestroy(h) at cuda_util.hpp:108 failed in a destructor: unspecified "
            "launch failure (cudaErrorLaunchFailure); later releases that fail with it are not reported\n");
}
#endif

namespace {
std::string detail(const Measurement& m, const std::string& key) {
  for (const auto& [k, v] : m.prepare.details)
    if (k == key) return v;
  return "";
}
}  // namespace

TEST(Cudnn, TheTuningCacheServesASecondRunAndRetuneSearchesAgain) {
  const convbench::testing::ScratchDir dir("tune-gpu");
  BackendSettings s;
  s.algo = AlgoSearch::automatic;
  s.tune_cache = dir.path + "/tuning.json";
  auto first = make_gpu_backend(s);
  REQUIRE_GPU(first);
  Problem p;
  p.n = 8;
  const HostTensors t = make_inputs(p, 4);
  const Measurement a = measure(*first.backend, p, t, {1, 3});
  EXPECT_EQ(detail(a, "algo").rfind("auto, fastest of ", 0), 0u) << detail(a, "algo");
  auto second = make_gpu_backend(s);
  const Measurement b = measure(*second.backend, p, t, {1, 3});
  EXPECT_EQ(detail(b, "algo").rfind("engine from cache (", 0), 0u) << detail(b, "algo");
  EXPECT_EQ(detail(b, "source"), "tuning cache");
  // Replayed from the numbers in its name, with no heuristics query (before, engines with deprecated knob
  // types, the seed's eng28_k2=4_k3=0 among them, were found by name after a mode-A query).
  EXPECT_EQ(detail(b, "cache"), "") << b.prepare.implementation;
  EXPECT_EQ(b.prepare.implementation, a.prepare.implementation);
  EXPECT_TRUE(check_against_reference(p, t, b.output, 1).ok());
  s.retune = true;
  auto third = make_gpu_backend(s);
  const Measurement c = measure(*third.backend, p, t, {1, 3});
  EXPECT_EQ(detail(c, "algo").rfind("auto, fastest of ", 0), 0u) << detail(c, "algo");
}

TEST(Cudnn, ACorruptTuningCacheIsOneWarningAndTheRunGoesOn) {
  const convbench::testing::ScratchDir dir("tune-gpu");
  const std::string path = dir.path + "/tuning.json";
  std::ofstream(path) << "{ not json";
  BackendSettings s;
  s.tune_cache = path;
  auto gpu = make_gpu_backend(s);
  REQUIRE_GPU(gpu);
  Problem p;
  p.n = 2;
  const Measurement m = measure(*gpu.backend, p, make_inputs(p, 5), {1, 2});
  int corrupt = 0;
  for (const std::string& w : m.warnings) corrupt += w.find("is corrupt") != std::string::npos;
  EXPECT_EQ(corrupt, 1);
}

TEST(Cudnn, RunsAreTimedOnTheDeviceAloneAndInGroups) {
  auto gpu = gpu_or_skip_reason();
  REQUIRE_GPU(gpu);
  Problem p;
  p.n = 1, p.h = 16, p.w = 16, p.k = 8;  // a tiny problem, where launch latency would show most
  const Measurement m = measure(*gpu.backend, p, make_inputs(p, 6), {1, 40});
  EXPECT_EQ(detail(m, "timing"), "device only (runs queued behind a held stream)");
  ASSERT_EQ(m.samples_ms.size(), 40u);
  for (double ms : m.samples_ms) EXPECT_GT(ms, 0);
  // A GPU that just ran is not taken for one a failure left unusable (which a list would stop trying).
  EXPECT_EQ(gpu.backend->lost(), "");
}

TEST(Cudnn, SmClocksAreReadAroundTheRunsUnlessTurnedOff) {
  BackendSettings s;
  s.algo = AlgoSearch::heuristic;
  auto gpu = make_gpu_backend(s);
  REQUIRE_GPU(gpu);
  Problem p;
  p.n = 2;
  const HostTensors t = make_inputs(p, 7);
  const Measurement m = measure(*gpu.backend, p, t, {1, 2});  // NVML opened on another thread meanwhile
  ASSERT_TRUE(m.clock_before.has_value()) << "NVML gave no SM clock";
  EXPECT_GT(m.clock_before->sm_mhz, 0);
  ASSERT_TRUE(m.clock_after.has_value());
  s.clocks = false;  // as `convbench check` builds its backend
  auto quiet = make_gpu_backend(s);
  const Measurement q = measure(*quiet.backend, p, t, {1, 2});
  EXPECT_FALSE(q.clock_before.has_value());
  EXPECT_FALSE(q.clock_after.has_value());
}

TEST(Cudnn, PeakHasACeilingForEveryDtypeWithTheLayoutAndEngineThatReachedIt) {
  auto gpu = gpu_or_skip_reason();
  REQUIRE_GPU(gpu);
  gpu.backend.reset();  // the ceilings open their own
  const Ceilings c = measure_gpu_ceilings(BackendSettings{});
  for (const char* d : {"f32", "tf32", "bf16", "f16"}) {
    ASSERT_EQ(c.tflops.count(d), 1u) << d;
    EXPECT_GT(c.tflops.at(d), 0) << d;
    const std::string how = c.sources.at(d);  // "nhwc eng28_k2=4_k3=0": the faster layout and its engine
    EXPECT_TRUE(how.rfind("nhwc eng", 0) == 0 || how.rfind("nchw eng", 0) == 0) << d << ": " << how;
  }
  EXPECT_GT(c.tflops.at("f16"), c.tflops.at("f32")) << "tensor cores: half precision is faster";
  EXPECT_GT(c.gbps, 0);
}

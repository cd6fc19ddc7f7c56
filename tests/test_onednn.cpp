// The oneDNN backend against the float64 reference on seeded random problems.
#include <gtest/gtest.h>
#include <oneapi/dnnl/dnnl_version.h>

#include <map>

#include "backends/onednn/onednn_backend.hpp"
#include "convbench/harness.hpp"
#include "convbench/reference.hpp"
#include "random_problems.hpp"

using namespace convbench;

namespace {

void expect_matches_reference(DType d, int count, uint64_t seed) {
  auto avail = make_cpu_backend({1, 0});
  ASSERT_TRUE(avail.backend);
  int ran = 0;
  for (const Problem& p : convbench::testing::random_problems(count, d, seed)) {
    SCOPED_TRACE(p.describe());
    const Support s = avail.backend->supports(p);
    // A CPU without kernels for the dtype refuses every problem, the first included: skipped. Any other
    // refusal (f32 at all, or a shape after others of the dtype ran) is a problem convbench could not run.
    if (!s.ok && d != DType::f32 && ran == 0) GTEST_SKIP() << s.reason;
    if (!s.ok) {
      ADD_FAILURE() << "refused after " << ran << " ran: " << s.reason;
      continue;
    }
    const HostTensors t = make_inputs(p, seed + ran);
    const Measurement m = measure(*avail.backend, p, t, {1, 1});
    const Check c = check_against_reference(p, t, m.output, 0, int64_t(1) << 30);
    EXPECT_FALSE(c.sampled);
    EXPECT_TRUE(c.ok()) << "error " << c.error << " > " << c.tolerance;
    ++ran;
  }
  EXPECT_EQ(ran, count);
}

}  // namespace

TEST(OneDnn, F32MatchesReferenceOn40RandomProblems) { expect_matches_reference(DType::f32, 40, 100); }
TEST(OneDnn, Bf16MatchesReferenceOn20RandomProblems) { expect_matches_reference(DType::bf16, 20, 200); }
// Skipped where oneDNN has no f16 convolution (before 3.x, or a CPU without AVX512-FP16 or AMX-FP16).
TEST(OneDnn, F16MatchesReferenceOn20RandomProblems) { expect_matches_reference(DType::f16, 20, 300); }

TEST(OneDnn, SeedShapeMatchesReferenceInBothLayouts) {
  auto cpu = make_cpu_backend({0, 0});
  for (Layout l : {Layout::nhwc, Layout::nchw}) {
    Problem p;
    p.n = 4;
    p.layout = l;
    const HostTensors t = make_inputs(p, 9);
    const Measurement m = measure(*cpu.backend, p, t, {1, 2});
    EXPECT_TRUE(check_against_reference(p, t, m.output, 1).ok());
    EXPECT_FALSE(m.prepare.implementation.empty());
    EXPECT_EQ(m.samples_ms.size(), 2u);
  }
}

TEST(OneDnn, Tf32IsBf16MathOnlyWhereThatChangesTheKernel) {
  auto cpu = make_cpu_backend({1, 0});
  Problem p;
  p.n = 2;
  p.dtype = DType::tf32;
  const Support s = cpu.backend->supports(p);
  Problem strict = p;
  strict.dtype = DType::f32;
  const HostTensors t = make_inputs(p, 7);
  const Measurement f32 = measure(*cpu.backend, strict, t, {1, 1});
  if (!s.ok) {
    // Same kernel either way: calling it bf16 math would be false, so it is refused with both names.
    EXPECT_EQ(s.reason, "oneDNN's bf16 math mode does not change the kernel on this CPU (ISA " + onednn_isa() +
                            ": both run " + f32.prepare.implementation +
                            "), so there is no reduced-precision f32 math here");
    return;
  }
  const Measurement m = measure(*cpu.backend, p, t, {1, 1});
  EXPECT_NE(m.prepare.implementation, f32.prepare.implementation);
  const Check c = check_against_reference(p, t, m.output, 0, int64_t(1) << 30);
  EXPECT_LE(c.error, tolerance(DType::bf16));
}

TEST(OneDnn, AppliesAndReportsTheThreadCount) {
  auto cpu = make_cpu_backend({1, 0});
  Problem p;
  p.n = 1;
  const Measurement m = measure(*cpu.backend, p, make_inputs(p, 1), {1, 1});
  EXPECT_EQ(m.prepare.threads, 1);
  std::map<std::string, std::string> details(m.prepare.details.begin(), m.prepare.details.end());
  EXPECT_EQ(details["ftz_daz"], "on");
  EXPECT_EQ(details["affinity"].rfind("cpus ", 0), 0u);
  EXPECT_FALSE(details["isa"].empty());
  EXPECT_EQ(m.device.library_text().rfind("oneDNN ", 0), 0u);
}

TEST(OneDnn, ReportsTheLibraryItLoadedAndItMatchesTheHeaders) {
  // The version comes from the loaded library (dnnl_version()); the headers say what we compiled against.
  const std::string prefix =
      "oneDNN " + std::to_string(DNNL_VERSION_MAJOR) + "." + std::to_string(DNNL_VERSION_MINOR) + ".";
  EXPECT_EQ(onednn_version().rfind(prefix, 0), 0u) << onednn_version();
  auto cpu = make_cpu_backend({1, 0});
  EXPECT_EQ(cpu.backend->device().library_text(), onednn_version());
}

TEST(OneDnn, F16RunsWhereTheCpuHasF16MathAndIsOtherwiseUnsupportedWithTheIsa) {
  // oneDNN runs f16 convolutions only on CPUs with native f16 arithmetic (AVX512-FP16, AMX-FP16; 3.x).
  auto cpu = make_cpu_backend({1, 0});
  Problem p;
  p.n = 2;
  p.dtype = DType::f16;
  const Support s = cpu.backend->supports(p);
  const std::string isa = onednn_isa();
  const bool f16_isa = isa == "avx512_core_fp16" || isa == "avx512_core_amx_fp16";
  if (!s.ok) {
    EXPECT_FALSE(f16_isa && DNNL_VERSION_MAJOR >= 3) << s.reason;
    EXPECT_EQ(s.reason.rfind("oneDNN cannot run f16 convolutions on this CPU (ISA " + isa + ")", 0), 0u) << s.reason;
    return;
  }
  const HostTensors t = make_inputs(p, 16);
  const Measurement m = measure(*cpu.backend, p, t, {1, 1});
  EXPECT_TRUE(check_against_reference(p, t, m.output, 0, int64_t(1) << 30).ok());
}

TEST(OneDnn, AReferenceImplementationIsWarnedAbout) {
  EXPECT_EQ(
      implementation_warnings("ref:any"),
      std::vector<std::string>{"oneDNN ran a reference implementation (ref:any): its time says little about this CPU"});
  EXPECT_TRUE(implementation_warnings("brgconv:avx512_core").empty());
}

// The oneDNN backend against the float64 reference on seeded random problems.
#include <gtest/gtest.h>

#include <map>

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
    if (!s.ok) GTEST_SKIP() << s.reason;
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

TEST(OneDnn, Tf32IsUnsupportedNotRunAsSomethingElse) {
  auto cpu = make_cpu_backend({1, 0});
  Problem p;
  p.dtype = DType::tf32;
  const Support s = cpu.backend->supports(p);
  EXPECT_FALSE(s.ok);
  EXPECT_EQ(s.reason, "oneDNN has no TF32 convolution on the CPU (use --dtype f32 for strict FP32)");
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
  EXPECT_EQ(m.device.library.rfind("oneDNN ", 0), 0u);
}

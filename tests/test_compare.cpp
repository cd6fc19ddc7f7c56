// `compare`: verdicts against noise, unmatched problems, devices that ran another mode.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "cli/compare.hpp"
#include "sample_result.hpp"

using namespace convbench;
using namespace convbench::testing;

TEST(Compare, VerdictsAgainstNoise) {
  const std::vector<RunResult> base{sample_result(40, 2, 0.4)};  // cpu spread ±1%
  // Same within noise, clearly slower, clearly faster.
  auto verdict = [&](double cpu_ms, double threshold) {
    const auto rep = compare_results(base, {sample_result(cpu_ms, 2, 0.4)}, DeviceSelection::cpu, threshold);
    EXPECT_EQ(rep.rows.size(), 1u);
    return rep.rows.at(0);
  };
  EXPECT_EQ(verdict(40.2, 0.05).verdict, Verdict::same);
  const Comparison slow = verdict(48, 0.05);
  EXPECT_EQ(slow.verdict, Verdict::slower);
  EXPECT_NEAR(slow.ratio, 1.2, 1e-9);
  EXPECT_TRUE(slow.regression);
  EXPECT_FALSE(verdict(48, 0.5).regression);  // slower, but within a 50% threshold
  EXPECT_EQ(verdict(20, 0.05).verdict, Verdict::faster);
  EXPECT_FALSE(verdict(20, 0.05).regression);
  // Noise widens "same": 10% spread on both sides hides a 15% change.
  const std::vector<RunResult> noisy{sample_result(40, 2, 4)};
  const auto rep = compare_results(noisy, {sample_result(46, 2, 4)}, DeviceSelection::cpu, 0.0);
  EXPECT_EQ(rep.rows.at(0).verdict, Verdict::same);
  EXPECT_FALSE(rep.rows.at(0).regression);
}

TEST(Compare, UnmatchedProblemsAreListed) {
  RunResult other = sample_result(40, 2);
  other.problem.n = 5;
  const auto rep = compare_results({sample_result(40, 2)}, {other}, DeviceSelection::all, 0.05);
  EXPECT_TRUE(rep.rows.empty());
  EXPECT_EQ(rep.only_in_base.size(), 1u);
  EXPECT_EQ(rep.only_in_new.size(), 1u);
  const auto both = compare_results({sample_result(40, 2)}, {sample_result(40, 2)}, DeviceSelection::all, 0.05);
  EXPECT_EQ(both.rows.size(), 2u);  // cpu and gpu
}

TEST(Compare, ADeviceThatRanAnotherModeIsListedNotCompared) {
  RunResult base = sample_result(40, 2), next = sample_result(20, 2);
  base.devices[0].dtype = DType::tf32;  // the CPU ran bf16 math in the base, strict FP32 now
  const auto rep = compare_results({base}, {next}, DeviceSelection::all, 0.05);
  ASSERT_EQ(rep.rows.size(), 1u);
  EXPECT_EQ(rep.rows[0].device, DeviceKind::gpu);
  ASSERT_EQ(rep.mode_changes.size(), 1u);
  EXPECT_EQ(rep.mode_changes[0], "cpu " + base.problem.describe() + ": f32 with bf16 math -> f32");
}

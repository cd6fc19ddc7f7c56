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
  next.devices[0].dtype = DType::f32;
  const auto rep = compare_results({base}, {next}, DeviceSelection::all, 0.05);
  ASSERT_EQ(rep.rows.size(), 1u);
  EXPECT_EQ(rep.rows[0].device, DeviceKind::gpu);
  ASSERT_EQ(rep.mode_changes.size(), 1u);
  EXPECT_EQ(rep.mode_changes[0], "cpu " + base.problem.describe() + ": f32 with bf16 math -> f32");
}

namespace {

/// A CPU-only result whose runs are `samples` (ms), and whose rounds had the medians `rounds` (none: one round).
RunResult cpu_result(const std::vector<double>& samples, const std::vector<double>& rounds = {}) {
  RunResult r = sample_result(40, 2);
  r.devices.pop_back();
  Measurement& m = *r.devices[0].measurement;
  m.samples_ms = samples;
  m.stats = summarize(samples);
  m.round_medians_ms = rounds;
  return r;
}

}  // namespace

TEST(Compare, OneStrayRunDoesNotWidenTheNoise) {
  // Nine runs at 40 ms and one at 400 ms: a stddev-based noise would be ~280% and hide anything.
  const std::vector<double> stray{40, 40, 40, 40, 40, 40, 40, 40, 40, 400};
  const auto rep = compare_results({cpu_result(stray)}, {cpu_result(std::vector<double>(10, 44))},
                                   DeviceSelection::cpu, 0.05, 0.02);
  ASSERT_EQ(rep.rows.size(), 1u);
  EXPECT_NEAR(rep.rows[0].noise, 0.02, 1e-12) << "the floor alone: the runs' robust spread is 0";
  EXPECT_TRUE(rep.rows[0].regression) << "10% slower, beyond 5% + 2%";
}

TEST(Compare, TheNoiseFloorCoversDriftOneRunCannotSee) {
  const auto base = cpu_result(std::vector<double>(10, 40)), next = cpu_result(std::vector<double>(10, 42.4));
  EXPECT_TRUE(compare_results({base}, {next}, DeviceSelection::cpu, 0.03, 0.02).rows.at(0).regression);  // 6% > 5%
  EXPECT_FALSE(compare_results({base}, {next}, DeviceSelection::cpu, 0.03, 0.04).rows.at(0).regression);  // < 7%
}

TEST(Compare, RoundsOutvoteASlowSpell) {
  // Base: three rounds, one of them during a slow spell of the machine (twice the time).
  const RunResult base = cpu_result({40, 40, 40, 80, 80, 80, 40, 40, 40}, {40, 80, 40});
  const auto same = compare_results({base}, {cpu_result(std::vector<double>(9, 40.4), {40.4, 40.4, 40.4})},
                                    DeviceSelection::cpu, 0.05, 0.02);
  ASSERT_EQ(same.rows.size(), 1u);
  EXPECT_DOUBLE_EQ(same.rows[0].base_ms, 40) << "the median of the rounds' medians";
  EXPECT_EQ(same.rows[0].base_rounds, 3);
  EXPECT_FALSE(same.rows[0].regression);
  const auto slower = compare_results({base}, {cpu_result(std::vector<double>(9, 48), {48, 48, 48})},
                                      DeviceSelection::cpu, 0.05, 0.02);
  EXPECT_TRUE(slower.rows.at(0).regression) << "20% slower is still caught";
  // Records of the same problem in one file are rounds too (files appended to by interleaved runs).
  const auto appended = compare_results({cpu_result(std::vector<double>(3, 40)), cpu_result(std::vector<double>(3, 80)),
                                         cpu_result(std::vector<double>(3, 40))},
                                        {cpu_result(std::vector<double>(3, 40))}, DeviceSelection::cpu, 0.05, 0.02);
  ASSERT_EQ(appended.rows.size(), 1u);
  EXPECT_EQ(appended.rows[0].base_rounds, 3);
  EXPECT_DOUBLE_EQ(appended.rows[0].base_ms, 40);
  EXPECT_EQ(appended.rows[0].verdict, Verdict::same);
}

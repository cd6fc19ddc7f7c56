// `compare`: verdicts against noise, unmatched problems, devices that ran another mode.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
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

TEST(Compare, ACacheFlushOrTimedTransfersInOneFileOnlyIsListedNotCompared) {
  // The GPU flushed its caches before every run in the new file: 30% slower, and not a regression of anything.
  RunResult base = sample_result(40, 2), cold = sample_result(40, 2.6);
  cold.devices[1].measurement->cache = CacheMode::cold;
  auto rep = compare_results({base}, {cold}, DeviceSelection::all, 0.05);
  ASSERT_EQ(rep.rows.size(), 1u);
  EXPECT_EQ(rep.rows[0].device, DeviceKind::cpu);
  ASSERT_EQ(rep.mode_changes.size(), 1u);
  EXPECT_EQ(rep.mode_changes[0], "gpu " + base.problem.describe() + ": bf16 -> bf16, cold cache");
  // Both cold: like for like again.
  base.devices[1].measurement->cache = CacheMode::cold;
  rep = compare_results({base}, {cold}, DeviceSelection::gpu, 0.05);
  ASSERT_EQ(rep.rows.size(), 1u);
  EXPECT_TRUE(rep.rows[0].regression);
  EXPECT_TRUE(rep.mode_changes.empty());
  // Transfers timed in the base only (the backend's detail, as a record keeps it).
  RunResult transfers = sample_result(40, 4), plain = sample_result(40, 2);
  transfers.devices[1].measurement->prepare.details.emplace_back(kTransfersDetail, kTransfersTimed);
  plain.devices[1].measurement->prepare.details.emplace_back(kTransfersDetail, "excluded (data on the device)");
  rep = compare_results({transfers}, {plain}, DeviceSelection::gpu, 0.05);
  EXPECT_TRUE(rep.rows.empty());
  ASSERT_EQ(rep.mode_changes.size(), 1u);
  EXPECT_EQ(rep.mode_changes[0], "gpu " + base.problem.describe() + ": bf16, transfers timed -> bf16");
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

namespace {

/// `ratios.size()` CPU problems (batch 1, 2, ...), each timed at a steady 40 ms in base and 40 ms × its ratio
/// in new: their runs have no spread of their own, so each row's noise is the drift between the two runs.
CompareReport compare_set(const std::vector<double>& ratios, double threshold = 0.05) {
  std::vector<RunResult> base, next;
  for (size_t i = 0; i < ratios.size(); ++i) {
    base.push_back(cpu_result(std::vector<double>(5, 40)));
    next.push_back(cpu_result(std::vector<double>(5, 40 * ratios[i])));
    base.back().problem.n = next.back().problem.n = static_cast<int64_t>(i) + 1;
  }
  return compare_results(base, next, DeviceSelection::cpu, threshold, 0.02);
}

}  // namespace

// The verdict of one problem: slower above 1 + noise, faster below 1 - noise, else the same; with no spread
// of their own, the noise is the floor (2%).
TEST(Compare, FasterAndSlowerAreJudgedAgainstTheNoiseOnBothSides) {
  const auto verdict = [](double ratio) { return compare_set({ratio}).rows.at(0).verdict; };
  EXPECT_EQ(verdict(0.97), Verdict::faster);
  EXPECT_EQ(verdict(0.99), Verdict::same);
  EXPECT_EQ(verdict(1.01), Verdict::same);
  EXPECT_EQ(verdict(1.03), Verdict::slower);
  EXPECT_TRUE(compare_set({1.03}).sets.empty()) << "one problem has no set verdict";
}

// With five problems or more the drift between the runs is measured from the spread of their ratios, never
// taken below the noise floor; the set has its own verdict on its median ratio.
TEST(Compare, FiveProblemsOrMoreMeasureTheDriftAndJudgeTheSet) {
  // All five 1% slower: no spread, so the floor stands, and 1% is the same.
  const CompareReport even = compare_set({1.01, 1.01, 1.01, 1.01, 1.01});
  ASSERT_EQ(even.rows.size(), 5u);
  for (const Comparison& c : even.rows) {
    EXPECT_NEAR(c.noise, 0.02, 1e-12);
    EXPECT_EQ(c.verdict, Verdict::same);
  }
  ASSERT_EQ(even.sets.size(), 1u);
  EXPECT_EQ(even.sets[0].problems, 5);
  EXPECT_NEAR(even.sets[0].median_ratio, 1.01, 1e-12);
  EXPECT_NEAR(even.sets[0].spread, 0, 1e-12);
  EXPECT_FALSE(even.sets[0].regression);
  // All five 10% slower: each problem and the set are regressions.
  const CompareReport slow = compare_set({1.1, 1.1, 1.1, 1.1, 1.1});
  ASSERT_EQ(slow.sets.size(), 1u);
  EXPECT_TRUE(slow.sets[0].regression);
  for (const Comparison& c : slow.rows) EXPECT_TRUE(c.regression);
  // Ratios spread from 1.00 to 1.12: the median, 1.06, passes the 5% threshold but not the threshold plus
  // twice its standard error, and no problem stands out of the spread by 3.5 spreads.
  const std::vector<double> ratios{1.0, 1.03, 1.06, 1.09, 1.12};
  const CompareReport spread = compare_set(ratios);
  std::vector<double> logs, dev;
  for (double r : ratios) logs.push_back(std::log(r));
  for (double l : logs) dev.push_back(std::fabs(l - std::log(1.06)));
  std::sort(dev.begin(), dev.end());
  const double s = 1.4826 * dev[2];
  ASSERT_EQ(spread.sets.size(), 1u);
  EXPECT_NEAR(spread.sets[0].median_ratio, 1.06, 1e-12);
  EXPECT_NEAR(spread.sets[0].spread, s, 1e-12);
  EXPECT_NEAR(spread.sets[0].noise, 2 * 1.2533 * s / std::sqrt(5.0), 1e-12);
  EXPECT_FALSE(spread.sets[0].regression);
  for (const Comparison& c : spread.rows) {
    EXPECT_NEAR(c.noise, 3.5 * s, 1e-12);
    EXPECT_FALSE(c.regression) << c.problem;
  }
  // One problem 50% slower among four unchanged: it stands out, and it alone is a regression.
  const CompareReport one = compare_set({1.0, 1.0, 1.5, 1.0, 1.0});
  ASSERT_EQ(one.rows.size(), 5u);
  int regressions = 0;
  for (const Comparison& c : one.rows) regressions += c.regression;
  EXPECT_EQ(regressions, 1);
  EXPECT_FALSE(one.sets.at(0).regression);
}

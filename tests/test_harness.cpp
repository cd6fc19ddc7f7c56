#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <memory>
#include <sstream>

#include "backends/onednn/onednn_backend.hpp"
#include "convbench/harness.hpp"
#include "convbench/report.hpp"
#include "fake_backend.hpp"
#include "sample_result.hpp"

using namespace convbench;
using convbench::testing::FakeBackend;

namespace {
/// A record of `p` whose one device, the GPU, measured `m`.
RunResult gpu_result(const Problem& p, const Measurement& m) {
  RunResult r;
  r.problem = p;
  DeviceResult d;
  d.kind = DeviceKind::gpu;
  d.measurement = m;
  r.devices.push_back(d);
  return r;
}

/// A GPU record of `p` whose measurement holds `samples` (no warm-ups kept).
RunResult gpu_record(const Problem& p, const std::vector<double>& samples) {
  Measurement m;
  m.samples_ms = samples;
  m.stats = summarize(samples);
  return gpu_result(p, m);
}
}  // namespace

TEST(Stats, SummaryOfKnownSamples) {
  const Stats s = summarize({3, 1, 2, 5, 4});
  EXPECT_DOUBLE_EQ(s.sum, 15);
  EXPECT_DOUBLE_EQ(s.median, 3);
  EXPECT_DOUBLE_EQ(s.min, 1);
  EXPECT_DOUBLE_EQ(s.max, 5);
  EXPECT_DOUBLE_EQ(s.mean, 3);
  EXPECT_DOUBLE_EQ(s.stddev, std::sqrt(2.5));
  EXPECT_DOUBLE_EQ(summarize({4, 1, 3, 2}).median, 2.5);
  const Stats one = summarize({7});
  EXPECT_DOUBLE_EQ(one.median, 7);
  EXPECT_DOUBLE_EQ(one.stddev, 0);
  EXPECT_DOUBLE_EQ(summarize({}).sum, 0);
}

TEST(Harness, WarmupIsUntimedAndEveryTimedSampleIsKept) {
  Problem p;
  p.n = 1, p.h = 8, p.w = 8, p.k = 2, p.r = 3, p.s = 3;
  FakeBackend fake({1000, 900, 10, 20, 30, 40});  // two warm-up runs, then four timed
  const HostTensors t = make_inputs(p, 1);
  const Measurement m = measure(fake, p, t, {2, 4});
  EXPECT_EQ(fake.prepares, 1);
  EXPECT_EQ(fake.runs, 6);
  EXPECT_EQ(fake.reads, 1);
  EXPECT_EQ(m.samples_ms, (std::vector<double>{10, 20, 30, 40}));
  EXPECT_DOUBLE_EQ(m.stats.sum, 100);
  EXPECT_DOUBLE_EQ(m.stats.median, 25);
  EXPECT_DOUBLE_EQ(m.prepare.setup_ms, 12.5);
  EXPECT_EQ(m.output.size(), size_t(p.output_elems()));
}

TEST(Harness, TimedRunsGoToTheBackendInGroupsAndCtrlCKeepsTheRunsCompleted) {
  Problem p;
  p.n = 1, p.h = 8, p.w = 8, p.k = 2, p.r = 3, p.s = 3;
  std::deque<double> ms(1 + 40, 1.0);
  FakeBackend fake(ms);
  fake.per_call = kRunsPerGroup;  // as the GPU backend asks
  const Measurement m = measure(fake, p, make_inputs(p, 1), {1, 40});
  EXPECT_EQ(fake.groups, (std::vector<int>{kRunsPerGroup, kRunsPerGroup, 40 - 2 * kRunsPerGroup}));
  EXPECT_EQ(m.samples_ms.size(), 40u);
  EXPECT_FALSE(m.interrupted);

  FakeBackend one_by_one(ms);  // a CPU backend: one run per call
  measure(one_by_one, p, make_inputs(p, 1), {1, 5});
  EXPECT_EQ(one_by_one.groups, (std::vector<int>{1, 1, 1, 1, 1}));

  // Ctrl-C while the third run goes: measure() returns the three runs completed, marked interrupted.
  FakeBackend slow(ms);
  int calls = 0;
  bool stop = false;
  slow.after_group = [&] { stop = ++calls == 3; };
  HarnessConfig cfg{1, 40};
  cfg.cancelled = [&] { return stop; };
  std::vector<std::pair<int, int>> told;
  cfg.on_run = [&](int done, int total) { told.emplace_back(done, total); };
  const Measurement part = measure(slow, p, make_inputs(p, 1), cfg);
  EXPECT_TRUE(part.interrupted);
  EXPECT_EQ(part.samples_ms.size(), 3u);
  EXPECT_EQ(part.stats.sum, 3.0);
  EXPECT_EQ(slow.reads, 1) << "the output of the runs completed is still read, for verification";
  EXPECT_EQ(told, (std::vector<std::pair<int, int>>{{0, 40}, {1, 40}, {2, 40}}));

  // Before the first timed run there is nothing to keep: measure() throws.
  FakeBackend early(ms);
  HarnessConfig at_once{1, 40};
  at_once.cancelled = [] { return true; };
  try {
    measure(early, p, make_inputs(p, 1), at_once);
    ADD_FAILURE() << "not interrupted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::interrupted);
  }
}

TEST(Harness, WarningsTheBackendRaisesAtSetupReachTheMeasurementWithTheDevice) {
  Problem p;
  p.n = 1, p.h = 8, p.w = 8, p.k = 2, p.r = 3, p.s = 3;
  FakeBackend fake({1, 1, 1}, "gpu");
  fake.prepare_warnings = {"tuning cache /x is corrupt (bad); ignoring it"};
  const Measurement m = measure(fake, p, make_inputs(p, 1), {1, 2});
  EXPECT_NE(std::find(m.warnings.begin(), m.warnings.end(), "gpu: tuning cache /x is corrupt (bad); ignoring it"),
            m.warnings.end());
}

TEST(Harness, WhatTheBackendLearnsDuringTheTimedRunsReachesTheMeasurementAndEveryRound) {
  // As the GPU backend: its stream hold held in prepare()'s check run and gave way in the second batch.
  Problem p;
  p.n = 1, p.h = 8, p.w = 8, p.k = 2, p.r = 3, p.s = 3;
  const std::string warning = "the stream could not be held while runs were queued (a call waited for it: x)";
  const auto scripted = [&](int gives_way_in_batch) {
    auto fake = std::make_unique<FakeBackend>(std::deque<double>(1 + 40, 1.0), "gpu");
    fake->per_call = kRunsPerGroup;
    auto batches = std::make_shared<int>(0);
    fake->after_group = [batches] { ++*batches; };
    fake->on_after_runs = [=](PrepareReport& r) {
      if (*batches < gives_way_in_batch) return;
      r.details.emplace_back("timing", "includes launch latency");
      r.warnings.push_back(warning);
    };
    return fake;
  };
  const auto has = [](const std::vector<std::string>& ws, const std::string& w) {
    return std::count(ws.begin(), ws.end(), w);
  };
  const Measurement gave_way = measure(*scripted(2), p, make_inputs(p, 1), {1, 40});
  EXPECT_EQ(has(gave_way.warnings, "gpu: " + warning), 1) << "raised after prepare(), still reported";
  ASSERT_FALSE(gave_way.prepare.details.empty());
  EXPECT_EQ(gave_way.prepare.details.back().second, "includes launch latency");
  const Measurement held = measure(*scripted(99), p, make_inputs(p, 1), {1, 40});
  EXPECT_EQ(has(held.warnings, "gpu: " + warning), 0);

  // Rounds: the first held, the second did not: the merged record warns, once.
  RunResult rounds = gpu_result(p, held);
  add_round(rounds, gpu_result(p, gave_way));
  add_round(rounds, gpu_result(p, gave_way));
  EXPECT_EQ(has(rounds.devices[0].measurement->warnings, "gpu: " + warning), 1);
}

// With --tune-cache off every round searches again and may choose another engine: the merged record names
// round 1's, so it warns that the medians mix two implementations, once however many rounds did.
TEST(Harness, RoundsThatRanAnotherImplementationAreNamedOnce) {
  Problem p;
  p.n = 1, p.h = 8, p.w = 8, p.k = 2, p.r = 3, p.s = 3;
  const auto round = [&](const std::string& engine) {
    FakeBackend fake({1, 1, 1}, "gpu");
    fake.implementation = engine;
    RunResult r;
    r.problem = p;
    DeviceResult d;
    d.kind = DeviceKind::gpu;
    d.measurement = measure(fake, p, make_inputs(p, 1), {1, 2});
    r.devices.push_back(d);
    return r;
  };
  const std::string mixed =
      "gpu: a later round ran eng9_k2=1, not eng28_k2=4 as the record says (each round chose again; the tuning cache "
      "keeps one choice): the rounds' medians mix the two";
  RunResult same = round("eng28_k2=4");
  add_round(same, round("eng28_k2=4"));
  EXPECT_TRUE(same.devices[0].measurement->warnings.empty());
  RunResult rounds = round("eng28_k2=4");
  add_round(rounds, round("eng9_k2=1"));
  add_round(rounds, round("eng9_k2=1"));
  const Measurement& m = *rounds.devices[0].measurement;
  EXPECT_EQ(m.prepare.implementation, "eng28_k2=4");
  EXPECT_EQ(std::count(m.warnings.begin(), m.warnings.end(), mixed), 1) << ::testing::PrintToString(m.warnings);
}

TEST(Harness, ACpuRunThatGotLittleCpuTimeIsFlaggedAsDescheduled) {
  Problem p;
  p.n = 1, p.h = 8, p.w = 8, p.k = 2, p.r = 3, p.s = 3;
  // Runs that claim 20 ms each but use no CPU: what a descheduled process looks like from inside.
  FakeBackend idle({20, 20, 20, 20, 20});
  idle.threads = 1;
  const Measurement m = measure(idle, p, make_inputs(p, 1), {1, 4});
  ASSERT_TRUE(m.cpu_share.has_value());
  EXPECT_LT(*m.cpu_share, 0.2);
  int flagged = 0;
  for (const std::string& w : m.warnings)
    flagged += w.rfind("cpu: the process got ", 0) == 0 &&
               w.find("of the CPU time its 1 thread could use") != std::string::npos;
  EXPECT_EQ(flagged, 1);
  // Runs that really use the CPU for their duration are not flagged (share about 1, however busy the machine).
  FakeBackend busy({5, 5, 5, 5, 5});
  busy.threads = 1;
  busy.burn = true;
  const Measurement b = measure(busy, p, make_inputs(p, 1), {1, 4});
  ASSERT_TRUE(b.cpu_share.has_value());
  EXPECT_GT(*b.cpu_share, 0.9);
  for (const std::string& w : b.warnings) EXPECT_EQ(w.find("CPU time its"), std::string::npos) << w;
  // A GPU measurement (no threads) has no CPU share.
  FakeBackend gpu({1, 1, 1}, "gpu");
  EXPECT_FALSE(measure(gpu, p, make_inputs(p, 1), {1, 2}).cpu_share.has_value());
}

// "1 of 10 runs are outliers" and "its 1 threads" read wrong; the counts now take their number.
TEST(Harness, OutlierWarningsSayOneOrSeveral) {
  Problem p;
  p.n = 1, p.h = 8, p.w = 8, p.k = 2, p.r = 3, p.s = 3;
  const auto outlier_line = [&](std::deque<double> durations) {
    FakeBackend gpu(durations, "gpu");
    const Measurement m = measure(gpu, p, make_inputs(p, 1), {1, static_cast<int>(durations.size()) - 1});
    for (const std::string& w : m.warnings)
      if (w.find("outlier") != std::string::npos) return w;
    return std::string();
  };
  EXPECT_EQ(outlier_line({1, 1, 1, 1, 1, 1, 1.01, 1, 1, 1, 5}),
            "gpu: 1 of 10 runs is an outlier (modified Z-score above 3.5)");
  EXPECT_EQ(outlier_line({1, 1, 1, 1, 1, 1, 1.01, 1, 1, 5, 5}),
            "gpu: 2 of 10 runs are outliers (modified Z-score above 3.5)");
}

TEST(Harness, SpeedupIsCpuTimeOverGpuTime) {
  EXPECT_DOUBLE_EQ(speedup(summarize({10, 10}), 2, summarize({1, 1}), 2), 10);
  EXPECT_DOUBLE_EQ(speedup(summarize({3}), 1, summarize({12}), 1), 0.25);
}

TEST(Stats, CoefficientOfVariationAndModifiedZOutliers) {
  const Stats s = summarize({10, 10.1, 9.9, 10, 10.2, 9.8, 10, 30});
  EXPECT_NEAR(s.cv, s.stddev / s.mean, 1e-12);
  EXPECT_EQ(s.outliers, (std::vector<size_t>{7}));
  EXPECT_TRUE(summarize({10, 10.1, 9.9, 10, 10.2}).outliers.empty());
  // MAD 0 (most samples equal): the mean absolute deviation stands in.
  EXPECT_EQ(modified_z_outliers({5, 5, 5, 5, 5, 5, 9}), (std::vector<size_t>{6}));
  EXPECT_TRUE(modified_z_outliers({5, 5, 5}).empty());
}

TEST(Harness, ColdCacheFlushesBeforeEveryRunAndClocksAreSampled) {
  Problem p;
  p.n = 1, p.h = 8, p.w = 8, p.k = 2, p.r = 3, p.s = 3;
  FakeBackend fake({1, 1, 1, 1});
  fake.clocks = {1980, 1500};
  HarnessConfig cfg{1, 3};
  cfg.cache = CacheMode::cold;
  const Measurement m = measure(fake, p, make_inputs(p, 1), cfg);
  EXPECT_EQ(fake.flushes, 4);  // one warm-up and three timed runs
  EXPECT_EQ(m.cache, CacheMode::cold);
  ASSERT_TRUE(m.clock_before && m.clock_after);
  EXPECT_EQ(m.clock_before->sm_mhz, 1980);
  bool dropped = false;
  for (const auto& w : m.warnings)
    dropped = dropped || w == "cpu: the SM clock dropped from 1980 to 1500 MHz during timing";
  EXPECT_TRUE(dropped);
  FakeBackend hot({1, 1});
  measure(hot, p, make_inputs(p, 1), {1, 1});
  EXPECT_EQ(hot.flushes, 0);
}

TEST(Harness, WarningsForSpreadShortRunsAndReferenceImplementations) {
  Problem p;
  p.n = 1, p.h = 8, p.w = 8, p.k = 2, p.r = 3, p.s = 3;
  FakeBackend noisy({1, 1.0, 1.5, 1.0, 0.6});
  noisy.implementation = "ref:any";  // the backend judges its implementation and says so
  noisy.prepare_warnings = implementation_warnings(noisy.implementation);
  const Measurement m = measure(noisy, p, make_inputs(p, 1), {1, 4});
  ASSERT_EQ(m.warnings.size(), 2u) << ::testing::PrintToString(m.warnings);
  EXPECT_EQ(m.warnings[0].rfind("cpu: the runs vary by ", 0), 0u);
  EXPECT_EQ(m.warnings[1], "cpu: oneDNN ran a reference implementation (ref:any): its time says little about this CPU");
  FakeBackend tiny({1, 0.005, 0.005, 0.005});
  const Measurement t = measure(tiny, p, make_inputs(p, 1), {1, 3});
  ASSERT_EQ(t.warnings.size(), 1u);
  EXPECT_EQ(t.warnings[0],
            "cpu: one run takes 5.0 µs, under 20 µs: launch and timing overhead dominate; use a larger problem (for "
            "example a larger --batch)");
  FakeBackend steady({1, 2, 2, 2});
  EXPECT_TRUE(measure(steady, p, make_inputs(p, 1), {1, 3}).warnings.empty());
}

TEST(OutputBuffer, ABufferForOverwriteHasTheSizeAskedAndKeepsWhatIsWritten) {
  // Sizes around the page (1024 floats) and the touch chunk (2^20 floats), and none at all.
  for (const size_t n : {size_t{0}, size_t{1}, size_t{1023}, size_t{1025}, (size_t{1} << 20) * 3 + 5}) {
    SCOPED_TRACE(n);
    OutputFloats v = floats_for_overwrite(n);
    ASSERT_EQ(v.size(), n);
    for (size_t i = 0; i < n; ++i) v[i] = static_cast<float>(i % 977);
    const FloatView view(v);
    ASSERT_EQ(view.size(), n);
    size_t wrong = 0;
    for (size_t i = 0; i < n; ++i) wrong += view[i] != static_cast<float>(i % 977);
    EXPECT_EQ(wrong, 0u);
  }
}

// A round whose GPU was not tried (lost on another problem) leaves the speedup standing over unequal numbers
// of runs: the ratio of per-run means, and its deviation scaled to that ratio, not to the ratio of sums.
TEST(Harness, ASpeedupOverUnequalRunCountsIsARatioOfMeans) {
  RunResult acc = convbench::testing::sample_result(40, 2, 4);
  RunResult next = convbench::testing::sample_result(40, 2, 4);
  next.devices[1] = DeviceResult{DeviceKind::gpu, std::nullopt, "the gpu stopped working at l:2: x", std::nullopt};
  next.devices[1].not_run_code = ExitCode::library;
  next.devices[1].lost_earlier = true;
  next.speedup.reset();
  add_round(acc, next);
  const Measurement& c = *acc.devices[0].measurement;
  const Measurement& g = *acc.devices[1].measurement;
  ASSERT_EQ(c.samples_ms.size(), 6u);
  ASSERT_EQ(g.samples_ms.size(), 3u);
  ASSERT_TRUE(acc.speedup.has_value());
  EXPECT_DOUBLE_EQ(*acc.speedup, 20.0) << "a ratio of sums would be 40";
  const double rc = c.stats.stddev / (c.stats.mean * std::sqrt(6.0));
  const double rg = g.stats.stddev / (g.stats.mean * std::sqrt(3.0));
  ASSERT_GT(rc, 0);
  EXPECT_NEAR(*acc.speedup_uncertainty, 20.0 * std::sqrt(rc * rc + rg * rg), 1e-9);
  EXPECT_EQ(g.warnings.back(), "the later rounds did not run: the gpu stopped working at l:2: x");
}

// A record of several rounds keeps each round's median; its level (the rate, and what compare and the
// straggler check read) is the median of those, not of all the runs pooled: a slow spell that lengthens one
// round's runs must not move it. Rounds of 3, 3 and 7 runs: pooled, the 7 slow runs would be the median.
TEST(Harness, ARecordOfRoundsIsLevelledAtTheMedianOfTheRoundMedians) {
  Problem p;
  p.n = 1, p.h = 8, p.w = 8, p.k = 2, p.r = 3, p.s = 3;
  RunResult acc = gpu_record(p, {1.0, 1.0, 1.0});
  add_round(acc, gpu_record(p, {1.1, 1.1, 1.1}));
  add_round(acc, gpu_record(p, std::vector<double>(7, 1.3)));
  const Measurement& m = *acc.devices[0].measurement;
  EXPECT_EQ(m.round_medians_ms, (std::vector<double>{1.0, 1.1, 1.3}));
  EXPECT_EQ(m.samples_ms.size(), 13u);
  EXPECT_DOUBLE_EQ(m.stats.median, 1.3) << "the pooled median, kept in the record's statistics";
  EXPECT_DOUBLE_EQ(m.tflops, p.flops() / 1.1 * 1e-9);
  const Level l = level_of({&m});
  EXPECT_DOUBLE_EQ(l.ms, 1.1);
  EXPECT_EQ(l.rounds, 3);
  // The rounds' robust spread (1.4826 times their median absolute deviation, 0.1, over 1.1), as the
  // standard error of a median of three.
  EXPECT_NEAR(l.error, 1.4826 * 0.1 / 1.1 / std::sqrt(3.0), 1e-12);
  // One round: the spread of its runs, as the standard error of their median (1.2533 times that of a mean).
  const std::vector<double> runs{1.04, 1.06, 1.08, 1.04, 1.06, 1.08, 1.04, 1.06, 1.08};
  const RunResult one_round = gpu_record(p, runs);
  const Measurement& one = *one_round.devices[0].measurement;
  const Level single = level_of({&one});
  EXPECT_DOUBLE_EQ(single.ms, 1.06);
  EXPECT_EQ(single.rounds, 1);
  EXPECT_NEAR(single.error, 1.2533 * (1.4826 * 0.02 / 1.06) / 3.0, 1e-12);
}

// A GPU is a straggler when it is slower than the node's median GPU by more than the threshold plus twice its
// own level's standard error: 10% slower with an error of about 1.1% is one at a 5% threshold, 6% slower
// with the same error is not (it is within 5% + 2.3%), and neither is a GPU as slow as the median.
TEST(Harness, AStragglerIsSlowerThanTheNodesMedianGpuBeyondTheThresholdAndItsNoise) {
  Problem p;
  p.n = 1, p.h = 8, p.w = 8, p.k = 2, p.r = 3, p.s = 3;
  const auto around = [](double ms) {  // 9 runs, ms +- 0.02: median absolute deviation 0.02
    std::vector<double> v;
    for (int i = 0; i < 3; ++i) v.insert(v.end(), {ms - 0.02, ms, ms + 0.02});
    return v;
  };
  const std::vector<double> steady(9, 1.0);
  for (const auto& [slow_ms, straggles] : {std::pair{1.10, true}, std::pair{1.06, false}}) {
    SCOPED_TRACE(slow_ms);
    std::vector<RunResult> gpus{gpu_record(p, steady), gpu_record(p, around(slow_ms)), gpu_record(p, steady)};
    mark_stragglers(gpus, 0.05);
    ASSERT_TRUE(gpus[1].gpu_deviation.has_value());
    EXPECT_NEAR(*gpus[1].gpu_deviation, slow_ms - 1, 1e-12);
    EXPECT_EQ(gpus[1].straggler, straggles);
    EXPECT_FALSE(gpus[0].straggler);
    EXPECT_DOUBLE_EQ(*gpus[0].gpu_deviation, 0);
    EXPECT_FALSE(gpus[2].straggler);
  }
}

// The CPU-share warning's line is half the CPU time the threads could use: a run that got 45% is flagged,
// one that got 55% is not.
TEST(Harness, ACpuShareUnderHalfIsFlaggedAndOneOverHalfIsNot) {
  for (const auto& [share, flagged] : {std::pair{0.45, true}, std::pair{0.55, false}}) {
    SCOPED_TRACE(share);
    Measurement m;
    m.device.kind = DeviceKind::cpu;
    m.samples_ms = {10, 10, 10, 10};
    m.stats = summarize(m.samples_ms);
    m.prepare.threads = 2;
    m.cpu_time_ms = share * 40 * 2;
    m.cpu_share = share;
    const std::vector<std::string> w = measurement_warnings(m);
    const bool said =
        std::any_of(w.begin(), w.end(), [](const std::string& s) { return s.rfind("cpu: the process got ", 0) == 0; });
    EXPECT_EQ(said, flagged) << ::testing::PrintToString(w);
  }
}

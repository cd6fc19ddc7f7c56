// run_benchmarks' wiring with fake backends: verification across devices, the speedup, exit codes.
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "cli/run.hpp"
#include "fake_backend.hpp"

using namespace convbench;
using convbench::testing::FakeBackend;

namespace {

RunOptions small_options() {
  RunOptions o;
  Problem p;
  p.n = 2, p.h = 12, p.w = 12, p.k = 4, p.r = 3, p.s = 3;
  o.harness = {1, 2};
  o.seed = 11;
  o.problems = {{"", p}};
  return o;
}

BackendFactory fakes(float gpu_corruption) {
  BackendFactory f;
  f.cpu = [](const BackendSettings&) {
    return Availability{std::make_unique<FakeBackend>(std::deque<double>{9, 40, 40}, "cpu"), "", ExitCode::ok};
  };
  f.gpu = [gpu_corruption](const BackendSettings&) {
    return Availability{std::make_unique<FakeBackend>(std::deque<double>{9, 2, 2}, "gpu", gpu_corruption), "",
                        ExitCode::ok};
  };
  return f;
}

}  // namespace

TEST(App, MatchingOutputsGiveTheSpeedup) {
  std::ostringstream out, err;
  EXPECT_EQ(run_benchmarks(small_options(), out, err, fakes(0)).code, ExitCode::ok);
  EXPECT_NE(out.str().find("gpu: verify ok vs cpu: error 0.0e+00"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("GPU speedup over CPU: 20.0 ± 0.0x (GPU f32 vs CPU f32, sum of runs)"), std::string::npos)
      << out.str();
  EXPECT_EQ(err.str(), "");
}

TEST(App, ACorruptedGpuOutputFailsVerificationAndHidesTheSpeedup) {
  std::ostringstream out, err;
  const Outcome r = run_benchmarks(small_options(), out, err, fakes(1e-3f));
  EXPECT_EQ(r.code, ExitCode::verify_failed);
  EXPECT_EQ(r.error,
            "gpu: verification against the float64 reference failed (error 1.0e-03, tolerance 1e-05); no speedup is "
            "reported");
  const std::string s = out.str();
  EXPECT_NE(s.find("gpu: verify FAILED vs f64 reference: error 1.0e-03"), std::string::npos) << s;
  EXPECT_NE(s.find("gpu: verify FAILED vs cpu: error 1.0e-03"), std::string::npos) << s;
  EXPECT_NE(s.find("no speedup: the GPU and CPU outputs disagree\n"), std::string::npos) << s;
  EXPECT_EQ(s.find("GPU speedup"), std::string::npos) << s;
}

BackendFactory cpu_without(std::set<DType> missing, float gpu_corruption = 0) {
  BackendFactory f = fakes(gpu_corruption);
  f.cpu = [missing](const BackendSettings&) {
    auto b = std::make_unique<FakeBackend>(std::deque<double>{9, 40, 40}, "cpu");
    b->unsupported = missing;
    return Availability{std::move(b), "", ExitCode::ok};
  };
  return f;
}

TEST(App, EachDeviceRunsItsBestModeAndTheSpeedupNamesBoth) {
  RunOptions o = small_options();
  o.problems[0].problem.dtype = DType::tf32;
  std::ostringstream out, err;
  EXPECT_EQ(run_benchmarks(o, out, err, cpu_without({DType::tf32, DType::f16})).code, ExitCode::ok);
  EXPECT_NE(out.str().find("GPU speedup over CPU: 20.0 ± 0.0x (GPU tf32 vs CPU f32, sum of runs)"), std::string::npos)
      << out.str();
  EXPECT_NE(out.str().find("mode f32 instead of f32 with bf16 math: fake: no tf32"), std::string::npos) << out.str();
  o.problems[0].problem.dtype = DType::f16;
  std::ostringstream out2;
  EXPECT_EQ(run_benchmarks(o, out2, err, cpu_without({})).code, ExitCode::ok);
  EXPECT_NE(out2.str().find("(GPU f16 vs CPU f16, sum of runs)"), std::string::npos) << out2.str();
  std::ostringstream out3;
  EXPECT_EQ(run_benchmarks(o, out3, err, cpu_without({DType::f16})).code, ExitCode::ok);
  EXPECT_NE(out3.str().find("(GPU f16 vs CPU f32, sum of runs)"), std::string::npos) << out3.str();
}

/// A CPU whose runs take `ms` in each listed dtype (in turn, repeating); the GPU's take 2 ms (a warm-up and two
/// runs).
struct TimedModes {
  std::vector<DType> prepared;  ///< the dtype of each CPU prepare(), in order
  BackendFactory factory(std::map<DType, std::vector<double>> ms, std::set<DType> missing = {},
                         std::set<DType> refused = {}) {
    prepared.clear();
    BackendFactory f = fakes(0);
    f.cpu = [this, ms, missing, refused](const BackendSettings&) {
      auto b = std::make_unique<FakeBackend>(std::deque<double>{}, "cpu");
      b->ms_by_dtype = ms;
      b->unsupported = missing;
      b->refused_at_prepare = refused;
      b->on_prepare = [this](const Problem& p) { prepared.push_back(p.dtype); };
      return Availability{std::move(b), "", ExitCode::ok};
    };
    return f;
  }
};

/// --cpu-dtype fastest on the CPU alone, records as JSON Lines, for small_options()'s problem in `d`.
RunOptions fastest_on_cpu(DType d) {
  RunOptions o = small_options();
  o.problems[0].problem.dtype = d;
  o.device = DeviceSelection::cpu;
  o.cpu_fastest = true;
  o.format = Format::jsonl;
  return o;
}

TEST(App, CpuDtypeFastestKeepsTheFasterModeOfATimedTrial) {
  RunOptions o = small_options();
  o.problems[0].problem.dtype = DType::bf16;
  o.cpu_fastest = true;
  TimedModes t;
  std::ostringstream out, err;
  EXPECT_EQ(run_benchmarks(o, out, err, t.factory({{DType::bf16, {40}}, {DType::f32, {10}}})).code, ExitCode::ok);
  const std::string s = out.str();
  EXPECT_NE(s.find("mode f32 by time: bf16 40.000 ms, f32 10.000 ms (best of 3+1 and 3 trial runs, "),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("GPU speedup over CPU: 5.0 ± 0.0x (GPU bf16 vs CPU f32, sum of runs)"), std::string::npos) << s;
  // Each mode's trial, closest precision first, a second one of the mode that lost, then the mode kept.
  EXPECT_EQ(t.prepared, (std::vector<DType>{DType::bf16, DType::f32, DType::bf16, DType::f32}));

  // A faster mode within 5% keeps the closer precision, and says so.
  std::ostringstream out2;
  EXPECT_EQ(run_benchmarks(o, out2, err, t.factory({{DType::bf16, {10}}, {DType::f32, {9.8}}})).code, ExitCode::ok);
  EXPECT_NE(out2.str().find("mode bf16 by time: bf16 10.000 ms, f32 9.800 ms (best of 3 and 3+3 trial runs, "),
            std::string::npos)
      << out2.str();
  EXPECT_NE(out2.str().find("within 5% keeps the closer precision)"), std::string::npos) << out2.str();
  EXPECT_NE(out2.str().find("(GPU bf16 vs CPU bf16, sum of runs)"), std::string::npos) << out2.str();
  EXPECT_EQ(t.prepared, (std::vector<DType>{DType::bf16, DType::f32, DType::f32, DType::bf16}));
  EXPECT_EQ(err.str(), "");
}

TEST(App, CpuDtypeFastestGivesAShortProblemMoreTrialRunsUpTo100Or500Ms) {
  const RunOptions o = fastest_on_cpu(DType::f16);
  TimedModes t;
  std::ostringstream out, err;
  // 0.1 ms runs stop at 100 (10 ms); 0.5 ms runs at 40, which make 20 ms, in each of f32's two trials.
  EXPECT_EQ(run_benchmarks(o, out, err, t.factory({{DType::f16, {0.1}}, {DType::f32, {0.5}}})).code, ExitCode::ok);
  EXPECT_NE(out.str().find("\"f16 by time: f16 0.100 ms, f32 0.500 ms (best of 100 and 40+40 trial runs, "),
            std::string::npos)
      << out.str();
  // Runs that alternate 0.01 ms and 50 ms stop once they add up to 500 ms: 20 runs.
  std::ostringstream out2;
  EXPECT_EQ(run_benchmarks(o, out2, err, t.factory({{DType::f16, {50, 0.01}}, {DType::f32, {30}}})).code, ExitCode::ok);
  EXPECT_NE(out2.str().find("\"f16 by time: f16 0.0100 ms, f32 30.000 ms (best of 20 and 3+1 trial runs, "),
            std::string::npos)
      << out2.str();
}

TEST(App, CpuDtypeFastestComparesTheModesBestTrialRuns) {
  // bf16's runs are mostly slowed by other work (30 ms) but its kernel takes 4 ms; f32's take 10 ms every time.
  // By median f32 would win; by best run bf16 does.
  const RunOptions o = fastest_on_cpu(DType::bf16);
  TimedModes t;
  std::ostringstream out, err;
  EXPECT_EQ(run_benchmarks(o, out, err, t.factory({{DType::bf16, {30, 30, 30, 4}}, {DType::f32, {10}}})).code,
            ExitCode::ok);
  // The warm-up takes bf16's first 30 ms; the timed runs 30, 30, 4, 30 and 4, until 5 runs of the best 4 ms make
  // 20 ms. f32's three runs of 10 ms make 30 ms; in its second trial two make 20 ms.
  EXPECT_NE(out.str().find("\"bf16 by time: bf16 4.000 ms, f32 10.000 ms (best of 5 and 3+2 trial runs, "),
            std::string::npos)
      << out.str();
}

TEST(App, CpuDtypeFastestTimesTheModeThatLostAgainLater) {
  // f32's first trial is slowed by other work (8 ms a run, as beside a pipeline's consumer starting up); later its
  // runs take 0.08 ms. bf16's always take 0.2 ms.
  const RunOptions o = fastest_on_cpu(DType::bf16);
  std::vector<double> f32(4, 8.0);
  f32.resize(400, 0.08);
  TimedModes t;
  std::ostringstream out, err;
  EXPECT_EQ(run_benchmarks(o, out, err, t.factory({{DType::bf16, {0.2}}, {DType::f32, f32}})).code, ExitCode::ok);
  // f32 lost the first trial (3 runs of 8 ms make 24 ms), won its second (100 runs of 0.08 ms), so bf16 was timed
  // again too; then the measurement.
  EXPECT_EQ(t.prepared, (std::vector<DType>{DType::bf16, DType::f32, DType::f32, DType::bf16, DType::f32}));
  EXPECT_NE(out.str().find("\"f32 by time: bf16 0.200 ms, f32 0.0800 ms (best of 100+100 and 3+100 trial runs, "),
            std::string::npos)
      << out.str();
  EXPECT_NE(out.str().find("\"dtype\":\"f32\""), std::string::npos) << out.str();
  EXPECT_EQ(err.str(), "");
}

TEST(App, CpuDtypeFastestWarmsEachTrialUpAsTheRunIs) {
  // f32's first five runs are slow (a JIT, a clock ramping up), then 10 ms; bf16's always 20 ms. With
  // --warmup 5 the five are warm-ups in f32's trial, which wins at once; only bf16 is timed again.
  RunOptions o = fastest_on_cpu(DType::bf16);
  o.harness.warmup = 5;
  std::vector<double> f32(5, 50.0);
  f32.resize(400, 10.0);
  TimedModes t;
  std::ostringstream out, err;
  EXPECT_EQ(run_benchmarks(o, out, err, t.factory({{DType::bf16, {20}}, {DType::f32, f32}})).code, ExitCode::ok);
  EXPECT_NE(out.str().find("\"f32 by time: bf16 20.000 ms, f32 10.000 ms (best of 3+1 and 3 trial runs, "),
            std::string::npos)
      << out.str();
  EXPECT_EQ(t.prepared, (std::vector<DType>{DType::bf16, DType::f32, DType::bf16, DType::f32}));
}

TEST(App, CpuDtypeFastestHasNothingToTimeWhereTheCpuHasOneMode) {
  RunOptions o = small_options();
  o.cpu_fastest = true;
  TimedModes t;
  std::ostringstream out, err;
  // f32 has one mode: no trial.
  EXPECT_EQ(run_benchmarks(o, out, err, t.factory({{DType::f32, {10}}})).code, ExitCode::ok);
  EXPECT_EQ(t.prepared, std::vector<DType>{DType::f32});
  EXPECT_EQ(out.str().find("mode "), std::string::npos) << out.str();
  // bf16 on a CPU without it: strict FP32, with the usual reason, and no trial either.
  o.problems[0].problem.dtype = DType::bf16;
  std::ostringstream out2;
  EXPECT_EQ(run_benchmarks(o, out2, err, t.factory({{DType::f32, {10}}}, {DType::bf16})).code, ExitCode::ok);
  EXPECT_EQ(t.prepared, std::vector<DType>{DType::f32});
  EXPECT_NE(out2.str().find("mode f32 instead of bf16: fake: no bf16"), std::string::npos) << out2.str();
  // A mode refused only while preparing drops out of the trial, and the mode left says why.
  std::ostringstream out3;
  EXPECT_EQ(run_benchmarks(o, out3, err, t.factory({{DType::f32, {10}}}, {}, {DType::bf16})).code, ExitCode::ok);
  EXPECT_EQ(t.prepared, (std::vector<DType>{DType::bf16, DType::f32, DType::f32}));
  EXPECT_NE(out3.str().find("mode f32 instead of bf16: fake: no bf16 kernel after all"), std::string::npos)
      << out3.str();
  EXPECT_NE(out3.str().find("(GPU bf16 vs CPU f32, sum of runs)"), std::string::npos) << out3.str();
}

TEST(App, CpuDtypeFastestChoosesInTheFirstRoundAndLaterRoundsKeepIt) {
  RunOptions o = fastest_on_cpu(DType::f16);
  o.problems.push_back(o.problems[0]);
  o.problems[0].label = "a";
  o.problems[1].label = "b";
  o.problems[1].problem.k = 8;
  o.rounds = 3;
  TimedModes t;
  std::ostringstream out, err;
  EXPECT_EQ(run_benchmarks(o, out, err, t.factory({{DType::f16, {30}}, {DType::f32, {10}}})).code, ExitCode::ok);
  // Two problems: three trials each in round 1 (f16 lost, and was timed twice), then one measurement each per
  // round.
  EXPECT_EQ(t.prepared.size(), 2u * 3 + 2 * 3);
  EXPECT_EQ(std::count(t.prepared.begin(), t.prepared.end(), DType::f16), 4);
  const std::string s = out.str();
  EXPECT_EQ(std::count(s.begin(), s.end(), '\n'), 2) << s;
  size_t at = 0, modes = 0;
  while ((at = s.find("\"f32 by time: f16 30.000 ms, f32 10.000 ms (best of 3+1 and 3 trial runs, ", at)) !=
         std::string::npos)
    ++modes, ++at;
  EXPECT_EQ(modes, 2u) << s;
  EXPECT_EQ(s.find("a later round ran"), std::string::npos) << s;
  EXPECT_EQ(err.str(), "");
}

TEST(App, AForcedCpuModeTheCpuLacksIsUnsupported) {
  RunOptions o = small_options();
  o.problems[0].problem.dtype = DType::f16;
  o.cpu_dtype = DType::f16;
  o.device = DeviceSelection::cpu;
  std::ostringstream out, err;
  const Outcome r = run_benchmarks(o, out, err, cpu_without({DType::f16}));
  EXPECT_EQ(r.code, ExitCode::unsupported);
  EXPECT_EQ(r.error, "cpu: unsupported: fake: no f16");
}

// With both devices asked for, neither running is not a success: the CPU cannot run the mode forced on it and
// there is no GPU (which alone would be reported, not an error). Exit 4 names both reasons.
TEST(App, NothingRunningOnEitherDeviceIsUnsupported) {
  RunOptions o = small_options();
  o.problems[0].problem.dtype = DType::f16;
  o.cpu_dtype = DType::f16;
  BackendFactory f = cpu_without({DType::f16});
  f.gpu = [](const BackendSettings&) { return Availability{nullptr, "no NVIDIA driver", ExitCode::gpu_unavailable}; };
  std::ostringstream out, err;
  const Outcome r = run_benchmarks(o, out, err, f);
  EXPECT_EQ(r.code, ExitCode::unsupported);
  EXPECT_EQ(r.error, "nothing ran: cpu: unsupported: fake: no f16; gpu: no NVIDIA driver");
}

TEST(App, TheCrossCheckUsesTheLessPreciseSidesTolerance) {
  // A GPU output 5e-3 off: too far for tf32 (1e-3) but within f16's 1e-2; the CPU ran strict FP32 both times.
  RunOptions o = small_options();
  o.problems[0].problem.dtype = DType::tf32;
  std::ostringstream out, err;
  EXPECT_EQ(run_benchmarks(o, out, err, cpu_without({DType::tf32, DType::f16}, 5e-3f)).code, ExitCode::verify_failed);
  EXPECT_NE(out.str().find("gpu: verify FAILED vs cpu: error 5.0e-03"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("tolerance 1e-03)"), std::string::npos) << out.str();
  o.problems[0].problem.dtype = DType::f16;
  std::ostringstream out2;
  EXPECT_EQ(run_benchmarks(o, out2, err, cpu_without({DType::tf32, DType::f16}, 5e-3f)).code, ExitCode::ok);
  EXPECT_NE(out2.str().find("gpu: verify ok vs cpu: error 5.0e-03"), std::string::npos) << out2.str();
  EXPECT_NE(out2.str().find("(GPU f16 vs CPU f32, sum of runs)"), std::string::npos) << out2.str();
}

TEST(App, NoVerifySkipsTheChecksAndReportsTheSpeedup) {
  RunOptions o = small_options();
  o.verify = false;
  std::ostringstream out, err;
  EXPECT_EQ(run_benchmarks(o, out, err, fakes(1e-3f)).code, ExitCode::ok);
  EXPECT_EQ(out.str().find("verify"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("GPU speedup over CPU: 20.0 ± 0.0x"), std::string::npos) << out.str();
}

TEST(App, AnUnavailableGpuIsReportedAndOnlyFailsWhenRequested) {
  BackendFactory f = fakes(0);
  f.gpu = [](const BackendSettings&) { return Availability{nullptr, "no NVIDIA driver", ExitCode::gpu_unavailable}; };
  RunOptions o = small_options();
  std::ostringstream out, err;
  EXPECT_EQ(run_benchmarks(o, out, err, f).code, ExitCode::ok);
  EXPECT_NE(out.str().find("gpu: not run: no NVIDIA driver\n"), std::string::npos);
  o.device = DeviceSelection::gpu;
  std::ostringstream out2, err2;
  const Outcome r = run_benchmarks(o, out2, err2, f);
  EXPECT_EQ(r.code, ExitCode::gpu_unavailable);
  EXPECT_EQ(r.error, "gpu: no NVIDIA driver");  // main prints it as "convbench: error: gpu: no NVIDIA driver"
  // A GPU whose backend could not be set up for want of memory is not there either: not a failure of the run.
  f.gpu = [](const BackendSettings&) {
    return Availability{nullptr, "out of GPU memory: creating the cuDNN handle", ExitCode::out_of_memory};
  };
  std::ostringstream out3, err3;
  o.device = DeviceSelection::all;
  EXPECT_EQ(run_benchmarks(o, out3, err3, f).code, ExitCode::ok);
  EXPECT_NE(out3.str().find("gpu: not run: out of GPU memory: creating the cuDNN handle\n"), std::string::npos)
      << out3.str();
}

TEST(App, HostMemoryEstimateCoversTensorsOnEachDevice) {
  Problem p;
  const double in = double(p.input_elems() + p.weight_elems()), out = double(p.output_elems());
  EXPECT_DOUBLE_EQ(estimate_host_bytes(p, false, false), 4 * in);
  EXPECT_GT(estimate_host_bytes(p, true, true), estimate_host_bytes(p, true, false));
  EXPECT_GE(estimate_host_bytes(p, true, false), 4 * in + 4 * (in + out));
}

namespace {

/// A CPU fake whose every run calls `during_run` first (to throw, or to change the machine under the run).
class HookedBackend : public FakeBackend {
 public:
  HookedBackend(std::function<void(const Problem&)> hook, std::string kind)
      : FakeBackend(std::deque<double>(64, 5.0), std::move(kind)), hook_(std::move(hook)) {}
  PrepareReport prepare(const Problem& p, const HostTensors& t) override {
    p_ = p;
    return FakeBackend::prepare(p, t);
  }
  double run() override {
    hook_(p_);
    return FakeBackend::run();
  }
  std::string lost() override { return lost_ ? lost_() : ""; }
  std::function<std::string()> lost_;

 private:
  std::function<void(const Problem&)> hook_;
  Problem p_;
};

/// Three problems, batches 1, 2 and 3, labelled "l:1" to "l:3", run once each.
RunOptions three_problems() {
  RunOptions o = small_options();
  o.problems.clear();
  for (int64_t n = 1; n <= 3; ++n) {
    Problem p = small_options().problems[0].problem;
    p.n = n;
    o.problems.push_back({"l:" + std::to_string(n), p});
  }
  return o;
}

/// Both devices' runs take 5 ms, for as many runs as a test makes.
BackendFactory steady() {
  BackendFactory f;
  for (auto* device : {&f.cpu, &f.gpu}) {
    const std::string kind = device == &f.cpu ? "cpu" : "gpu";
    *device = [kind](const BackendSettings&) {
      return Availability{std::make_unique<HookedBackend>([](const Problem&) {}, kind), "", ExitCode::ok};
    };
  }
  return f;
}

BackendFactory gpu_failing_at_batch(int64_t batch, ExitCode code) {
  BackendFactory f = steady();
  f.gpu = [batch, code](const BackendSettings&) {
    auto hook = [batch, code](const Problem& p) {
      if (p.n == batch) throw Error(code, "cuDNN: execute failed (scripted)");
    };
    return Availability{std::make_unique<HookedBackend>(hook, "gpu"), "", ExitCode::ok};
  };
  return f;
}

/// A GPU that problem 2 leaves unusable, as an illegal address leaves a CUDA context: from then on every run
/// fails and lost() says why. `runs_at_batch_3` counts the runs problem 3 was given.
BackendFactory gpu_lost_at_batch_2(int* runs_at_batch_3) {
  BackendFactory f = steady();
  f.gpu = [runs_at_batch_3](const BackendSettings&) {
    auto broken = std::make_shared<bool>(false);
    auto hook = [broken, runs_at_batch_3](const Problem& p) {
      *runs_at_batch_3 += p.n == 3;
      if (p.n == 2) *broken = true;
      if (*broken) throw LibraryError("CUDA: cudaMemcpyAsync failed: an illegal memory access was encountered");
    };
    auto backend = std::make_unique<HookedBackend>(hook, "gpu");
    backend->lost_ = [broken] { return *broken ? "cudaErrorIllegalAddress" : ""; };
    return Availability{std::move(backend), "", ExitCode::ok};
  };
  return f;
}

}  // namespace

TEST(App, ADeviceThatFailsOnOneProblemIsRecordedAndTheListGoesOn) {
  for (const ExitCode code : {ExitCode::library, ExitCode::out_of_memory}) {
    std::ostringstream out, err;
    const Outcome r = run_benchmarks(three_problems(), out, err, gpu_failing_at_batch(2, code));
    EXPECT_EQ(r.code, code);
    EXPECT_EQ(r.error, "l:2: gpu: cuDNN: execute failed (scripted)");
    const std::string s = out.str();
    // Problems 1 and 3 have both medians and a speedup; problem 2 has the CPU's and the mark.
    for (const char* both :
         {"l:1                         1x12x12x3 k4x3x3                       5.000       5.000      1.0x\n",
          "l:3                         3x12x12x3 k4x3x3                       5.000       5.000      1.0x\n"})
      EXPECT_NE(s.find(both), std::string::npos) << s;
    EXPECT_NE(
        s.find("l:2                         2x12x12x3 k4x3x3                       5.000           -         -  ERR\n"),
        std::string::npos)
        << s;
    EXPECT_NE(s.find("gpu: failed: cuDNN: execute failed (scripted), on 1 problem\n"), std::string::npos) << s;
    EXPECT_NE(s.find("ERR = a device failed (the reason is above)\n"), std::string::npos) << s;
    EXPECT_NE(s.find("summary: 3 of 3 problems ran, 1 with a device that failed\n"), std::string::npos) << s;
    EXPECT_NE(s.find("geometric-mean GPU speedup over CPU: 1.0x over 2 problems\n"), std::string::npos) << s;
  }
}

// After a failure that leaves a CUDA context unusable, every later call fails with that error: each later
// problem was tried, and each failed with a reason that blamed itself, not the problem that broke the GPU.
TEST(App, AGpuLostOnOneProblemIsNotTriedAgainAndLaterProblemsSayWhere) {
  int runs_at_batch_3 = 0;
  std::ostringstream out, err;
  const Outcome r = run_benchmarks(three_problems(), out, err, gpu_lost_at_batch_2(&runs_at_batch_3));
  EXPECT_EQ(r.code, ExitCode::library);
  EXPECT_EQ(r.error, "l:2: gpu: CUDA: cudaMemcpyAsync failed: an illegal memory access was encountered");
  EXPECT_EQ(runs_at_batch_3, 0);
  const std::string s = out.str();
  EXPECT_NE(s.find("gpu: failed: the gpu stopped working at l:2: cudaErrorIllegalAddress, on 1 problem\n"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("summary: 3 of 3 problems ran, 2 with a device that failed\n"), std::string::npos) << s;
  EXPECT_NE(s.find("l:1                         1x12x12x3 k4x3x3                       5.000       5.000      1.0x\n"),
            std::string::npos)
      << s;
}

// With rounds, a problem measured before the GPU was lost keeps what it measured: the failure was another
// problem's.
TEST(App, RoundsMeasuredBeforeTheGpuWasLostStand) {
  RunOptions o = three_problems();
  o.rounds = 3;
  int runs_at_batch_3 = 0;
  std::ostringstream out, err;
  const Outcome r = run_benchmarks(o, out, err, gpu_lost_at_batch_2(&runs_at_batch_3));
  EXPECT_EQ(r.code, ExitCode::library);
  EXPECT_EQ(runs_at_batch_3, 0) << "in no round";
  const std::string s = out.str();
  EXPECT_NE(s.find("summary: 3 of 3 problems ran, 2 with a device that failed\n"), std::string::npos) << s;
  // l:1's GPU ran 1 round and its CPU 3, all at 5 ms: the speedup is 1.0x (a ratio of sums would say 3.0x).
  EXPECT_NE(
      s.find("l:1                         1x12x12x3 k4x3x3                       5.000       5.000      1.0x  !\n"),
      std::string::npos)
      << s;
  EXPECT_NE(
      s.find("l:3                         3x12x12x3 k4x3x3                       5.000           -         -  ERR\n"),
      std::string::npos)
      << s;
  EXPECT_EQ(err.str(),
            "convbench: warning: l:1: the later rounds did not run: the gpu stopped working at l:2: "
            "cudaErrorIllegalAddress\n");
}

// Ctrl-C during the GPU's timed runs leaves it fewer runs than the CPU: the speedup was the ratio of their sums,
// 10 CPU runs against 4 GPU runs, and read 2.5x for two devices equally fast.
TEST(App, CtrlCDuringTheGpusRunsLeavesTheSpeedupARatioOfMeans) {
  BackendFactory f = steady();
  f.gpu = [](const BackendSettings&) {
    auto runs = std::make_shared<int>(0);
    auto hook = [runs](const Problem&) {
      if (++*runs == 1 + 4) std::raise(SIGINT);  // in the 4th timed run, after the warm-up
    };
    return Availability{std::make_unique<HookedBackend>(hook, "gpu"), "", ExitCode::ok};
  };
  RunOptions o = small_options();
  o.harness.runs = 10;
  std::ostringstream out, err;
  const Outcome r = run_benchmarks(o, out, err, f);
  EXPECT_EQ(r.code, ExitCode::interrupted);
  EXPECT_NE(out.str().find("gpu: interrupted after 4 of 10 timed runs"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("GPU speedup over CPU: 1.0 ± 0.0x (GPU f32 vs CPU f32, mean of runs)\n"), std::string::npos)
      << out.str();
}

TEST(App, AFailureOnTheCpuIsNamedEvenWhenTheGpuRan) {
  BackendFactory f = steady();
  f.cpu = [](const BackendSettings&) {
    auto hook = [](const Problem&) { throw LibraryError("oneDNN: execute failed (scripted)"); };
    return Availability{std::make_unique<HookedBackend>(hook, "cpu"), "", ExitCode::ok};
  };
  std::ostringstream out, err;
  const Outcome r = run_benchmarks(small_options(), out, err, f);
  EXPECT_EQ(r.code, ExitCode::library);
  EXPECT_EQ(r.error, "cpu: oneDNN: execute failed (scripted)");
  EXPECT_NE(out.str().find("cpu: failed: oneDNN: execute failed (scripted)\n"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("gpu: median 5.000 ms"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("cpu: failed\n"), std::string::npos) << out.str();
}

TEST(App, AFailureInAnyRoundIsWhatTheRecordReports) {
  RunOptions o = three_problems();
  o.rounds = 3;
  int runs_at_batch_2 = 0;
  BackendFactory f = steady();
  f.gpu = [&runs_at_batch_2](const BackendSettings&) {
    auto hook = [&runs_at_batch_2](const Problem& p) {  // round 2's warm-up of problem 2 fails; rounds 1 and 3 run
      if (p.n == 2 && ++runs_at_batch_2 == 4) throw LibraryError("cuDNN: execute failed (scripted)");
    };
    return Availability{std::make_unique<HookedBackend>(hook, "gpu"), "", ExitCode::ok};
  };
  std::ostringstream out, err;
  const Outcome r = run_benchmarks(o, out, err, f);
  EXPECT_EQ(r.code, ExitCode::library);
  EXPECT_EQ(r.error, "l:2: gpu: cuDNN: execute failed (scripted)");
  EXPECT_NE(out.str().find("5.000           -         -  ERR\n"), std::string::npos) << out.str();
  EXPECT_EQ(runs_at_batch_2, 7) << "3 runs in each of rounds 1 and 3, 1 in round 2";
}

// A GPU whose output disagreed in round 1 and that failed in round 2 leaves no measurement in the record, but
// the run measured something that failed verification: the --output file is kept (it says what happened),
// and the exit code is the verification's. Without that record a run that found a wrong result would leave
// nothing behind.
TEST(App, AVerificationFailureKeepsTheOutputFileWhenALaterRoundLeftNoMeasurement) {
  class WrongThenFailing : public FakeBackend {
   public:
    WrongThenFailing() : FakeBackend(std::deque<double>(64, 2.0), "gpu", 1e-3f) {}
    double run() override {
      if (++runs_ > 3) throw LibraryError("cuDNN: execute failed (scripted)");  // round 1: a warm-up and 2 runs
      return FakeBackend::run();
    }

   private:
    int runs_ = 0;
  };
  RunOptions o = small_options();
  o.device = DeviceSelection::gpu;
  o.rounds = 2;
  o.format = Format::jsonl;
  o.output = ::testing::TempDir() + "verify_then_fail.jsonl";
  std::remove(o.output.c_str());
  BackendFactory f = fakes(0);
  f.gpu = [](const BackendSettings&) { return Availability{std::make_unique<WrongThenFailing>(), "", ExitCode::ok}; };
  std::ostringstream out, err;
  const Outcome r = run_benchmarks(o, out, err, f);
  EXPECT_EQ(r.code, ExitCode::verify_failed) << r.error;
  std::ifstream kept(o.output);
  ASSERT_TRUE(kept.good()) << "the --output file was not kept";
  std::string record;
  ASSERT_TRUE(std::getline(kept, record));
  EXPECT_NE(record.find("cuDNN: execute failed (scripted)"), std::string::npos) << record;
}

TEST(App, AProblemThatNoLongerFitsWhenItStartsFailsAloneWithoutItsInputs) {
  const std::string meminfo = ::testing::TempDir() + "run_meminfo";
  const auto available = [&meminfo](const char* kb) {
    std::ofstream(meminfo) << "MemTotal: 99999999 kB\nMemAvailable: " << kb << " kB\n";
  };
  available("99999999");
  RunOptions o = three_problems();
  o.meminfo = meminfo;
  BackendFactory f = steady();
  f.cpu = [&available](const BackendSettings&) {
    // Problem 1's runs leave 1 kB available: problems 2 and 3 passed the check made before the run began.
    auto hook = [&available](const Problem& p) {
      if (p.n == 1) available("1");
    };
    return Availability{std::make_unique<HookedBackend>(hook, "cpu"), "", ExitCode::ok};
  };
  std::ostringstream out, err;
  const Outcome r = run_benchmarks(o, out, err, f);
  EXPECT_EQ(r.code, ExitCode::out_of_memory);
  EXPECT_EQ(r.error.rfind("l:2: cpu: the problem needs about 0 MiB of host memory, but only 0 MiB is available", 0), 0u)
      << r.error;
  EXPECT_NE(out.str().find("summary: 3 of 3 problems ran, 2 with a device that failed\n"), std::string::npos)
      << out.str();
}

// End-to-end: the real binary's stdout, stderr and exit codes.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "backends/onednn/onednn_backend.hpp"
#include "convbench/backend.hpp"
#include "convbench/pairing.hpp"
#include "run_cli.hpp"
#include "scratch_dir.hpp"

using convbench::testing::CliResult;
using convbench::testing::has;
using convbench::testing::run_cli;

namespace {

/// Expect exit code 2, one exact line on stderr and nothing on stdout.
void expect_usage_error(const std::string& args, const std::string& message) {
  const CliResult r = run_cli(args);
  EXPECT_EQ(r.code, 2) << args;
  EXPECT_EQ(r.err, "convbench: error: " + message + "\n") << args;
  EXPECT_EQ(r.out, "") << args;
}

const char* kSmall = "--batch 2 --input 20x20x3 --filter 4x3x3 --seed 3";

}  // namespace

TEST(Cli, SeedExperimentRunsOnTheCpuAndExplainsAMissingGpu) {
  const CliResult r = run_cli("--seed 42");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(convbench::testing::only_warnings(r.err)) << r.err;
  EXPECT_TRUE(has(r.out,
                  "problem: --batch 100 --input 100x100x3 --filter 32x7x7x3 --stride 1 --padding 0 --dilation 1 "
                  "--groups 1 --layout nhwc --dtype f32 --seed 42\n"))
      << r.out;
  EXPECT_TRUE(has(r.out, "8.313 GFLOP per run")) << r.out;
  EXPECT_TRUE(has(r.out, "cpu: ")) << r.out;
  EXPECT_TRUE(has(r.out, convbench::onednn_version() + " ")) << r.out;
  EXPECT_TRUE(has(r.out, "sum of 10 runs")) << r.out;
  EXPECT_TRUE(has(r.out, "cpu: verify ok vs f64 reference")) << r.out;
  auto gpu = convbench::make_gpu_backend({});
  if (!gpu.backend) {
    EXPECT_TRUE(has(r.out, "gpu: not run: " + gpu.reason + "\n")) << r.out;
    EXPECT_FALSE(has(r.out, "GPU speedup over CPU")) << r.out;
    EXPECT_TRUE(has(r.out, "no speedup: gpu not run: " + gpu.reason.substr(0, gpu.reason.find(';')) + "\n")) << r.out;
  } else {
    EXPECT_TRUE(has(r.out, "GPU speedup over CPU: ")) << r.out;
  }
}

TEST(Cli, ConvbenchPhasesMarksEachPhaseOnStderrInOrder) {
  const std::string args = std::string(kSmall) + " --device cpu --runs 3";
  const CliResult r = run_cli(args, "CONVBENCH_PHASES=1 ");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "sum of 3 runs")) << r.out;
  std::vector<std::string> names;
  double last = 0;
  std::istringstream lines(r.err);
  for (std::string line; std::getline(lines, line);) {
    const std::string mark = "convbench: phase +";
    if (line.rfind(mark, 0) != 0) continue;
    const double at = std::stod(line.substr(mark.size()));
    EXPECT_GE(at, last) << line;
    last = at;
    names.push_back(line.substr(line.find(" ms ") + 4));
  }
  const std::vector<std::string> want{"main",         "GPUs opened",   "CPU opened", "inputs made",
                                      "cpu prepared", "cpu warmed up", "cpu timed",  "cpu output read",
                                      "cpu verified", "printed",       "exit"};
  EXPECT_EQ(names, want) << r.err;
  EXPECT_FALSE(has(run_cli(args).err, "phase")) << "without CONVBENCH_PHASES=1 nothing is marked";
  // check marks its child's probe (and, with a GPU, its convolution) and the parent's wait for the child.
  const std::string err = run_cli("check", "CONVBENCH_PHASES=1 ").err;
  const auto probed = err.find(" ms check: GPU probed\n"), read = err.find(" ms check: child's result read\n"),
             exited = err.find(" ms check: child exited\n");
  ASSERT_NE(probed, std::string::npos) << err;
  ASSERT_NE(exited, std::string::npos) << err;
  EXPECT_LT(probed, read) << err;
  EXPECT_LT(read, exited) << err;
}

TEST(Cli, DeviceGpuWithoutAGpuIsExitCode5) {
  auto gpu = convbench::make_gpu_backend({});
  if (gpu.backend) GTEST_SKIP() << "a GPU is present";
  const CliResult r = run_cli(std::string(kSmall) + " --device gpu");
  EXPECT_EQ(r.code, 5);
  EXPECT_EQ(r.err, "convbench: error: gpu: " + gpu.reason + "\n");
}

TEST(Cli, CpuOnlyRunVerifiesAndPrintsNoGpuLine) {
  const CliResult r = run_cli(std::string(kSmall) + " --device cpu --runs 3 --layout nchw --padding same");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "sum of 3 runs")) << r.out;
  EXPECT_TRUE(has(r.out, "cpu: verify ok vs f64 reference")) << r.out;
  EXPECT_FALSE(has(r.out, "gpu:")) << r.out;
}

TEST(Cli, SameSeedSameInputsSameVerificationError) {
  const CliResult a = run_cli(std::string(kSmall) + " --device cpu --threads 1");
  const CliResult b = run_cli(std::string(kSmall) + " --device cpu --threads 1");
  auto verify_line = [](const std::string& s) {
    const size_t at = s.find("cpu: verify");
    return at == std::string::npos ? s : s.substr(at, s.find('\n', at) - at);
  };
  EXPECT_EQ(verify_line(a.out), verify_line(b.out));
  EXPECT_TRUE(has(a.out, ", 1 thread, f32\n")) << a.out;  // it said "1 threads"
}

TEST(Cli, AForcedCpuModeTheCpuLacksIsExitCode4) {
  auto cpu = convbench::make_cpu_backend({});
  convbench::Problem p;
  p.n = 2, p.h = p.w = 20, p.k = 4, p.r = p.s = 3, p.dtype = convbench::DType::f16;
  const convbench::Support s = cpu.backend->supports(p);
  if (s.ok) GTEST_SKIP() << "this CPU runs f16 convolutions";
  const CliResult r = run_cli(std::string(kSmall) + " --device cpu --dtype f16 --cpu-dtype f16");
  EXPECT_EQ(r.code, 4);
  EXPECT_EQ(r.err, "convbench: error: cpu: unsupported: " + s.reason + "\n");
  EXPECT_TRUE(has(r.out, "cpu: not run: unsupported: " + s.reason + "\n")) << r.out;
}

namespace {

/// kSmall on the CPU alone in tf32, bf16 and f16 with `flags`; `check` gets the dtype, whether this CPU has
/// its own mode for it, and the record's CPU device.
void for_each_reduced_dtype(
    const std::string& flags,
    const std::function<void(convbench::DType, bool native, const nlohmann::json& cpu)>& check) {
  auto cpu = convbench::make_cpu_backend({});
  for (const char* dtype : {"tf32", "bf16", "f16"}) {
    SCOPED_TRACE(dtype);
    convbench::Problem p;
    p.n = 2, p.h = p.w = 20, p.k = 4, p.r = p.s = 3, p.dtype = *convbench::dtype_from_string(dtype);
    const bool native = cpu.backend->supports(p).ok;
    const CliResult r = run_cli(std::string(kSmall) + " --device cpu --format jsonl" + flags + " --dtype " + dtype);
    ASSERT_EQ(r.code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    const auto& d = j.at("devices").at("cpu");
    EXPECT_TRUE(d.at("verify").at("ok").get<bool>());
    check(p.dtype, native, d);
  }
}

}  // namespace

TEST(Cli, EveryDtypeRunsOnTheCpuInItsBestModeAndSaysWhich) {
  for_each_reduced_dtype("", [](convbench::DType dtype, bool native, const nlohmann::json& d) {
    const std::string name = convbench::to_string(dtype);
    EXPECT_EQ(d.at("dtype"), native ? name : "f32");
    EXPECT_EQ(d.at("mode"), native ? convbench::mode_name(convbench::DeviceKind::cpu, dtype) : "f32");
    // A mode passed over says why.
    EXPECT_EQ(d.at("details").contains("mode"), !native) << d.at("details");
  });
}

TEST(Cli, CpuDtypeFastestTimesEachModeTheCpuHasAndRunsTheOneItNames) {
  for_each_reduced_dtype(" --cpu-dtype fastest", [](convbench::DType dtype, bool native, const nlohmann::json& d) {
    const std::string mode = d.at("details").value("mode", "");
    if (!native) {  // one mode: nothing to time
      EXPECT_EQ(d.at("mode"), "f32");
      EXPECT_EQ(mode.rfind("f32 instead of ", 0), 0u) << mode;
      return;
    }
    // "<kept> by time: <mode> X ms, f32 Y ms (best of N and M trial runs, S s[; ...])"
    const std::string name = convbench::mode_name(convbench::DeviceKind::cpu, dtype);
    const size_t at = mode.find(" by time: " + name + " ");
    ASSERT_NE(at, std::string::npos) << mode;
    const std::string kept = mode.substr(0, at);
    EXPECT_TRUE(kept == name || kept == "f32") << mode;
    EXPECT_TRUE(has(mode, " ms, f32 ")) << mode;
    EXPECT_TRUE(has(mode, " ms (best of ")) << mode;
    EXPECT_TRUE(has(mode, " trial runs, ")) << mode;
    EXPECT_EQ(d.at("mode"), kept);  // the mode the record says ran is the one kept
  });
}

TEST(Cli, BadInputsGetOneLineAndExitCode2) {
  expect_usage_error("--batch 0", "--batch: '0' is not valid; expected a whole number from 1 to 2147483647");
  expect_usage_error("--batch -3", "--batch: '-3' is not valid; expected a whole number from 1 to 2147483647");
  expect_usage_error("--input 100x100",
                     "--input: '100x100' is not valid; expected HxWxC, whole numbers from 1 to 2147483647 joined by "
                     "'x'");
  expect_usage_error("--input 4x4x3",
                     "--filter: the 7x7 filter (extent 7x7 with dilation) is larger than the padded 4x4 input, so the "
                     "output would be empty");
  expect_usage_error("--filter 32x7x7x5",
                     "--filter: '32x7x7x5' has 5 input channels, but the input has 3 channels and 1 group, so the "
                     "filter needs 3");
  expect_usage_error("--groups 2", "--groups: 2 does not divide the input's 3 channels");
  expect_usage_error("--dtype int8", "--dtype: 'int8' is not valid; expected f32, tf32, bf16 or f16");
  expect_usage_error("--layout chwn", "--layout: 'chwn' is not valid; expected nhwc or nchw");
  expect_usage_error("--device npu", "--device: 'npu' is not valid; expected cpu, gpu or all");
  expect_usage_error("--frobnicate", "--frobnicate: not a flag of convbench; see convbench --help");
}

TEST(Cli, TooLargeProblemsAreRefusedBeforeAllocating) {
  const CliResult r = run_cli("--batch 2147483647 --input 1000x1000x3 --device cpu");
  EXPECT_EQ(r.code, 3);
  EXPECT_TRUE(has(r.err, "convbench: error: the problem needs about ")) << r.err;
  EXPECT_TRUE(has(r.err, " GiB of host memory, but only ")) << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
  const CliResult o = run_cli("--batch 2147483647 --input 2147483647x2147483647x3");
  EXPECT_EQ(o.code, 3);
  EXPECT_EQ(o.err, "convbench: error: input element count overflows 64 bits\n");
}

TEST(Cli, TheMemoryCheckReadsMemAvailableAndNoMemoryCheckSkipsIt) {
  // A VM whose memory grows as it is used (a ballooned microVM) reports less than it can give: there the
  // user needs a way past the refusal. 10 MiB available against the 28 MiB that batch 8 of the seed needs.
  const convbench::testing::ScratchDir dir("meminfo");
  const std::string meminfo = dir.path + "/meminfo";
  std::ofstream(meminfo) << "MemTotal:        2097152 kB\nMemFree:           10240 kB\nMemAvailable:      10240 kB\n";
  const std::string args = "--batch 8 --seed 3 --runs 1 --device cpu --debug-meminfo " + meminfo;
  const CliResult refused = run_cli(args);
  EXPECT_EQ(refused.code, 3);
  EXPECT_EQ(refused.out, "") << "refused before anything ran, its header included";
  EXPECT_EQ(refused.err,
            "convbench: error: the problem needs about 28 MiB of host memory, but only 10 MiB is available (--batch 8 "
            "--input 100x100x3 --filter 32x7x7x3 --stride 1 --padding 0 --dilation 1 --groups 1 --layout nhwc "
            "--dtype f32); --no-memory-check runs it anyway\n");

  // A list is checked whole before its first problem runs: before, line 1 was measured and then the run
  // stopped at line 2 with nothing kept.
  const CliResult list =
      run_cli("--problems - --seed 3 --runs 1 --device cpu --format jsonl --debug-meminfo " + meminfo,
              "printf -- '--batch 1\\n--batch 8\\n' | CONVBENCH_PHASES=1 ");
  EXPECT_EQ(list.code, 3);
  EXPECT_EQ(list.out, "");
  EXPECT_FALSE(has(list.err, "inputs made")) << list.err;
  EXPECT_TRUE(has(list.err,
                  "convbench: error: stdin:2: the problem needs about 28 MiB of host memory, but only "
                  "10 MiB is available (--batch 8 "))
      << list.err;

  const CliResult ran = run_cli(args + " --no-memory-check");
  EXPECT_EQ(ran.code, 0) << ran.err;
  EXPECT_TRUE(has(ran.out, "cpu: ")) << ran.out;
  EXPECT_TRUE(has(ran.out, "; 1 warm-up, then 1 timed run\n")) << ran.out;  // singular for one
  EXPECT_TRUE(convbench::testing::only_warnings(ran.err)) << ran.err;
}

TEST(Cli, HelpAndVersion) {
  const CliResult h = run_cli("--help");
  EXPECT_EQ(h.code, 0);
  EXPECT_TRUE(has(h.out, "Exit codes:")) << h.out;
  const CliResult v = run_cli("--version");
  EXPECT_EQ(v.code, 0);
  EXPECT_EQ(v.out.rfind(std::string("convbench ") + CONVBENCH_VERSION, 0), 0u) << v.out;
  EXPECT_TRUE(has(v.out, convbench::onednn_version())) << v.out;
}

TEST(Cli, TheDefaultRunFinishesWithoutHanging) {
  // A hang guard, not a speed target: the seed run's start-to-exit time is a benchmark, recorded with its
  // machine in bench/RESULTS.md. The bound has to hold on a 2-core machine busy with another build: the
  // 10 s it had failed once that way.
  const CliResult r = run_cli("--seed 1");
  EXPECT_EQ(r.code, 0);
  EXPECT_LT(r.seconds, 120.0);
}

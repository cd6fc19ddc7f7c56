// The table printer: the header before a problem runs, a line per device, the headline block, rows for
// several problems, details only with verbose, and no line wider than the width asked for.
#include <gtest/gtest.h>

#include <sstream>

#include "convbench/harness.hpp"
#include "convbench/reference.hpp"
#include "convbench/report.hpp"
#include "convbench/text.hpp"
#include "fake_backend.hpp"

using namespace convbench;
using convbench::testing::FakeBackend;

namespace {

Problem small_problem() {
  Problem p;
  p.n = 1, p.h = 8, p.w = 8, p.k = 2, p.r = 3, p.s = 3;
  return p;
}

/// A result where the CPU took 200 ms a run and the GPU 10 ms (or did not run, with `gpu_reason`).
RunResult result(const std::string& gpu_reason = "") {
  const Problem p = small_problem();
  FakeBackend cpu({1, 200, 200}), gpu({1, 10, 10});
  const HostTensors t = make_inputs(p, 1);
  RunResult r;
  r.problem = p;
  r.seed = 5;
  r.warmup = 1;
  DeviceResult c{DeviceKind::cpu, measure(cpu, p, t, {1, 2}), "", std::nullopt};
  c.measurement->prepare.details = {{"isa", "avx512_core"}, {"affinity", "cpus 0-1"}};
  r.devices.push_back(c);
  if (gpu_reason.empty()) {
    r.devices.push_back({DeviceKind::gpu, measure(gpu, p, t, {1, 2}), "", std::nullopt});
    r.speedup = speedup(r.devices[0].measurement->stats, r.devices[0].measurement->samples_ms.size(),
                        r.devices[1].measurement->stats, r.devices[1].measurement->samples_ms.size());
  } else {
    r.devices.push_back({DeviceKind::gpu, std::nullopt, gpu_reason, std::nullopt});
  }
  return r;
}

ProblemStart start_of(const RunResult& r, size_t index = 0, size_t total = 1, const std::string& label = "") {
  return {label, r.problem, r.seed, 1, 2, index, total};
}

std::string print(const std::vector<RunResult>& rs, TableStyle style = {}) {
  std::ostringstream out;
  auto printer = make_table_printer(out, style);
  for (size_t i = 0; i < rs.size(); ++i) {
    printer->start(start_of(rs[i], i, rs.size(), rs[i].label));
    printer->record(rs[i]);
  }
  printer->end(summarize_suite(rs, static_cast<int>(rs.size()), false));
  return out.str();
}

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

size_t widest_line(const std::string& s) {
  size_t widest = 0, start = 0;
  while (start < s.size()) {
    const size_t nl = std::min(s.find('\n', start), s.size());
    // ± is two bytes and one column
    std::string line = s.substr(start, nl - start);
    size_t cols = 0;
    for (unsigned char c : line) cols += (c & 0xC0) != 0x80;
    widest = std::max(widest, cols);
    start = nl + 1;
  }
  return widest;
}

}  // namespace

TEST(TablePrinter, HeaderFirstThenDevicesThenTheHeadline) {
  const RunResult r = result();
  std::ostringstream out;
  auto printer = make_table_printer(out);
  printer->start(start_of(r));
  const std::string header = out.str();
  EXPECT_EQ(header.rfind("problem: --batch 1 --input 8x8x3 --filter 2x3x3x3 ", 0), 0u) << header;
  EXPECT_TRUE(has(
      header, "--seed 5\n         output 1x2x6x6 (N, K, OH, OW), 3888 FLOP per run; 1 warm-up, then 2 timed runs\n"))
      << header;
  EXPECT_FALSE(has(header, "cpu:")) << "only the header is printed before the problem runs";
  printer->record(r);
  const std::string s = out.str();
  EXPECT_TRUE(has(s, "\ncpu: fake cpu, fake 1.0 fake:direct, f32\n")) << s;
  EXPECT_TRUE(has(s, "\n\ncpu: median 200.000 ms, sum of 2 runs 400.000 ms, ")) << s;
  EXPECT_TRUE(has(s, "\ngpu: median 10.000 ms, sum of 2 runs 20.000 ms, ")) << s;
  const std::string last = "GPU speedup over CPU: 20.0 ± 0.0x (GPU f32 vs CPU f32, sum of runs)\n";
  EXPECT_TRUE(s.size() > last.size() && s.substr(s.size() - last.size()) == last)
      << "the speedup closes the output:\n"
      << s;
  EXPECT_FALSE(has(s, "avx512_core")) << "ISA and affinity are --verbose details";
}

TEST(TablePrinter, AMissingSpeedupSaysWhyInOneLine) {
  const std::string s = print({result("no NVIDIA driver: libcuda.so.1 cannot be loaded; install the NVIDIA driver")});
  EXPECT_TRUE(has(s, "gpu: not run: no NVIDIA driver: libcuda.so.1 cannot be loaded; install the NVIDIA driver\n"))
      << s;
  EXPECT_TRUE(has(s, "\ngpu: not run\nno speedup: gpu not run: no NVIDIA driver: libcuda.so.1 cannot be loaded\n"))
      << s;
}

TEST(TablePrinter, VerboseAddsTheDetails) {
  TableStyle verbose;
  verbose.verbose = true;
  const std::string s = print({result()}, verbose);
  EXPECT_TRUE(has(s, "cpu: isa avx512_core, affinity cpus 0-1\n")) << s;
  EXPECT_TRUE(has(s, "cpu: runs: min 200.000, mean 200.000 ± 0.000 ms, cv 0.0%; setup ")) << s;
}

TEST(TablePrinter, NoLineIsWiderThanTheWidth) {
  RunResult r = result(std::string(30, 'x') + " the GPU could not run because of a long and winding reason that goes on");
  r.devices[0].measurement->warnings = {"cpu: something"};
  std::vector<RunResult> several(3, r);
  for (size_t i = 0; i < several.size(); ++i)
    several[i].label = "a rather long suite entry label number " + std::to_string(i);
  for (size_t columns : {40, 80, 100}) {
    for (bool verbose : {false, true}) {
      TableStyle style;
      style.columns = columns;
      style.verbose = verbose;
      EXPECT_LE(widest_line(print({r}, style)), columns) << print({r}, style);
      EXPECT_LE(widest_line(print(several, style)), columns) << print(several, style);
    }
  }
}

TEST(TablePrinter, SeveralProblemsGetARowEachAndARepeatedReasonOnce) {
  std::vector<RunResult> rs(3, result("no NVIDIA driver"));
  for (size_t i = 0; i < rs.size(); ++i) rs[i].label = "entry " + std::to_string(i);
  rs[1].devices[0].measurement->warnings = {"cpu: the runs vary"};
  const std::string s = print(rs);
  EXPECT_TRUE(has(s, "problem")) << s;
  EXPECT_TRUE(has(s, "cpu ms      gpu ms   speedup\n")) << s;
  EXPECT_TRUE(has(s, "entry 0")) << s;
  const size_t row1 = s.find("entry 1");
  ASSERT_NE(row1, std::string::npos);
  const std::string line1 = s.substr(row1, s.find('\n', row1) - row1);
  EXPECT_TRUE(has(line1, "1x8x8x3 k2x3x3")) << line1;
  EXPECT_TRUE(has(line1, "200.000           -         -  !")) << line1;
  EXPECT_EQ(s.find("no NVIDIA driver"), s.rfind("no NVIDIA driver")) << "printed once:\n" << s;
  EXPECT_TRUE(has(s, "gpu: not run: no NVIDIA driver, on 3 problems\n")) << s;
  EXPECT_TRUE(has(s, "summary: 3 of 3 problems ran\n")) << s;
  EXPECT_TRUE(has(s, "totals: medians add up to cpu 600.000 ms over 3 problems\n")) << s;
  EXPECT_FALSE(has(s, "fake:direct")) << "rows, not blocks";
}

// A bf16 row whose CPU ran f32 showed the f32 median with nothing to say so.
TEST(TablePrinter, ARowWhoseDeviceRanAnotherModeIsMarkedAndWhyPrintedOnce) {
  std::vector<RunResult> rs(3, result());
  for (size_t i = 0; i < rs.size(); ++i) {
    rs[i].label = "entry " + std::to_string(i);
    rs[i].problem.dtype = DType::bf16;
    rs[i].devices[1].dtype = DType::bf16;
    rs[i].devices[0].dtype = i < 2 ? DType::f32 : DType::bf16;
  }
  for (size_t i : {0, 1})
    rs[i].devices[0].measurement->prepare.details.emplace_back("mode", "f32 instead of bf16: no bf16");
  const std::string s = print(rs);
  EXPECT_TRUE(has(s, "200.000*      10.000     20.0x\n")) << s;
  EXPECT_TRUE(has(s, "200.000      10.000     20.0x\n")) << "entry 2 ran bf16:\n" << s;
  EXPECT_TRUE(has(s, "\ncpu ran f32 instead of bf16: no bf16, on 2 problems\n")) << s;
  EXPECT_TRUE(has(s, "\n* = ran another mode than the dtype asked (which, and why: above)\n")) << s;
  // Not a mark where every device ran the dtype asked.
  rs[0].devices[0].dtype = rs[1].devices[0].dtype = DType::bf16;
  EXPECT_FALSE(has(print(rs), "*")) << print(rs);
}

TEST(TablePrinter, NoSpeedupOverSeveralProblemsSaysWhenOneDeviceWasAskedFor) {
  std::vector<RunResult> rs(2, result("no NVIDIA driver"));
  EXPECT_TRUE(has(print(rs), "\nno speedup: the GPU and CPU did not both run and verify on any problem\n"));
  for (RunResult& r : rs) r.devices.pop_back();  // --device cpu: no GPU record at all
  const std::string s = print(rs);
  EXPECT_TRUE(has(s, "\nno speedup: only the CPU was asked for\n")) << s;
}

TEST(TablePrinter, ASharedLabelPrefixHeadsTheProblemColumnAndLeavesTheRows) {
  std::vector<RunResult> rs(2, result("no NVIDIA driver"));
  rs[0].label = "deepbench-inference-device device #1";
  rs[1].label = "deepbench-inference-device device #12";
  TableStyle style;
  style.label_prefix = "deepbench-inference-device";
  const std::string s = print(rs, style);
  EXPECT_EQ(s.rfind("deepbench-inference-device  shape ", 0), 0u) << s;
  EXPECT_TRUE(has(s, "\ndevice #1                   1x8x8x3 k2x3x3")) << s;
  EXPECT_TRUE(has(s, "\ndevice #12                  1x8x8x3 k2x3x3")) << s;
  EXPECT_FALSE(has(s, "~")) << "nothing cut:\n" << s;
  style.columns = 60;  // two lines a row: the prefix heads them too
  const std::string narrow = print(rs, style);
  EXPECT_EQ(narrow.rfind("deepbench-inference-device, shape\n", 0), 0u) << narrow;
  EXPECT_TRUE(has(narrow, "\ndevice #12  1x8x8x3 k2x3x3\n")) << narrow;
}

TEST(TablePrinter, AnInterruptedDeviceReportsTheRunsItCompleted) {
  RunResult r = result("");
  r.devices.pop_back();
  r.speedup.reset();
  r.devices[0].measurement->samples_ms = {200};
  r.devices[0].measurement->stats = summarize({200});
  r.devices[0].measurement->interrupted = true;
  const std::string s = print({r});
  EXPECT_TRUE(has(s, "cpu: interrupted after 1 of 2 timed runs; the figures below are theirs\n")) << s;
  EXPECT_TRUE(has(s, "cpu: median 200.000 ms, sum of 1 run 200.000 ms")) << s;
  EXPECT_TRUE(has(s, "no speedup: interrupted\n")) << s;
}

// A GPU run of 0.0135 ms read "median 0.013 ms", which cannot tell it from 0.0134 or 0.0126.
TEST(TablePrinter, ShortRunsKeepThreeSignificantDigits) {
  RunResult r = result("");
  r.devices[1].measurement->samples_ms = {0.0135, 0.0135};
  r.devices[1].measurement->stats = summarize({0.0135, 0.0135});
  const std::string s = print({r});
  EXPECT_TRUE(has(s, "gpu: median 0.0135 ms, sum of 2 runs 0.0270 ms")) << s;
  const std::string rows = print({r, r});
  EXPECT_TRUE(has(rows, "    0.0135")) << "the suite row's GPU cell";
  EXPECT_TRUE(has(rows, ", gpu 0.0270 ms over 2 problems\n")) << rows;
}

TEST(TablePrinter, ColourMarksTheVerdictWordOnly) {
  const Problem p = small_problem();
  FakeBackend cpu({1, 2, 2});
  const HostTensors t = make_inputs(p, 1);
  RunResult r;
  r.problem = p;
  const Measurement m = measure(cpu, p, t, {1, 2});
  r.devices = {DeviceResult{DeviceKind::cpu, m, "", check_against_reference(p, t, m.output, 1)}};
  std::ostringstream out;
  TableStyle colour;
  colour.color = true;
  make_table_printer(out, colour)->record(r);
  EXPECT_NE(out.str().find("cpu: verify \033[32mok\033[0m vs f64 reference: error "), std::string::npos) << out.str();
  std::ostringstream plain;
  make_table_printer(plain)->record(r);
  EXPECT_EQ(plain.str().find('\033'), std::string::npos);
}

TEST(PlainText, CaseChangesAsciiLettersOnly) {
  EXPECT_EQ(lower_case("NHWC fp16 Float32"), "nhwc fp16 float32");
  EXPECT_EQ(upper_case("gpu vs cpu"), "GPU VS CPU");
  // A UTF-8 µ (two bytes, both above 127) and digits pass through untouched.
  EXPECT_EQ(lower_case("12 \xC2\xB5S"), "12 \xC2\xB5s");
  EXPECT_EQ(upper_case(""), "");
}

TEST(PlainText, CountsTakeThePluralUnlessOne) {
  EXPECT_EQ(counted(1, "run"), "1 run");
  EXPECT_EQ(counted(0, "run"), "0 runs");
  EXPECT_EQ(counted(2, "problem on a GPU"), "2 problems on a GPU");
  EXPECT_EQ(counted(1, "problem on a GPU"), "1 problem on a GPU");
  EXPECT_EQ(counted(1, "entry", "entries"), "1 entry");
  EXPECT_EQ(counted(3, "entry", "entries"), "3 entries");
}

TEST(PlainText, MillisecondsKeepThreeSignificantDigits) {
  EXPECT_EQ(ms_text(1.3734), "1.373");
  EXPECT_EQ(ms_text(0.415), "0.415");
  EXPECT_EQ(ms_text(0.01354), "0.0135");
  EXPECT_EQ(ms_text(0.0042), "0.00420");
  EXPECT_EQ(ms_text(0.0000001), "0.000000");
  EXPECT_EQ(ms_text(0), "0.000");
}

// A tiny problem's header said "0.000 GFLOP per run".
TEST(PlainText, FlopKeepItsDigitsAtAnySize) {
  EXPECT_EQ(flop_text(8.313e9), "8.313 GFLOP");
  EXPECT_EQ(flop_text(1.66e8), "0.166 GFLOP");
  EXPECT_EQ(flop_text(3.115e6), "3.115 MFLOP");
  EXPECT_EQ(flop_text(48672), "48672 FLOP");
}

// A tiny problem's timing line said "0.000 TFLOP/s".
TEST(PlainText, RatesKeepTheirDigitsAtAnySize) {
  EXPECT_EQ(rate_text(0.1563), "0.156 TFLOP/s");
  EXPECT_EQ(rate_text(41.37), "41.370 TFLOP/s");
  EXPECT_EQ(rate_text(0.075), "0.0750 TFLOP/s");
  EXPECT_EQ(rate_text(7.776e-6), "0.00000778 TFLOP/s");
  EXPECT_EQ(rate_text(1e-12), "0.000000000 TFLOP/s");
  EXPECT_EQ(rate_text(0), "0.000 TFLOP/s");
}

TEST(PlainText, ACommandLineBreaksOnlyBeforeAFlag) {
  const std::string cmd = "--batch 10 --input 100x100x3 --groups 1 --layout nhwc";
  // Plain wrapping at 37 columns leaves "--groups" at the end of a line and its 1 on the next.
  EXPECT_EQ(wrap(cmd, 37, "  "), "--batch 10 --input 100x100x3 --groups\n  1 --layout nhwc");
  EXPECT_EQ(wrap_command(cmd, 37, "  "), "--batch 10 --input 100x100x3\n  --groups 1 --layout nhwc");
  // A flag and value wider than the line are cut, as wrap() cuts a long word.
  EXPECT_EQ(wrap_command("--a 123456 --b 2", 8), "--a 1234\n56 --b 2");
}

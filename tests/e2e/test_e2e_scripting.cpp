// End-to-end scripting: formats, --output, problem lists on stdin, suites, compare, .npy data, Ctrl-C.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <pty.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <thread>

#include "convbench/backend.hpp"
#include "convbench/harness.hpp"
#include "convbench/npy.hpp"
#include "convbench/record.hpp"
#include "convbench/reference.hpp"
#include "fake_backend.hpp"
#include "run_cli.hpp"
#include "scratch_dir.hpp"

using namespace convbench;
using convbench::testing::CliResult;
using convbench::testing::has;
using convbench::testing::run_cli;
using convbench::testing::ScratchDir;
namespace fs = std::filesystem;

namespace {

const std::string kCpu = " --device cpu --seed 5 --runs 2 ";

std::vector<nlohmann::json> json_lines(const std::string& text) {
  std::vector<nlohmann::json> v;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) v.push_back(nlohmann::json::parse(line));
  return v;
}

/// Runs `convbench WORDS` with stdin a pseudo-terminal on which `typed` is typed, as when a person runs it;
/// stdout and stderr go to files. The exit code is -1 when it had not ended after 60 s (it is then killed).
CliResult run_at_terminal(const std::vector<std::string>& words, const std::string& typed) {
  int master = -1, slave = -1;
  EXPECT_EQ(openpty(&master, &slave, nullptr, nullptr, nullptr), 0);
  const ScratchDir scratch("tty");
  const std::string out = scratch.path + "/out", err = scratch.path + "/err";
  std::vector<std::string> argv_words = words;
  argv_words.insert(argv_words.begin(), convbench::testing::convbench_binary());
  const pid_t pid = fork();
  if (pid == 0) {
    const int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(slave, 0), dup2(o, 1), dup2(e, 2);
    std::vector<char*> argv;
    for (std::string& w : argv_words) argv.push_back(w.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  EXPECT_EQ(write(master, typed.data(), typed.size()), static_cast<ssize_t>(typed.size()));
  int status = -1;
  for (int waited = 0; waited < 600 && waitpid(pid, &status, WNOHANG) == 0; ++waited)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  if (!WIFEXITED(status)) kill(pid, SIGKILL), waitpid(pid, &status, 0);
  char echo[4096];  // what the terminal echoed: read so that it never fills
  while (fcntl(master, F_SETFL, O_NONBLOCK) == 0 && read(master, echo, sizeof echo) > 0) {
  }
  close(master), close(slave);
  CliResult r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = convbench::testing::slurp(out);
  r.err = convbench::testing::slurp(err);
  return r;
}

}  // namespace

TEST(Scripting, DescriptorOnTheCommandLine) {
  const CliResult r = run_cli("mb2ic3ih20oc8kh3ph1" + kCpu);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "problem: --batch 2 --input 20x20x3 --filter 8x3x3x3 --stride 1 --padding 1 ")) << r.out;
  const CliResult both = run_cli("mb2ic3ih20oc8kh3 --batch 4" + kCpu);
  EXPECT_EQ(both.code, 2);
  EXPECT_TRUE(has(both.err, "cannot be combined")) << both.err;
}

TEST(Scripting, AProblemListTypedAtATerminalSaysHowToEndIt) {
  const std::vector<std::string> words = {"--problems", "-", "--format", "jsonl", "--device", "cpu", "--runs", "1"};
  // One line, then Ctrl-D at the start of the next: the end of input for a terminal in its usual mode.
  const CliResult r = run_at_terminal(words, "mb1ic3ih10oc4kh3\n\x04");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err.rfind("convbench: reading problems from the terminal, one per line; Ctrl-D ends the list\n", 0), 0u)
      << r.err;
  EXPECT_EQ(json_lines(r.out).size(), 1u);
  // --quiet leaves only data and errors.
  std::vector<std::string> quiet = words;
  quiet.push_back("--quiet");
  const CliResult q = run_at_terminal(quiet, "mb1ic3ih10oc4kh3\n\x04");
  ASSERT_EQ(q.code, 0) << q.err;
  EXPECT_EQ(q.err.find("reading problems"), std::string::npos);
}

TEST(Scripting, RecordsReadFromATerminalSayHowToEndThem) {
  // `compare base.jsonl -` typed without the pipe it was meant for waited in silence.
  const ScratchDir scratch("tty-records");
  const std::string base = scratch.path + "/base.jsonl";
  ASSERT_EQ(run_cli("mb1ic3ih10oc4kh3 --format jsonl --quiet --output " + base + kCpu).code, 0);
  for (const std::vector<std::string>& words : {std::vector<std::string>{"compare", base, "-"},
                                                {"fleet", "-"},
                                                {"report", "--html", scratch.path + "/r.html", "-"}}) {
    const CliResult r = run_at_terminal(words, "\x04");
    SCOPED_TRACE(words.front());
    EXPECT_EQ(r.code, 9) << r.err;  // nothing typed: nothing to compare
    EXPECT_EQ(r.err.rfind("convbench: " + words.front() + ": reading records from the terminal; Ctrl-D ends them\n", 0),
              0u)
        << r.err;
  }
}

TEST(Scripting, JsonLinesFromAProblemListOnStdinWithOnlyDataOnStdout) {
  const CliResult r =
      run_cli("--problems - --format jsonl" + kCpu,
              "printf '# list\\n--batch 2 --input 12x12x3 --filter 4x3x3\\nmb1ic4ih9oc4kh3 --dtype bf16\\n' | ");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(convbench::testing::only_warnings(r.err)) << r.err;
  const auto recs = json_lines(r.out);
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].at("label"), "stdin:2");
  EXPECT_EQ(recs[1].at("label"), "stdin:3");
  EXPECT_EQ(recs[1].at("problem").at("dtype"), "bf16");
  // bf16 runs natively where the CPU has bf16 instructions (AVX512-BF16, AMX); elsewhere the CPU runs it in
  // f32 and says so (an AVX2-only build machine does).
  Problem bf16;
  bf16.n = 1, bf16.c = 4, bf16.h = bf16.w = 9, bf16.k = 4, bf16.r = bf16.s = 3, bf16.dtype = DType::bf16;
  const bool native_bf16 = make_cpu_backend({}).backend->supports(bf16).ok;
  EXPECT_EQ(recs[1].at("devices").at("cpu").at("dtype"), native_bf16 ? "bf16" : "f32");
  EXPECT_EQ(recs[0].at("devices").at("cpu").at("dtype"), "f32");
  for (const auto& j : recs) {
    EXPECT_EQ(j.at("schema_version"), 2);
    EXPECT_TRUE(j.at("devices").at("cpu").at("ran").get<bool>());
    // Several problems run in 3 rounds by default: every round's runs, and each round's median.
    EXPECT_EQ(j.at("devices").at("cpu").at("samples_ms").size(), 6u);
    EXPECT_EQ(j.at("devices").at("cpu").at("round_medians_ms").size(), 3u);
    EXPECT_EQ(j.at("metadata").at("seed"), 5);
    EXPECT_TRUE(j.at("metadata").at("timestamp").is_string());
  }
}

TEST(Scripting, RoundsRunTheListInTurnAndKeepEachRoundsMedian) {
  const std::string list = "printf -- '--batch 2 --input 12x12x3 --filter 4x3x3\\nmb1ic4ih9oc4kh3\\n' | ";
  const CliResult one = run_cli("--problems - --format jsonl --rounds 1" + kCpu, list);
  ASSERT_EQ(one.code, 0) << one.err;
  for (const auto& j : json_lines(one.out)) {
    EXPECT_EQ(j.at("devices").at("cpu").at("samples_ms").size(), 2u);
    EXPECT_TRUE(j.at("devices").at("cpu").at("round_medians_ms").empty());
  }
  const CliResult four = run_cli("--problems - --format jsonl --rounds 4" + kCpu, list);
  ASSERT_EQ(four.code, 0) << four.err;
  const auto recs = json_lines(four.out);
  ASSERT_EQ(recs.size(), 2u) << "one record a problem, whatever the rounds";
  for (const auto& j : recs) {
    const auto& cpu = j.at("devices").at("cpu");
    const auto medians = cpu.at("round_medians_ms").get<std::vector<double>>();
    ASSERT_EQ(medians.size(), 4u);
    EXPECT_EQ(cpu.at("samples_ms").size(), 8u);
    for (size_t k = 0; k < 4; ++k) {  // each round's median is the median of its own two runs
      const auto samples = cpu.at("samples_ms").get<std::vector<double>>();
      EXPECT_DOUBLE_EQ(medians[k], (samples[2 * k] + samples[2 * k + 1]) / 2);
    }
  }
  const CliResult table = run_cli("--problems - --rounds 2 --verbose" + kCpu, list);
  EXPECT_TRUE(has(table.out, "2 rounds of 1 warm-up, then 2 timed runs")) << table.out;
  EXPECT_EQ(run_cli("--rounds 0").err, "convbench: error: --rounds: '0' is not valid; expected a whole number from 1 to 1000\n");
}

TEST(Scripting, ProblemFileErrorsNameTheLine) {
  const ScratchDir scratch("plist");
  const std::string dir = scratch.path;
  std::ofstream(dir + "/p.txt") << "--batch 2\n# fine so far\n--input 3x3\n";
  const CliResult r = run_cli("--problems " + dir + "/p.txt" + kCpu);
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "convbench: error: " + dir +
                       "/p.txt:3: --input: '3x3' is not valid; expected HxWxC, whole numbers from 1 to 2147483647 "
                       "joined by 'x'\n");
}

TEST(Scripting, OutputFileIsWrittenAtomicallyBesideTheTable) {
  const ScratchDir scratch("out");
  const std::string dir = scratch.path;
  const CliResult r = run_cli("mb1ic3ih10oc4kh3 --format json --output " + dir + "/r.json" + kCpu);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "problem: ")) << "the table still goes to stdout";
  const auto recs = read_records(dir + "/r.json", "t");
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].at("problem").at("descriptor"), "g1mb1ic3ih10iw10oc4kh3kw3sh1sw1ph0pw0dh0dw0");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1) << "no temporary file is left";
  const CliResult quiet = run_cli("mb1ic3ih10oc4kh3 --quiet --format csv --output " + dir + "/r.csv" + kCpu);
  EXPECT_EQ(quiet.out, "");
  EXPECT_EQ(quiet.err, "");
}

TEST(Scripting, AFailedRunLeavesNoPartialOutputFile) {
  const ScratchDir scratch("fail");
  const std::string dir = scratch.path;
  // The second problem needs far more memory than there is: exit 3 (since the list is checked whole, before
  // the first problem runs; it came after the first record before).
  const CliResult r = run_cli("--problems - --format jsonl --output " + dir + "/r.jsonl" + kCpu,
                              "printf 'mb1ic3ih10oc4kh3\\n--batch 2147483647 --input 1000x1000x3\\n' | ");
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_TRUE(fs::is_empty(dir)) << "neither the output nor its temporary file may remain";
  const CliResult bad = run_cli("mb1ic3ih10oc4kh3 --output /nonexistent-dir/r.json" + kCpu);
  EXPECT_EQ(bad.code, 2);
  EXPECT_EQ(bad.err, "convbench: error: --output: cannot write '/nonexistent-dir/r.json': No such file or directory\n");
}

TEST(Scripting, SuitesAreListedAndRunnable) {
  const CliResult list = run_cli("suites");
  EXPECT_EQ(list.code, 0);
  for (const char* s : {"deepbench-training", "deepbench-inference-server", "deepbench-inference-device", "resnet50"})
    EXPECT_TRUE(has(list.out, s)) << s;
  EXPECT_TRUE(has(list.out, "  94 problems")) << list.out;
  EXPECT_TRUE(has(list.out, " 107 problems")) << list.out;
  EXPECT_TRUE(has(list.out, "  16 problems")) << list.out;
  const CliResult bad = run_cli("--suite deepbench");
  EXPECT_EQ(bad.code, 2);
  EXPECT_TRUE(has(bad.err, "--suite: 'deepbench' is not valid; expected one of deepbench-training")) << bad.err;
  // --batch replaces every entry's batch (benchdnn's --mb does the same for a batch file); the other shape flags
  // are refused.
  const CliResult one = run_cli(
      "--suite resnet50 --batch 1 --device cpu --rounds 1 --runs 1 --seed 1 "
      "--debug-fake-backends 1 --no-verify --format jsonl");
  ASSERT_EQ(one.code, 0) << one.err;
  const auto recs = json_lines(one.out);
  ASSERT_EQ(recs.size(), 23u);
  for (const auto& r : recs) EXPECT_EQ(r.at("problem").at("n"), 1) << r.at("label");
  EXPECT_EQ(recs[0].at("label"), "resnet50 conv1");
  EXPECT_EQ(recs[0].at("problem").at("h"), 224);
  const CliResult shape = run_cli("--suite resnet50 --input 10x10x3");
  EXPECT_EQ(shape.code, 2);
  EXPECT_EQ(shape.err,
            "convbench: error: --suite: shape flags (--input, --filter, ...) cannot be combined with a "
            "suite; --batch, --dtype and --layout can\n");
}

TEST(Scripting, SuiteSummaryOnTheTable) {
  const CliResult r = run_cli("--suite deepbench-inference-device --device cpu --runs 1 --seed 1 --no-verify");
  ASSERT_EQ(r.code, 0) << r.err;
  // A row a problem: label, shape, medians, speedup; the GPU's reason once, below the rows.
  // The suite's name heads the problem column, and the rows give the entry alone (nothing cut).
  EXPECT_EQ(r.out.rfind("deepbench-inference-device  shape ", 0), 0u) << r.out;
  EXPECT_TRUE(has(r.out, "cpu ms      gpu ms   speedup\n")) << r.out;
  EXPECT_TRUE(has(r.out, "\ndevice #1                   1x40x151x1 k32x5x20 s2x8 p8 ")) << r.out;
  EXPECT_TRUE(has(r.out, "\ndevice #16                  1x7x7x2048 k512x1x1 ")) << r.out;
  EXPECT_FALSE(has(r.out, "~")) << r.out;
  EXPECT_FALSE(has(r.out, "== deepbench")) << "blocks are for --verbose";
  EXPECT_TRUE(has(r.out, "summary: 16 of 16 problems ran")) << r.out;
  EXPECT_TRUE(has(r.out, "totals: medians add up to cpu ")) << r.out;
  const CliResult verbose = run_cli("--suite deepbench-inference-device --device cpu --runs 1 --seed 1 --no-verify --verbose");
  EXPECT_TRUE(has(verbose.out, "== deepbench-inference-device device #1 ==")) << verbose.out;
  EXPECT_TRUE(has(r.out, "\nno speedup: only the CPU was asked for\n")) << r.out;
}

TEST(Scripting, AProblemListsLabelsStayWholeWhenItsFileNameHasASpace) {
  // A problem list's labels (FILE:LINE) stay whole: only a suite's name heads the problem column.
  const ScratchDir scratch("spaced");
  std::ofstream(scratch.path + "/my list.txt") << "mb1ic3ih10oc4kh3\nmb1ic3ih12oc4kh3\n";
  const CliResult list = run_cli("--problems '" + scratch.path + "/my list.txt' --device cpu --runs 1 --seed 1");
  ASSERT_EQ(list.code, 0) << list.err;
  EXPECT_EQ(list.out.rfind("problem ", 0), 0u) << list.out;
  EXPECT_TRUE(has(list.out, "/my list.txt:2 ")) << list.out;
  EXPECT_EQ(list.out.find("\nlist.txt:2"), std::string::npos) << "no row may lose the name's first word:\n" << list.out;
}

namespace {

// The CPU suite with its records to a file, stopped by `signal` after 1.5 s, long before the 94 training
// problems finish on two cores: the exit code, the note, and a file of complete records with nothing beside it.
void expect_a_stop_keeps_the_records(const std::string& signal, int code, const std::string& note) {
  const ScratchDir scratch("stop");
  const std::string dir = scratch.path;
  const CliResult r = run_cli("--suite deepbench-training --format jsonl --output " + dir + "/r.jsonl" + kCpu,
                              "timeout --preserve-status -s " + signal + " 1.5 ");
  EXPECT_EQ(r.code, code) << r.err;
  EXPECT_TRUE(has(r.err, "convbench: " + note + " after ")) << r.err;
  const auto recs = read_records(dir + "/r.jsonl", "t");  // every line is a complete record
  EXPECT_GE(recs.size(), 1u);
  EXPECT_LT(recs.size(), 94u);
  EXPECT_TRUE(has(r.out, "(interrupted)")) << r.out;
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(dir)) left.push_back(e.path().filename().string());
  EXPECT_EQ(left, std::vector<std::string>{"r.jsonl"}) << "no temporary file stays";
}

}  // namespace

TEST(Scripting, CtrlCKeepsCompletedRecordsAndSummarises) { expect_a_stop_keeps_the_records("INT", 130, "interrupted"); }

TEST(Scripting, SigtermKeepsCompletedRecordsAsCtrlCDoes) {
  // Slurm's time limit and scancel send SIGTERM; before, it ended the run at once: no records, and an empty
  // temporary file left beside the output.
  expect_a_stop_keeps_the_records("TERM", 143, "stopped by SIGTERM");
}

TEST(Scripting, SighupKeepsCompletedRecordsButNotUnderNohup) {
  // A closed terminal or ssh session sends SIGHUP; before, it ended a long suite at once, as SIGTERM did.
  expect_a_stop_keeps_the_records("HUP", 129, "stopped by SIGHUP");
  // nohup ignores SIGHUP so that the run goes on; convbench must keep that ignore. A scripted run (each
  // timed run sleeps 0.4 s) gets a SIGHUP in its middle and still measures all of its runs.
  const ScratchDir scratch("nohup");
  const std::string dir = scratch.path;
  const std::string cmd = "(trap '' HUP; exec " + convbench::testing::convbench_binary() +
                          " mb1ic3ih10oc4kh3 --debug-fake-backends 400 --seed 1 --runs 3 --format jsonl --output " +
                          dir + "/r.jsonl) >" + dir + "/out 2>&1 </dev/null & p=$!; sleep 1; kill -HUP $p; wait $p; " +
                          "echo $? >" + dir + "/rc";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  EXPECT_EQ(convbench::testing::slurp(dir + "/rc"), "0\n") << convbench::testing::slurp(dir + "/out");
  const auto recs = read_records(dir + "/r.jsonl", "t");
  ASSERT_EQ(recs.size(), 1u);
  for (const auto& [kind, dj] : recs[0].at("devices").items()) {
    EXPECT_EQ(dj.at("samples_ms").size(), 3u) << kind;
    EXPECT_FALSE(dj.at("interrupted").get<bool>()) << kind;
  }
}

TEST(Scripting, OnANarrowTerminalNoLineOrProgressIsWiderThanIt) {
  // A real terminal of 60 columns (script(1) gives the run a pty): the table and the progress line both fit,
  // so nothing wraps and no stale progress line stays behind.
  const ScratchDir scratch("tty");
  const std::string out = scratch.path + "/typescript";
  const std::string cmd = "script -qec \"stty cols 60 rows 30; " + convbench::testing::convbench_binary() +
                          " --suite deepbench-inference-device --device cpu --runs 2 --rounds 2 --seed 1\" /dev/null > " +
                          out + " 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  const std::string text = convbench::testing::slurp(out);
  EXPECT_TRUE(has(text, "summary: 16 of 16 problems ran")) << text;
  size_t progress_lines = 0;
  std::stringstream lines(text);
  for (std::string line; std::getline(lines, line, '\n');) {
    std::stringstream segments(line);
    for (std::string seg; std::getline(segments, seg, '\r');) {
      for (size_t k; (k = seg.find("\033[K")) != std::string::npos;) seg.erase(k, 3);  // the erase-line code
      const bool progress = has(seg, "ETA");
      progress_lines += progress;
      // The progress line stays off the last column, where some terminals wrap before the next redraw.
      EXPECT_LE(seg.size(), progress ? 59u : 60u) << "'" << seg << "'";
    }
  }
  EXPECT_GT(progress_lines, 0u) << "a terminal gets the progress line:\n" << text;
}

TEST(Scripting, CtrlCOnASingleProblemReportsTheRunsItCompleted) {
  const ScratchDir scratch("int1");
  const std::string dir = scratch.path;
  // Scripted runs of 400 ms: the warm-up ends at 0.4 s, and SIGINT at 1.5 s lands in the third timed run.
  const CliResult r = run_cli("mb1ic3ih10oc4kh3 --debug-fake-backends 400 --device cpu --seed 1 --format jsonl --output " +
                                  dir + "/r.jsonl",
                              "timeout --preserve-status -s INT 1.5 ");
  EXPECT_EQ(r.code, 130) << r.err;
  const auto recs = read_records(dir + "/r.jsonl", "t");
  ASSERT_EQ(recs.size(), 1u) << "the record of the runs completed is kept";
  const auto& cpu = recs[0].at("devices").at("cpu");
  EXPECT_TRUE(cpu.at("interrupted").get<bool>());
  const size_t done = cpu.at("samples_ms").size();
  EXPECT_GE(done, 1u);
  EXPECT_LT(done, 10u);
  EXPECT_TRUE(has(r.err, "convbench: interrupted after 0 of 1 problem; in part: the problem (" + std::to_string(done) +
                             " of 10 timed cpu runs); what completed is reported and kept\n"))
      << r.err;
  // The table beside the file shows the header, then the runs that completed.
  EXPECT_TRUE(has(r.out, "cpu: interrupted after " + std::to_string(done) + " of 10 timed runs")) << r.out;
  EXPECT_TRUE(has(r.out, "cpu: median 400.")) << r.out;
  EXPECT_TRUE(has(r.out, "no speedup: interrupted\n")) << r.out;
}

TEST(Scripting, CompareGatesOnRegressions) {
  const ScratchDir scratch("cmp");
  const std::string dir = scratch.path;
  Problem p;
  p.n = 1, p.h = 10, p.w = 10;
  const HostTensors t = make_inputs(p, 1);
  auto record = [&](double ms) {
    convbench::testing::FakeBackend fake({1, ms * 0.99, ms, ms * 1.01}, "gpu");
    RunResult r;
    r.problem = p;
    r.devices.push_back({DeviceKind::gpu, measure(fake, p, t, {1, 3}), "", std::nullopt});
    return to_json(r, RunMetadata{}).dump();
  };
  std::ofstream(dir + "/base.jsonl") << record(1.0) << "\n";
  std::ofstream(dir + "/same.jsonl") << record(1.005) << "\n";
  std::ofstream(dir + "/slow.jsonl") << record(1.5) << "\n";
  const CliResult same = run_cli("compare " + dir + "/base.jsonl " + dir + "/same.jsonl");
  EXPECT_EQ(same.code, 0) << same.out << same.err;
  EXPECT_TRUE(has(same.out, " same ")) << same.out;
  const CliResult slow = run_cli("compare " + dir + "/base.jsonl " + dir + "/slow.jsonl");
  EXPECT_EQ(slow.code, 8);
  EXPECT_TRUE(has(slow.out, "REGRESSION")) << slow.out;
  EXPECT_EQ(slow.err, "convbench: error: 1 problem slowed down by more than 5.0% beyond the measured noise\n");
  EXPECT_EQ(run_cli("compare " + dir + "/base.jsonl " + dir + "/slow.jsonl --threshold 0.6").code, 0);
  const CliResult missing = run_cli("compare " + dir + "/nope.json " + dir + "/slow.jsonl");
  EXPECT_EQ(missing.code, 2);
  EXPECT_EQ(missing.err, "convbench: error: compare: cannot read '" + dir + "/nope.json': no such file\n");
}

TEST(Scripting, NpyInputsAndSavedOutputs) {
  const ScratchDir scratch("npy");
  const std::string dir = scratch.path;
  Problem p;
  p.n = 2, p.c = 3, p.h = 7, p.w = 6, p.k = 4, p.r = 3, p.s = 3;
  HostTensors t = make_inputs(p, 99);
  write_npy(dir + "/x.npy", "t", {2, 7, 6, 3}, t.input);
  write_npy(dir + "/w.npy", "t", {4, 3, 3, 3}, t.weights);
  const CliResult r = run_cli("--batch 2 --input 7x6x3 --filter 4x3x3 --input-data " + dir + "/x.npy --weights-data " +
                              dir + "/w.npy --save-output " + dir + "/y.npy" + kCpu);
  ASSERT_EQ(r.code, 0) << r.err;
  const NpyArray y = read_npy(dir + "/y.npy", "t");
  EXPECT_EQ(y.shape, (std::vector<int64_t>{2, 5, 4, 4}));
  const auto ref = reference_conv(p, t);
  std::vector<float> want(ref.begin(), ref.end());
  EXPECT_LT(compare_outputs(y.data, want, 1e-6).error, 1e-6);
  const CliResult wrong = run_cli("--batch 3 --input 7x6x3 --filter 4x3x3 --input-data " + dir + "/x.npy" + kCpu);
  EXPECT_EQ(wrong.code, 2);
  EXPECT_EQ(wrong.err,
            "convbench: error: --input-data: '" + dir +
                "/x.npy' has shape (2, 7, 6, 3), but the input of this problem (nhwc layout) needs (3, 7, 6, 3)\n");
  std::ofstream(dir + "/bad.npy") << "not numpy";
  const CliResult bad = run_cli("--input-data " + dir + "/bad.npy" + kCpu);
  EXPECT_EQ(bad.code, 2);
  EXPECT_EQ(bad.err, "convbench: error: --input-data: '" + dir + "/bad.npy': not a .npy file (bad magic)\n");
}

TEST(Scripting, PeakHostMemoryStaysUnderFourTimesTheTensorBytes) {
  // The seed problem: 125 MB of f32 tensors; the process (libraries included) must peak under 4x that.
  const CliResult r = run_cli("--device cpu --seed 1 --runs 2 --format jsonl");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  const double tensor = j.at("memory").at("tensor_bytes").get<double>();
  const double peak = j.at("memory").at("peak_host_bytes").get<double>();
  EXPECT_GT(peak, tensor) << "the output alone is 113 MB";
  EXPECT_LT(peak, 4 * tensor) << "peak " << peak / 1e6 << " MB for " << tensor / 1e6 << " MB of tensors";
}

// oneDNN 2.6's brgconv_1x1 bf16 kernel with an odd channel count was seen to put a NaN in the output next to
// an inf input (w=5 inf made output w=4 NaN). Whatever this machine's oneDNN does, verification must agree
// with what it produced: a NaN beside the inf fails with its index, a correct output passes.
TEST(Scripting, AnInfInputNextToABf16OneByOneConvolutionIsVerifiedPositionByPosition) {
  const ScratchDir scratch("nonfinite");
  const std::string dir = scratch.path;
  std::vector<float> x(8, 1.0f);
  x[5] = std::numeric_limits<float>::infinity();
  write_npy(dir + "/x.npy", "t", {1, 1, 8, 1}, x);
  write_npy(dir + "/w.npy", "t", {1, 1, 1, 1}, std::vector<float>{1.0f});
  const CliResult r = run_cli("--batch 1 --input 1x8x1 --filter 1x1x1 --dtype bf16 --input-data " + dir +
                              "/x.npy --weights-data " + dir + "/w.npy --save-output " + dir + "/y.npy" + kCpu);
  ASSERT_TRUE(r.code == 0 || r.code == 6) << r.code << r.err;
  // Without bf16 instructions (an AVX2-only CPU) the CPU runs the problem in f32, says so, and verifies
  // with f32's tolerance.
  Problem p;
  p.n = p.c = p.h = p.k = p.r = p.s = 1, p.w = 8, p.dtype = DType::bf16;
  const bool native_bf16 = make_cpu_backend({}).backend->supports(p).ok;
  if (!native_bf16) {
    EXPECT_TRUE(has(r.out, "cpu: mode f32 instead of bf16: ")) << r.out;
  }
  const std::string tolerance = native_bf16 ? "1e-02" : "1e-05";
  const NpyArray y = read_npy(dir + "/y.npy", "t");
  ASSERT_EQ(y.data.size(), 8u);
  size_t wrong = 8;
  for (size_t i = 0; i < 8; ++i) {
    const bool ok = i == 5 ? std::isinf(y.data[i]) && y.data[i] > 0 : y.data[i] == 1.0f;
    if (!ok && wrong == 8) wrong = i;
  }
  if (wrong == 8) {
    EXPECT_EQ(r.code, 0) << r.out;
    EXPECT_TRUE(has(r.out, "cpu: verify ok vs f64 reference: error 0.0e+00 (8 points, tolerance " + tolerance +
                               "); 1 non-finite inputs, 1 non-finite expected outputs matched exactly\n"))
        << r.out;
  } else {
    EXPECT_EQ(r.code, 6) << r.out;
    EXPECT_TRUE(has(r.out, "cpu: verify FAILED vs f64 reference:")) << r.out;
    EXPECT_TRUE(has(r.err, "convbench: error: cpu: verification against the float64 reference failed")) << r.err;
    EXPECT_TRUE(has(r.out, "; a non-finite value disagrees at output index " + std::to_string(wrong) + "\n")) << r.out;
  }
}

namespace {
bool is_kind(const std::string& path, mode_t kind) {
  struct stat st {};
  return lstat(path.c_str(), &st) == 0 && (st.st_mode & S_IFMT) == kind;
}
}  // namespace

// --output onto something that is not a regular file: written through, never replaced.
TEST(Scripting, OutputWritesThroughAFifoAndADeviceAndFollowsASymlink) {
  const ScratchDir scratch("outkinds");
  const std::string dir = scratch.path;
  // A FIFO, read by a thread: the records arrive there and the FIFO stays a FIFO.
  const std::string fifo = dir + "/fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  std::string got;
  std::thread reader([&] { got = convbench::testing::slurp(fifo); });
  const CliResult r = run_cli("mb1ic3ih10oc4kh3 --format json --output " + fifo + kCpu);
  if (const int fd = open(fifo.c_str(), O_WRONLY | O_NONBLOCK); fd >= 0) close(fd);  // never leave the reader hanging
  reader.join();
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(is_kind(fifo, S_IFIFO));
  EXPECT_EQ(nlohmann::json::parse(got).size(), 1u) << got;
  // A character device (a null device node of our own, where this user may make one).
  const std::string dev = dir + "/null";
  if (mknod(dev.c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0) {
    const int fd = open(dev.c_str(), O_WRONLY);
    if (fd >= 0) {
      close(fd);
      const CliResult d = run_cli("mb1ic3ih10oc4kh3 --format json --output " + dev + kCpu);
      EXPECT_EQ(d.code, 0) << d.err;
      EXPECT_TRUE(is_kind(dev, S_IFCHR)) << "the device was replaced";
    }
  }
  // A full device (like /dev/full): the write fails with one line, exit 2, and the device stays.
  const std::string full = dir + "/full";
  if (mknod(full.c_str(), S_IFCHR | 0666, makedev(1, 7)) == 0) {
    const CliResult f = run_cli("mb1ic3ih10oc4kh3 --format json --quiet --output " + full + kCpu);
    EXPECT_EQ(f.code, 2);
    EXPECT_EQ(f.err, "convbench: error: --output: cannot write '" + full + "': No space left on device\n");
    EXPECT_TRUE(is_kind(full, S_IFCHR)) << "the device was replaced";
  }
  // A symlink: the target is replaced atomically, and the link stays a link.
  std::ofstream(dir + "/target.json") << "old";
  ASSERT_EQ(symlink("target.json", (dir + "/link").c_str()), 0);
  const CliResult l = run_cli("mb1ic3ih10oc4kh3 --format json --output " + dir + "/link" + kCpu);
  EXPECT_EQ(l.code, 0) << l.err;
  EXPECT_TRUE(is_kind(dir + "/link", S_IFLNK));
  EXPECT_EQ(nlohmann::json::parse(convbench::testing::slurp(dir + "/target.json")).size(), 1u);
  // This process's stdout by name, redirected by the shell to a regular file: `>>` appends and `>` truncates
  // as the shell set them up. Each replaced the file by rename, so `>>` lost what the file held.
  const std::string all = dir + "/all.jsonl";
  std::ofstream(all) << "kept\n";
  for (const char* name : {"/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"}) {
    const CliResult a = run_cli("mb1ic3ih10oc4kh3 --format jsonl --quiet --output " + std::string(name) + kCpu,
                                "sh -c 'exec \"$0\" \"$@\" >>" + all + "' ");
    EXPECT_EQ(a.code, 0) << name << ": " << a.err;
  }
  const std::string appended = convbench::testing::slurp(all);
  EXPECT_EQ(appended.rfind("kept\n{", 0), 0u) << appended;
  EXPECT_EQ(std::count(appended.begin(), appended.end(), '\n'), 4) << appended;
  const CliResult t = run_cli("mb1ic3ih10oc4kh3 --format jsonl --quiet --output /dev/stdout" + std::string(kCpu),
                              "sh -c 'exec \"$0\" \"$@\" >" + all + "' ");
  EXPECT_EQ(t.code, 0) << t.err;
  EXPECT_EQ(json_lines(convbench::testing::slurp(all)).size(), 1u);
  for (const auto& e : fs::directory_iterator(dir))
    EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << e.path();
}

TEST(Scripting, ADirectoryAsOutputIsRefusedBeforeAnythingRuns) {
  const ScratchDir scratch("outdir");
  const std::string dir = scratch.path;
  const CliResult r = run_cli("--suite resnet50 --output " + dir + kCpu);
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "convbench: error: --output: '" + dir + "' is a directory; give a file path\n");
  EXPECT_EQ(r.out, "") << "a problem ran";
  EXPECT_LT(r.seconds, 2.0);
  const CliResult s = run_cli("--suite resnet50 --save-output " + dir + "/missing/y.npy" + kCpu);
  EXPECT_EQ(s.code, 2);
  EXPECT_EQ(s.out, "");
  EXPECT_TRUE(fs::is_empty(dir));
}

// `report r.jsonl --html r.jsonl` replaced the records with the page, and `--problems p.txt --output p.txt`
// the problem list with the records: an output that is also an input (by any name: ./, a symlink, a hard
// link, stdin redirected from it), or another output, is refused before anything runs, and nothing changes.
TEST(Scripting, AnOutputThatIsAlsoAnInputOrAnotherOutputIsRefused) {
  const ScratchDir scratch("same");
  const std::string d = scratch.path;
  std::ofstream(d + "/p.txt") << "mb1ic3ih10oc4kh3\n";
  ASSERT_EQ(run_cli("--problems " + d + "/p.txt --format jsonl --output " + d + "/r.jsonl" + kCpu).code, 0);
  const std::string records = convbench::testing::slurp(d + "/r.jsonl");
  ASSERT_EQ(symlink("r.jsonl", (d + "/link.jsonl").c_str()), 0);
  ASSERT_EQ(link((d + "/r.jsonl").c_str(), (d + "/hard.jsonl").c_str()), 0);
  const auto refused = [&](const std::string& args, const std::string& message, const std::string& prefix = "") {
    const CliResult r = run_cli(args, prefix);
    EXPECT_EQ(r.code, 2) << args << "\n" << r.err;
    EXPECT_EQ(r.err, "convbench: error: " + message + "\n") << args;
    EXPECT_EQ(r.out, "") << args;
  };
  const std::string destroys = "; writing it would destroy that input";
  refused("report " + d + "/r.jsonl --html " + d + "/r.jsonl",
          "--html: '" + d + "/r.jsonl' is the same file as the input '" + d + "/r.jsonl'" + destroys);
  refused("report " + d + "/p.txt " + d + "/link.jsonl --html " + d + "/./r.jsonl",
          "--html: '" + d + "/./r.jsonl' is the same file as the input '" + d + "/link.jsonl'" + destroys);
  refused("report " + d + "/hard.jsonl --html " + d + "/r.jsonl",
          "--html: '" + d + "/r.jsonl' is the same file as the input '" + d + "/hard.jsonl'" + destroys);
  refused("--problems " + d + "/p.txt --output " + d + "/p.txt" + kCpu,
          "--output: '" + d + "/p.txt' is the same file as --problems '" + d + "/p.txt'" + destroys);
  refused("--problems - --output " + d + "/p.txt" + kCpu,
          "--output: '" + d + "/p.txt' is the same file as --problems - (standard input)" + destroys,
          "exec <" + d + "/p.txt; ");
  refused("--problems " + d + "/p.txt --tune-cache " + d + "/p.txt --seed 5 --runs 2",
          "--tune-cache: '" + d + "/p.txt' is the same file as --problems '" + d + "/p.txt'" + destroys);
  refused("mb1ic3ih10oc4kh3 --output " + d + "/new.json --save-output " + d + "/new.json" + kCpu,
          "--save-output: '" + d + "/new.json' is the same file as --output '" + d +
              "/new.json'; one output would replace the other");
  refused("mb1ic3ih10oc4kh3 --output " + d + "/new.cpu.json --save-output " + d + "/new.json" + kCpu,
          "--save-output's cpu file: '" + d + "/new.cpu.json' is the same file as --output '" + d +
              "/new.cpu.json'; one output would replace the other");
  EXPECT_EQ(convbench::testing::slurp(d + "/r.jsonl"), records);
  EXPECT_EQ(convbench::testing::slurp(d + "/p.txt"), "mb1ic3ih10oc4kh3\n");
  EXPECT_FALSE(fs::exists(d + "/new.json"));
  // What is not one file still runs: a device written through, and the tuning cache where no GPU runs.
  EXPECT_EQ(run_cli("report " + d + "/r.jsonl --html /dev/null").code, 0);
  const CliResult cpu_only = run_cli("--problems " + d + "/p.txt --tune-cache " + d + "/p.txt" + kCpu);
  EXPECT_EQ(cpu_only.code, 0) << cpu_only.err;
  EXPECT_EQ(convbench::testing::slurp(d + "/p.txt"), "mb1ic3ih10oc4kh3\n");
}

// With several GPUs every record is one GPU's: before, each wrote its output to the same .gpu.npy, and only
// the last GPU's was left.
TEST(Scripting, EachGpuOfSeveralSavesItsOwnOutput) {
  const ScratchDir scratch("gpusave");
  const std::string d = scratch.path;
  const CliResult r = run_cli(
      "mb1ic3ih10oc4kh3 --seed 1 --runs 2 --debug-fake-backends 1 --debug-fake-gpus 1x1x1 "
      "--gpu 0,2 --save-output " +
      d + "/y.npy");
  ASSERT_EQ(r.code, 0) << r.err;
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(d)) files.push_back(e.path().filename().string());
  std::sort(files.begin(), files.end());
  EXPECT_EQ(files, (std::vector<std::string>{"y.cpu.npy", "y.gpu0.npy", "y.gpu2.npy"}));
  for (const std::string& f : files) EXPECT_EQ(read_npy(d + "/" + f, "t").shape, (std::vector<int64_t>{1, 8, 8, 4}));
  const CliResult clash = run_cli("mb1ic3ih10oc4kh3 --debug-fake-gpus 1x1x1 --gpu 0,2 --save-output " + d +
                                  "/y.npy --input-data " + d + "/y.gpu2.npy");
  EXPECT_EQ(clash.code, 2);
  EXPECT_EQ(clash.err, "convbench: error: --save-output's gpu2 file: '" + d + "/y.gpu2.npy' is the same file as " +
                           "--input-data '" + d + "/y.gpu2.npy'; writing it would destroy that input\n");
  // --gpu all names its GPUs only once they are found; the clash is still refused before the run, and the
  // input (of the problem's input shape, 1x10x10x3: the output of a 1x1 filter with 3 channels) is left as
  // it was. Before, GPU 2's output replaced it.
  ASSERT_EQ(run_cli("mb1ic3ih10oc3kh1 --device cpu --seed 1 --runs 2 --save-output " + d + "/z.gpu2.npy").code, 0);
  const std::string before = convbench::testing::slurp(d + "/z.gpu2.npy");
  const CliResult all = run_cli(
      "mb1ic3ih10oc4kh3 --debug-fake-backends 1 --debug-fake-gpus 1x1x1 --gpu all "
      "--save-output " +
      d + "/z.npy --input-data " + d + "/z.gpu2.npy");
  EXPECT_EQ(all.code, 2);
  EXPECT_EQ(all.err, "convbench: error: --save-output's gpu2 file: '" + d + "/z.gpu2.npy' is the same file as " +
                         "--input-data '" + d + "/z.gpu2.npy'; writing it would destroy that input\n");
  EXPECT_EQ(convbench::testing::slurp(d + "/z.gpu2.npy"), before);
}

// A service or `env -i` sets neither XDG_CACHE_HOME nor HOME. Every run then failed with "--tune-cache: ''
// is not valid", a flag nobody gave; now the tuning cache is off, and a run that opens a GPU says so.
TEST(Scripting, WithoutAHomeTheTuningCacheIsOffAndARunWithAGpuSaysSo) {
  const std::string no_home = "env -u HOME -u XDG_CACHE_HOME ";
  const std::string fake_gpu = "mb1ic3ih10oc4kh3 --seed 1 --runs 2 --debug-fake-backends 1 --debug-fake-gpus 1";
  const CliResult gpu = run_cli(fake_gpu, no_home);
  ASSERT_EQ(gpu.code, 0) << gpu.err;
  EXPECT_TRUE(has(gpu.err,
                  "convbench: warning: neither XDG_CACHE_HOME nor HOME is set, so the GPU's engine choices "
                  "are not kept: every run searches again (give --tune-cache FILE to keep them)\n"))
      << gpu.err;
  const CliResult cpu = run_cli("mb1ic3ih10oc4kh3" + kCpu, no_home);
  ASSERT_EQ(cpu.code, 0) << cpu.err;
  EXPECT_FALSE(has(cpu.err, "tune")) << cpu.err;
  const CliResult retune = run_cli(fake_gpu + " --retune", no_home);
  EXPECT_EQ(retune.code, 2);
  EXPECT_EQ(retune.err,
            "convbench: error: --retune: has nothing to overwrite: neither XDG_CACHE_HOME nor HOME is "
            "set, so the tuning cache is off (give --tune-cache FILE)\n");
}

TEST(Scripting, ResultsLostOnStandardOutputAreAnErrorNotExit0) {
  // stdout on a full disk (/dev/full), and closed: before, both exited 0 with the records lost.
  const std::string args = "--batch 2 --format json" + std::string(kCpu);
  const CliResult full = run_cli(args, "sh -c 'exec \"$0\" \"$@\" >/dev/full' ");
  EXPECT_EQ(full.code, 2) << full.err;
  EXPECT_TRUE(has(full.err,
                  "convbench: error: the results could not be written to standard output (No space left "
                  "on device)\n"))
      << full.err;
  const CliResult closed = run_cli(args, "sh -c 'exec \"$0\" \"$@\" >&-' ");
  EXPECT_EQ(closed.code, 2) << closed.err;
  EXPECT_TRUE(has(closed.err,
                  "convbench: error: the results could not be written to standard output (Bad file "
                  "descriptor)\n"))
      << closed.err;
  const CliResult fine = run_cli(args, "sh -c 'exec \"$0\" \"$@\" >/dev/null' ");
  EXPECT_EQ(fine.code, 0) << fine.err;
  // Once a record could not be written there, nothing later could reach stdout either: a list stops after
  // the problem whose record failed (each problem's start is a CONVBENCH_PHASES mark on stderr). It measured
  // all 16 before. With the records in an --output file, the lost table does not stop the run.
  const std::string suite =
      "--suite deepbench-inference-device --rounds 1 --runs 2 --debug-fake-backends 0 --format jsonl";
  const auto problems_started = [](const std::string& err) {
    size_t n = 0;
    for (size_t at = err.find("ms inputs made\n"); at != std::string::npos; at = err.find("ms inputs made\n", at + 1))
      ++n;
    return n;
  };
  const CliResult stopped = run_cli(suite + " --quiet", "CONVBENCH_PHASES=1 sh -c 'exec \"$0\" \"$@\" >/dev/full' ");
  EXPECT_EQ(stopped.code, 2) << stopped.err;
  EXPECT_EQ(problems_started(stopped.err), 1u) << stopped.err;
  const ScratchDir scratch("lostout");
  const CliResult to_file = run_cli(suite + " --output " + scratch.path + "/r.jsonl",
                                    "CONVBENCH_PHASES=1 sh -c 'exec \"$0\" \"$@\" >/dev/full' ");
  EXPECT_EQ(to_file.code, 2) << "the table was lost";
  EXPECT_EQ(problems_started(to_file.err), 16u) << to_file.err;
  EXPECT_EQ(json_lines(convbench::testing::slurp(scratch.path + "/r.jsonl")).size(), 16u);
}

// Started with stdout or stderr closed (`>&-`, `2>&-`), convbench gave that number to the next file it opened,
// --output's temporary file: the table or the warnings were written into the records, and the run exited 0.
TEST(Scripting, AClosedStandardStreamDoesNotLandInTheOutputFile) {
  const ScratchDir scratch("closedstd");
  for (const std::string closed : {">&-", "2>&-"}) {
    SCOPED_TRACE(closed);
    const std::string out = scratch.path + "/r.json";
    const CliResult r =
        run_cli("mb2ic3ih10oc4kh3 --format json --output " + out + kCpu, "sh -c 'exec \"$0\" \"$@\" " + closed + "' ");
    EXPECT_EQ(r.code, closed == ">&-" ? 2 : 0) << "only the table is lost, and only with stdout closed: " << r.err;
    const std::string text = convbench::testing::slurp(out);
    ASSERT_TRUE(nlohmann::json::accept(text)) << text.substr(0, 300);
    EXPECT_EQ(nlohmann::json::parse(text).size(), 1u);
    fs::remove(out);
  }
}

// A stdin that cannot be read (closed with `<&-`, opened write-only, a folder) read as an empty one: "'stdin'
// lists no problems", "holds no records", which hides the cause.
TEST(Scripting, AStdinThatCannotBeReadSaysWhy) {
  const ScratchDir scratch("closedstdin");
  const std::string base = scratch.path + "/base.jsonl";
  ASSERT_EQ(run_cli("mb1ic3ih10oc4kh3 --format jsonl --output " + base + kCpu).code, 0);
  const struct {
    std::string redirect, why;
  } cases[] = {
      {"<&-", "it is closed"}, {"0>/dev/null", "it is not open for reading"}, {"</", "it is a folder, not a file"}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.redirect);
    const std::string wrap = "sh -c 'exec \"$0\" \"$@\" " + c.redirect + "' ";
    const CliResult list = run_cli("--problems -" + kCpu, wrap);
    EXPECT_EQ(list.code, 2);
    EXPECT_EQ(list.err, "convbench: error: --problems: cannot read stdin: " + c.why + "\n");
    EXPECT_EQ(list.out, "");
    const CliResult cmp = run_cli("compare - " + base, wrap);
    EXPECT_EQ(cmp.code, 2);
    EXPECT_EQ(cmp.err, "convbench: error: compare: cannot read stdin: " + c.why + "\n");
    const CliResult fleet = run_cli("fleet -", wrap);
    EXPECT_EQ(fleet.code, 2);
    EXPECT_EQ(fleet.err, "convbench: error: fleet: cannot read stdin: " + c.why + "\n");
  }
}

TEST(Scripting, AFailedRunLeavesNoOutputFile) {
  const ScratchDir scratch("outfail");
  const std::string dir = scratch.path;
  if (!convbench::make_gpu_backend({}).backend) {
    const CliResult g = run_cli("mb1ic3ih10oc4kh3 --device gpu --format json --output " + dir + "/x.json --seed 1");
    EXPECT_EQ(g.code, 5) << g.err;
    EXPECT_TRUE(fs::is_empty(dir)) << "exit 5 left a file";
  }
  Problem p;
  p.n = 1, p.c = 3, p.h = p.w = 10, p.k = 4, p.r = p.s = 3, p.dtype = DType::f16;
  if (!convbench::make_cpu_backend({}).backend->supports(p).ok) {
    const CliResult c =
        run_cli("mb1ic3ih10oc4kh3 --dtype f16 --cpu-dtype f16 --format json --output " + dir + "/y.json" + kCpu);
    EXPECT_EQ(c.code, 4) << c.err;
    EXPECT_TRUE(fs::is_empty(dir)) << "exit 4 left a file";
  }
}

// A device that fails on one problem of a list (a cuDNN or oneDNN failure, out of memory) was the end of the
// run: exit 7 or 3, and no --output file, so a suite lost every record it had measured. The failure is now
// that problem's record, the list goes on, the file is kept, and the exit code and its line still report it.
TEST(Scripting, AFailureOnOneProblemKeepsTheOtherRecordsAndCompareFlagsIt) {
  const ScratchDir scratch("devfail");
  const std::string dir = scratch.path;
  const std::string list = "printf 'mb1ic3ih10oc4kh3\\nmb2ic3ih10oc4kh3\\nmb3ic3ih10oc4kh3\\n' | ";
  const std::string run = "--problems - --format jsonl --seed 1 --quiet --debug-fake-backends 1 --output " + dir;
  const CliResult base = run_cli(run + "/base.jsonl", list);
  ASSERT_EQ(base.code, 0) << base.err;
  const CliResult r = run_cli(run + "/new.jsonl --debug-fake-failure gpu:7:2", list);
  EXPECT_EQ(r.code, 7);
  EXPECT_EQ(r.err, "convbench: error: stdin:2: gpu: fake gpu: scripted a library failure at batch 2\n");
  const auto recs = json_lines(convbench::testing::slurp(dir + "/new.jsonl"));
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[1].at("devices").at("gpu"), nlohmann::json::parse(R"({"ran": false, "exit_code": 7,
                                      "reason": "fake gpu: scripted a library failure at batch 2"})"));
  EXPECT_TRUE(recs[1].at("devices").at("cpu").at("ran").get<bool>());
  EXPECT_TRUE(recs[1].at("speedup").is_null());
  for (const size_t i : {0, 2}) EXPECT_EQ(recs[i].at("speedup").at("value"), 1.0) << i;

  // compare: the GPU measured in base and failed in new is a regression, whatever the medians say.
  const CliResult c = run_cli("compare " + dir + "/base.jsonl " + dir + "/new.jsonl");
  EXPECT_EQ(c.code, 8);
  EXPECT_TRUE(has(c.out,
                  "failed in new: gpu stdin:2: fake gpu: scripted a library failure at batch 2  REGRESSION\n"
                  "5 compared, 0 regressions beyond 5.0% + noise, 1 device failed in new\n"))
      << c.out;
  EXPECT_EQ(c.err, "convbench: error: failed in new: gpu stdin:2: fake gpu: scripted a library failure at batch 2\n");

  // Out of memory on the CPU of a single problem: the GPU's measurement is shown and kept, and the exit is 3.
  const CliResult oom = run_cli(
      "mb2ic3ih10oc4kh3 --seed 1 --debug-fake-backends 1 --debug-fake-failure cpu:3:2 "
      "--format json --output " +
      dir + "/oom.json");
  EXPECT_EQ(oom.code, 3);
  EXPECT_EQ(oom.err, "convbench: error: cpu: fake cpu: scripted out of memory at batch 2\n");
  EXPECT_TRUE(has(oom.out, "cpu: failed: fake cpu: scripted out of memory at batch 2\n")) << oom.out;
  const auto one = nlohmann::json::parse(convbench::testing::slurp(dir + "/oom.json"));
  EXPECT_EQ(one.at(0).at("devices").at("cpu").at("exit_code"), 3);
  EXPECT_TRUE(one.at(0).at("devices").at("gpu").at("ran").get<bool>());
}

// `convbench ... --output FILE | head`: the reader goes away, and the next row written to stdout raises
// SIGPIPE. The process ends by it, as any stage of a pipeline does (exit 141), but before, it left its
// temporary file beside the output. Where SIGPIPE is ignored, the run goes on and keeps its file; the
// lost table is exit 2.
TEST(Scripting, AClosedPipeLeavesNoTemporaryFileAndAnIgnoredOneKeepsTheRecords) {
  for (const std::string ignore : {"", "trap '' PIPE; "}) {
    const ScratchDir scratch("pipe");
    const std::string dir = scratch.path;
    const std::string cmd =
        "(" + ignore + convbench::testing::convbench_binary() +
        " --suite deepbench-inference-device --device cpu --runs 1 --seed 1 --no-verify --format jsonl --output " +
        dir + "/r.jsonl 2>" + dir + "/../pipe.err; echo $? >" + dir + "/../pipe.rc) | head -c 1 >/dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    const std::string rc = convbench::testing::slurp(dir + "/../pipe.rc");
    const std::string err = convbench::testing::slurp(dir + "/../pipe.err");
    if (ignore.empty()) {
      EXPECT_EQ(rc, "141\n") << err;
      EXPECT_TRUE(fs::is_empty(dir)) << "left behind: " << fs::directory_iterator(dir)->path();
    } else {
      EXPECT_EQ(rc, "2\n") << err;
      EXPECT_TRUE(has(err, "the results could not be written to standard output")) << err;
      EXPECT_EQ(read_records(dir + "/r.jsonl", "t").size(), 16u);
    }
  }
}

// Two Ctrl-Cs (or SIGTERMs, or SIGHUPs) more than a second apart end the process at once; the --output
// temporary file must go too.
// Runs are scripted (--debug-fake-backends: each sleeps 3 s) so that both signals land inside one run.
TEST(Scripting, ASecondStopSignalLeavesNoTemporaryFile) {
  const ScratchDir scratch("int2");
  const std::string dir = scratch.path;
  // SIGTERM as Ctrl-C: Slurm sends it again before its SIGKILL.
  for (const auto& [signal, code] :
       {std::pair<std::string, std::string>{"INT", "130\n"}, {"TERM", "143\n"}, {"HUP", "129\n"}}) {
    const std::string cmd = "(" + convbench::testing::convbench_binary() +
                            " mb1ic3ih10oc4kh3 --debug-fake-backends 3000 --seed 1 --runs 2 --format jsonl --output " +
                            dir + "/r.jsonl >" + dir + "/../int2.out 2>&1 </dev/null & p=$!; sleep 1; kill -" + signal +
                            " $p; sleep 1.3; kill -" + signal + " $p; wait $p; echo $? >" + dir + "/../int2.rc)";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    EXPECT_EQ(convbench::testing::slurp(dir + "/../int2.rc"), code) << signal;
    EXPECT_TRUE(fs::is_empty(dir)) << signal << " left behind: " << fs::directory_iterator(dir)->path();
  }
}

// A CI gate must not pass on nothing: an empty baseline, files that share no problem, or a device neither
// file measured is exit 9 with the reason; --format json gives the rows with their labels.
// A baseline saved in the table, CSV or Markdown format cannot be compared; the error said "line 1 is not
// JSON". It now names the format and how to write records instead.
TEST(Scripting, CompareNamesConvbenchsOtherFormatsAndHowToWriteRecords) {
  const ScratchDir scratch("formats");
  const std::string d = scratch.path;
  for (const auto& [format, name] : std::vector<std::pair<std::string, std::string>>{
           {"table", "table"}, {"csv", "CSV"}, {"markdown", "Markdown table"}}) {
    for (const std::string problems : {"mb1ic3ih10oc4kh3", "--problems - --rounds 1"}) {
      const std::string file = d + "/base." + format;
      const CliResult r = run_cli(problems + " --format " + format + kCpu + "--output " + file,
                                  "printf 'mb1ic3ih10oc4kh3\nmb1ic3ih12oc4kh3\n' | ");
      ASSERT_EQ(r.code, 0) << r.err;
      for (const std::string& command : {"compare " + file + " " + file, "fleet " + file}) {
        const CliResult c = run_cli(command);
        EXPECT_EQ(c.code, 2) << command;
        EXPECT_EQ(c.err, "convbench: error: " + command.substr(0, command.find(' ')) + ": '" + file +
                             "' is convbench's " + name +
                             ", not records; write them with --format json or --format "
                             "jsonl\n")
            << command;
      }
    }
  }
}

// `convbench ... --format jsonl | convbench compare base.jsonl -` said "cannot read '-'", while fleet and
// report read `-`; and `fleet - -` read stdin twice, the second time nothing, without a word.
TEST(Scripting, CompareReadsStdinAndNothingReadsItTwice) {
  const ScratchDir scratch("stdin");
  const std::string base = scratch.path + "/base.jsonl";
  const std::string run = "--problems - --format jsonl --rounds 1" + kCpu;
  const std::string list = "printf 'mb1ic3ih10oc4kh3\nmb1ic3ih12oc4kh3\n' | ";
  ASSERT_EQ(run_cli(run + "--output " + base, list).code, 0);
  // The same records on both sides (timing noise would make a fresh run's verdict vary), one through a pipe.
  const std::string cat = "cat " + base + " | ";
  for (const std::string& operands : {base + " -", "- " + base}) {
    const CliResult c = run_cli("compare " + operands, cat);
    EXPECT_EQ(c.code, 0) << operands << "\n" << c.err;
    EXPECT_TRUE(has(c.out, "2 compared, 0 regressions beyond")) << c.out;
  }
  const CliResult both = run_cli("compare - -", cat);
  EXPECT_EQ(both.code, 2);
  EXPECT_EQ(both.err,
            "convbench: error: compare: BASE and NEW cannot both be - (standard input); it can be read once\n");
  for (const std::string command : {"fleet", "report"}) {
    const CliResult twice = run_cli(command + " - - " + (command == "report" ? "--html /dev/null" : ""), cat);
    EXPECT_EQ(twice.code, 2) << command;
    EXPECT_EQ(twice.err,
              "convbench: error: " + command + ": '-' (standard input) is given more than once; it can be read once\n");
  }
}

TEST(Scripting, CompareFailsWhenItComparedNothingAndSpeaksJson) {
  const ScratchDir scratch("cmp0");
  const std::string dir = scratch.path;
  Problem p;
  p.n = 1, p.h = 10, p.w = 10;
  const HostTensors t = make_inputs(p, 1);
  auto record = [&](const Problem& q, const std::string& label) {
    convbench::testing::FakeBackend fake({1, 0.99, 1.0, 1.01}, "cpu");
    RunResult r;
    r.label = label;
    r.problem = q;
    r.devices.push_back({DeviceKind::cpu, measure(fake, q, t, {1, 3}), "", std::nullopt});
    return to_json(r, RunMetadata{}).dump();
  };
  Problem other = p;
  other.k = 8;
  std::ofstream(dir + "/empty.jsonl") << "";
  std::ofstream(dir + "/a.jsonl") << record(p, "list.txt:1") << "\n";
  std::ofstream(dir + "/b.jsonl") << record(other, "list.txt:1") << "\n";
  const CliResult empty = run_cli("compare " + dir + "/empty.jsonl " + dir + "/a.jsonl");
  EXPECT_EQ(empty.code, 9) << empty.out << empty.err;
  EXPECT_EQ(empty.err, "convbench: error: compare: nothing was compared: '" + dir + "/empty.jsonl' holds no records\n");
  const CliResult disjoint = run_cli("compare " + dir + "/a.jsonl " + dir + "/b.jsonl");
  EXPECT_EQ(disjoint.code, 9);
  EXPECT_EQ(disjoint.err,
            "convbench: error: compare: nothing was compared: the files share no problem (1 only in base, 1 only in "
            "new)\n");
  EXPECT_TRUE(has(disjoint.out, "only in base: " + p.describe())) << disjoint.out;
  const CliResult gpu = run_cli("compare " + dir + "/a.jsonl " + dir + "/a.jsonl --device gpu");
  EXPECT_EQ(gpu.code, 9);
  EXPECT_EQ(gpu.err,
            "convbench: error: compare: nothing was compared: no GPU run was measured in both files; --device cpu "
            "compares the 1 CPU run measured in both\n");
  // Measured in both, but one flushed the caches before every run: not like for like, so nothing compared.
  auto cold = nlohmann::json::parse(record(p, "list.txt:1"));
  cold["devices"]["cpu"]["cache"] = "cold";
  std::ofstream(dir + "/cold.jsonl") << cold.dump() << "\n";
  const CliResult unlike = run_cli("compare " + dir + "/a.jsonl " + dir + "/cold.jsonl");
  EXPECT_EQ(unlike.code, 9);
  EXPECT_EQ(unlike.err,
            "convbench: error: compare: nothing was compared: what both files measured, they measured "
            "differently (cpu " +
                p.describe() + ": f32 -> f32, cold cache)\n");
  EXPECT_TRUE(has(unlike.out, "mode changed, not compared: cpu " + p.describe() + ": f32 -> f32, cold cache"))
      << unlike.out;
  const CliResult json = run_cli("compare " + dir + "/a.jsonl " + dir + "/a.jsonl --format json");
  EXPECT_EQ(json.code, 0) << json.err;
  const auto j = nlohmann::json::parse(json.out);
  ASSERT_EQ(j.at("rows").size(), 1u);
  EXPECT_EQ(j.at("rows")[0].at("label"), "list.txt:1");
  EXPECT_EQ(j.at("rows")[0].at("verdict"), "same");
  EXPECT_EQ(j.at("compared"), 1);
}

TEST(Scripting, RecordsSayWhereTheyRanAndOutputNamesExpandPerTask) {
  const ScratchDir scratch("where");
  const std::string dir = scratch.path;
  const CliResult r = run_cli("mb1ic3ih10oc4kh3 --format jsonl --output " + dir + "/r-{host}-{rank}-{job}.jsonl" + kCpu,
                              "SLURM_JOB_ID=4242 SLURM_PROCID=3 CUDA_VISIBLE_DEVICES=1 ");
  ASSERT_EQ(r.code, 0) << r.err;
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  const std::string file = dir + "/r-" + host + "-3-4242.jsonl";
  ASSERT_TRUE(std::filesystem::exists(file)) << file;
  const auto recs = read_records(file, "t");
  ASSERT_EQ(recs.size(), 1u);
  const auto& meta = recs[0].at("metadata");
  EXPECT_EQ(meta.at("host"), host);
  EXPECT_EQ(meta.at("scheduler").at("SLURM_JOB_ID"), "4242");
  EXPECT_EQ(meta.at("scheduler").at("SLURM_PROCID"), "3");
  EXPECT_EQ(meta.at("scheduler").at("CUDA_VISIBLE_DEVICES"), "1");
  EXPECT_FALSE(meta.at("scheduler").contains("PMIX_RANK"));
  const std::string clean =
      "env -u SLURM_JOB_ID -u PBS_JOBID -u LSB_JOBID -u SLURM_PROCID -u OMPI_COMM_WORLD_RANK -u PMIX_RANK -u PMI_RANK ";
  // Under MPICH's or Intel MPI's launcher (PMI_RANK alone) in a PBS job: the rank and the job from them.
  const CliResult pbs = run_cli("mb1ic3ih10oc4kh3 --format jsonl --output " + dir + "/m-{rank}-{job}.jsonl" + kCpu,
                                clean + "PMI_RANK=6 PBS_JOBID=77.server ");
  ASSERT_EQ(pbs.code, 0) << pbs.err;
  ASSERT_TRUE(std::filesystem::exists(dir + "/m-6-77.server.jsonl"));
  const auto pbs_meta = read_records(dir + "/m-6-77.server.jsonl", "t")[0].at("metadata");
  EXPECT_EQ(pbs_meta.at("scheduler").at("PMI_RANK"), "6");
  EXPECT_EQ(pbs_meta.at("scheduler").at("PBS_JOBID"), "77.server");
  // Outside a scheduler: rank 0, job "local", and an empty scheduler object.
  const CliResult plain =
      run_cli("mb1ic3ih10oc4kh3 --format jsonl --output " + dir + "/p-{rank}-{job}.jsonl" + kCpu, clean);
  ASSERT_EQ(plain.code, 0) << plain.err;
  EXPECT_TRUE(std::filesystem::exists(dir + "/p-0-local.jsonl"));
  // A '/' in a variable stays inside the file name instead of leading to another folder.
  const CliResult slash =
      run_cli("mb1ic3ih10oc4kh3 --format jsonl --output " + dir + "/s-{job}.jsonl" + kCpu, clean + "PBS_JOBID=../x ");
  ASSERT_EQ(slash.code, 0) << slash.err;
  EXPECT_TRUE(std::filesystem::exists(dir + "/s-.._x.jsonl"));
}

TEST(Scripting, FleetFlagsTheOneSlowTaskOfFour) {
  // Four tasks as Slurm would start them (one rank each, a file each through {rank}), on scripted backends
  // whose runs sleep 20 ms, except rank 2's: 23 ms, 15% slower.
  const ScratchDir scratch("fleet");
  const std::string dir = scratch.path;
  for (int rank = 0; rank < 4; ++rank) {
    const CliResult r = run_cli("mb1ic3ih10oc4kh3 --seed 1 --runs 5 --format jsonl --quiet --debug-fake-backends " +
                                    std::string(rank == 2 ? "23" : "20") + " --output " + dir + "/r-{job}-{rank}.jsonl",
                                "SLURM_JOB_ID=99 SLURM_PROCID=" + std::to_string(rank) + " ");
    ASSERT_EQ(r.code, 0) << r.err;
  }
  const std::string files = dir + "/r-99-0.jsonl " + dir + "/r-99-1.jsonl " + dir + "/r-99-2.jsonl " + dir +
                            "/r-99-3.jsonl";
  const CliResult fleet = run_cli("fleet " + files + " --expect-nodes 4");
  EXPECT_EQ(fleet.code, 19) << fleet.out << fleet.err;
  EXPECT_EQ(fleet.err, "convbench: error: fleet: 1 straggler\n");
  size_t flagged = 0;
  std::stringstream lines(fleet.out);
  for (std::string line; std::getline(lines, line);)
    if (has(line, "STRAGGLER")) {
      ++flagged;
      EXPECT_TRUE(has(line, ":2 ")) << line;
    }
  EXPECT_EQ(flagged, 1u) << fleet.out;
  const CliResult from_stdin = run_cli("fleet - --format json", "cat " + files + " | ");
  EXPECT_EQ(from_stdin.code, 19) << from_stdin.err;
  const auto j = nlohmann::json::parse(from_stdin.out);
  EXPECT_EQ(j.at("stragglers"), 1);
  EXPECT_EQ(j.at("nodes").size(), 4u);
  const CliResult missing = run_cli("fleet " + dir + "/r-99-0.jsonl " + dir + "/r-99-1.jsonl --expect-nodes 4");
  EXPECT_EQ(missing.code, 19);
  EXPECT_EQ(missing.err, "convbench: error: fleet: expected 4 nodes, found 2\n");
}

TEST(Scripting, EveryGpuOfANodeGetsARecordAndTheSlowOneIsFlagged) {
  // Four scripted GPUs whose runs take 20 ms, except GPU 2's: 23 ms, 15% slower.
  const ScratchDir scratch("gpus");
  const std::string dir = scratch.path;
  const std::string common = "mb1ic3ih10oc4kh3 --seed 1 --runs 5 --debug-fake-backends 20 ";
  const CliResult r = run_cli(common + "--debug-fake-gpus 20x20x23x20 --gpu all --format jsonl --output " + dir +
                              "/all.jsonl");
  ASSERT_EQ(r.code, 0) << r.err << "\nflagged only, without --fail-on-straggler";
  const auto recs = read_records(dir + "/all.jsonl", "t");
  ASSERT_EQ(recs.size(), 4u) << "one record per GPU";
  for (size_t g = 0; g < recs.size(); ++g) {
    EXPECT_EQ(recs[g].at("gpu_index"), g);
    EXPECT_EQ(recs[g].at("straggler").get<bool>(), g == 2) << g;
    EXPECT_EQ(recs[g].at("metadata").at("gpu_uuid"), "GPU-fake-" + std::to_string(g));
    EXPECT_EQ(recs[g].at("metadata").at("gpu_pci_bus_id"), "0000:0" + std::to_string(g + 1) + ":00.0");
    // The CPU ran once: every record carries the very same CPU runs.
    EXPECT_EQ(recs[g].at("devices").at("cpu").at("samples_ms"), recs[0].at("devices").at("cpu").at("samples_ms"));
  }
  EXPECT_NEAR(recs[2].at("gpu_deviation").get<double>(), 0.15, 0.02);
  // The table: a row per GPU with its deviation, SLOW on the straggler only.
  size_t slow = 0;
  std::stringstream lines(r.out);
  for (std::string line; std::getline(lines, line);)
    if (has(line, "SLOW") && !has(line, "SLOW =")) {
      ++slow;
      EXPECT_EQ(line.rfind("gpu2 +15.", 0), 0u) << line;
    }
  EXPECT_EQ(slow, 1u) << r.out;
  const CliResult gate = run_cli(common + "--debug-fake-gpus 20x20x23x20 --gpu all --fail-on-straggler");
  EXPECT_EQ(gate.code, 19) << gate.out;
  EXPECT_TRUE(has(gate.err, "convbench: error: gpu 2: 15.")) << gate.err;
  EXPECT_TRUE(has(gate.err, "% slower than the node's median GPU\n")) << gate.err;
  const CliResult equal = run_cli(common + "--debug-fake-gpus 20x20x20x20 --gpu all --fail-on-straggler");
  EXPECT_EQ(equal.code, 0) << equal.out << equal.err;
  EXPECT_FALSE(has(equal.out, "SLOW")) << equal.out;
  // A list picks GPUs; fleet reads the per-GPU records and flags the same GPU.
  const CliResult some = run_cli(common + "--debug-fake-gpus 20x20x23x20 --gpu 0,2 --format jsonl");
  ASSERT_EQ(some.code, 0) << some.err;
  EXPECT_EQ(json_lines(some.out).size(), 2u);
  EXPECT_EQ(json_lines(some.out).at(1).at("gpu_index"), 2);
  const CliResult fleet = run_cli("fleet " + dir + "/all.jsonl");
  EXPECT_EQ(fleet.code, 19) << fleet.out;
  EXPECT_TRUE(has(fleet.out, "/gpu2")) << fleet.out;
  EXPECT_EQ(run_cli("--gpu 1,1").err, "convbench: error: --gpu: '1,1' is not valid; expected each GPU once\n");
}

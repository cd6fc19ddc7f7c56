#include <gtest/gtest.h>
#include <sched.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "backends/onednn/onednn_backend.hpp"
#include "cli/command_line.hpp"
#include "convbench/descriptor.hpp"
#include "convbench/error.hpp"
#include "convbench/system.hpp"
#include "convbench/tune_cache.hpp"
#include "scratch_dir.hpp"

using namespace convbench;

namespace {

/// The parsed command, seen as run options or a text reply.
struct Parsed {
  std::optional<RunOptions> options;
  std::string text;
};

Parsed parse(std::vector<std::string> args) {
  args.insert(args.begin(), "convbench");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  const Command c = parse_command_line(static_cast<int>(argv.size()), argv.data());
  Parsed p;
  if (const auto* o = std::get_if<RunOptions>(&c)) p.options = *o;
  if (const auto* t = std::get_if<TextReply>(&c)) p.text = t->text;
  return p;
}

RunOptions options(const std::vector<std::string>& args) {
  auto r = parse(args);
  EXPECT_TRUE(r.options.has_value());
  return r.options.value_or(RunOptions{});
}

/// The single problem the command line describes.
Problem problem_of(const std::vector<std::string>& args) {
  const RunOptions o = options(args);
  EXPECT_EQ(o.problems.size(), 1u);
  return o.problems.empty() ? Problem() : o.problems.front().problem;
}

/// The one-line message of the UsageError that parsing throws, or "" when it succeeds.
std::string error_of(const std::vector<std::string>& args) {
  try {
    parse(args);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::usage) << e.what();
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Options, NoArgumentsIsTheSeedExperiment) {
  const RunOptions o = options({});
  ASSERT_EQ(o.problems.size(), 1u);
  EXPECT_EQ(o.problems.front().problem, Problem());
  EXPECT_EQ(o.harness.runs, 10);
  EXPECT_EQ(o.harness.warmup, 1);
  EXPECT_EQ(o.device, DeviceSelection::all);
  EXPECT_EQ(o.backend.threads, 0);
  EXPECT_TRUE(o.verify);
}

TEST(Options, EveryFlagIsParsed) {
  const RunOptions o =
      options({"--batch",    "8",         "--input", "32x30x16",   "--filter", "24x3x5x8", "--stride",
               "2x1",        "--padding", "1x2",     "--dilation", "2",        "--groups", "2",
               "--layout",   "nchw",      "--dtype", "bf16",       "--runs",   "3",        "--warmup",
               "2",          "--device",  "cpu",     "--threads",  "1",        "--seed",   "18446744073709551615",
               "--no-verify"});
  ASSERT_EQ(o.problems.size(), 1u);
  const Problem& p = o.problems.front().problem;
  EXPECT_EQ(p.n, 8);
  EXPECT_EQ(p.h, 32);
  EXPECT_EQ(p.w, 30);
  EXPECT_EQ(p.c, 16);
  EXPECT_EQ(p.k, 24);
  EXPECT_EQ(p.r, 3);
  EXPECT_EQ(p.s, 5);
  EXPECT_EQ(p.stride_h, 2);
  EXPECT_EQ(p.stride_w, 1);
  EXPECT_EQ(p.pad_top, 1);
  EXPECT_EQ(p.pad_bottom, 1);
  EXPECT_EQ(p.pad_left, 2);
  EXPECT_EQ(p.pad_right, 2);
  EXPECT_EQ(p.dil_h, 2);
  EXPECT_EQ(p.dil_w, 2);
  EXPECT_EQ(p.groups, 2);
  EXPECT_EQ(p.layout, Layout::nchw);
  EXPECT_EQ(p.dtype, DType::bf16);
  EXPECT_EQ(o.harness.runs, 3);
  EXPECT_EQ(o.harness.warmup, 2);
  EXPECT_EQ(o.device, DeviceSelection::cpu);
  EXPECT_EQ(o.backend.threads, 1);
  EXPECT_EQ(o.seed, 18446744073709551615ull);
  EXPECT_FALSE(o.verify);
}

TEST(Options, GpuFlags) {
  const RunOptions d = options({});
  EXPECT_EQ(d.backend.algo, AlgoSearch::automatic);
  EXPECT_EQ(d.backend.workspace_limit, -1);
  EXPECT_EQ(d.backend.gpu_index, 0);
  EXPECT_FALSE(d.backend.include_transfers);
  const RunOptions o =
      options({"--algo", "exhaustive", "--workspace-limit", "1048576", "--gpu", "1", "--include-transfers"});
  EXPECT_EQ(o.backend.algo, AlgoSearch::exhaustive);
  EXPECT_EQ(o.backend.workspace_limit, 1048576);
  EXPECT_EQ(o.backend.gpu_index, 1);
  EXPECT_TRUE(o.backend.include_transfers);
  EXPECT_EQ(options({"--algo", "heuristic"}).backend.algo, AlgoSearch::heuristic);
  EXPECT_EQ(error_of({"--algo", "fastest"}), "--algo: 'fastest' is not valid; expected auto, heuristic or exhaustive");
  EXPECT_EQ(error_of({"--workspace-limit", "1GB"}),
            "--workspace-limit: '1GB' is not valid; expected a whole number from 0 to 9223372036854775807");
  EXPECT_EQ(error_of({"--gpu", "-1"}), "--gpu: '-1' is not valid; expected all, or GPU indices from 0 to 1023 joined by commas, e.g. 0,2,3");
}

TEST(Options, TuningCacheFlags) {
  const RunOptions d = options({});
  EXPECT_EQ(d.backend.tune_cache, TuneCache::default_path());
  EXPECT_FALSE(d.backend.retune);
  const RunOptions o = options({"--tune-cache", "/tmp/t.json", "--retune"});
  EXPECT_EQ(o.backend.tune_cache, "/tmp/t.json");
  EXPECT_TRUE(o.backend.retune);
  EXPECT_EQ(options({"--tune-cache", "off"}).backend.tune_cache, "");
  EXPECT_EQ(error_of({"--tune-cache", ""}), "--tune-cache: '' is not valid; expected a file path or off");
  EXPECT_EQ(error_of({"--tune-cache", "off", "--retune"}), "--retune: has nothing to overwrite with --tune-cache off");
}

TEST(Options, SamePaddingFollowsTensorFlow) {
  // 7x7 over 100x100, stride 2: out = 50, total padding = 49*2 + 7 - 100 = 5 → 2 before, 3 after.
  const Problem p = problem_of({"--padding", "same", "--stride", "2"});
  EXPECT_EQ(p.out_h(), 50);
  EXPECT_EQ(p.pad_top, 2);
  EXPECT_EQ(p.pad_bottom, 3);
  EXPECT_EQ(p.pad_left, 2);
  EXPECT_EQ(p.pad_right, 3);
  // An input that the stride does not divide: out = ceil(101/2) = 51 and ceil(99/2) = 50; total padding
  // 50*2 + 3 - 101 = 2 and 49*2 + 3 - 99 = 2.
  const Problem odd = problem_of({"--input", "101x99x3", "--filter", "8x3x3", "--padding", "same", "--stride", "2"});
  EXPECT_EQ(odd.out_h(), 51);
  EXPECT_EQ(odd.out_w(), 50);
  EXPECT_EQ(odd.pad_top + odd.pad_bottom, 2);
  EXPECT_EQ(odd.pad_left, 1);
  const Problem q = problem_of({"--padding", "same"});
  EXPECT_EQ(q.out_h(), 100);
  EXPECT_EQ(q.pad_top, 3);
  const Problem a = problem_of({"--padding", "1x2x3x4"});
  EXPECT_EQ(a.pad_top, 1);
  EXPECT_EQ(a.pad_bottom, 2);
  EXPECT_EQ(a.pad_left, 3);
  EXPECT_EQ(a.pad_right, 4);
}

TEST(Options, DescribeParsesBackToTheSameProblem) {
  const Problem p =
      problem_of({"--batch", "3", "--input", "17x9x12", "--filter", "6x3x2", "--stride", "2x3", "--padding", "1x0x2x1",
                  "--dilation", "1x2", "--groups", "3", "--layout", "nchw", "--dtype", "f16"});
  std::vector<std::string> args;
  const std::string d = p.describe();
  for (size_t i = 0, j; i < d.size(); i = j + 1) {
    j = d.find(' ', i);
    if (j == std::string::npos) j = d.size();
    args.push_back(d.substr(i, j - i));
  }
  EXPECT_EQ(problem_of(args), p);
}

TEST(Options, ZeroNegativeAndNonNumericSizes) {
  EXPECT_EQ(error_of({"--batch", "0"}), "--batch: '0' is not valid; expected a whole number from 1 to 2147483647");
  EXPECT_EQ(error_of({"--batch=-5"}), "--batch: '-5' is not valid; expected a whole number from 1 to 2147483647");
  EXPECT_EQ(error_of({"--batch", "ten"}), "--batch: 'ten' is not valid; expected a whole number from 1 to 2147483647");
  EXPECT_EQ(error_of({"--batch", "1.5"}), "--batch: '1.5' is not valid; expected a whole number from 1 to 2147483647");
  EXPECT_EQ(error_of({"--batch", "9999999999999999999"}),
            "--batch: '9999999999999999999' is not valid; expected a whole number from 1 to 2147483647");
  EXPECT_EQ(error_of({"--batch", " 5"}), "--batch: ' 5' is not valid; expected a whole number from 1 to 2147483647");
  EXPECT_EQ(error_of({"--batch", "+5"}), "--batch: '+5' is not valid; expected a whole number from 1 to 2147483647");
  EXPECT_EQ(error_of({"--batch", "99999999999999999999"}),
            "--batch: '99999999999999999999' is not valid; expected a whole number from 1 to 2147483647");
  EXPECT_EQ(error_of({"--runs", "0"}), "--runs: '0' is not valid; expected a whole number from 1 to 1000000");
  EXPECT_EQ(error_of({"--warmup", "0"}), "--warmup: '0' is not valid; expected a whole number from 1 to 1000000");
  EXPECT_EQ(error_of({"--groups", "0"}), "--groups: '0' is not valid; expected a whole number from 1 to 2147483647");
  EXPECT_EQ(error_of({"--seed", "x1"}),
            "--seed: 'x1' is not valid; expected a whole number from 0 to 18446744073709551615");
  EXPECT_EQ(error_of({"--seed", "18446744073709551616"}),
            "--seed: '18446744073709551616' is not valid; expected a whole number from 0 to 18446744073709551615");
}

TEST(Options, MalformedShapes) {
  const std::string input = "is not valid; expected HxWxC, whole numbers from 1 to 2147483647 joined by 'x'";
  EXPECT_EQ(error_of({"--input", "100x100"}), "--input: '100x100' " + input);
  EXPECT_EQ(error_of({"--input", "100x0x3"}), "--input: '100x0x3' " + input);
  EXPECT_EQ(error_of({"--input", "100xx3"}), "--input: '100xx3' " + input);
  EXPECT_EQ(error_of({"--input", "100X100X3"}), "--input: '100X100X3' " + input);
  EXPECT_EQ(error_of({"--input", "100x100x3x"}), "--input: '100x100x3x' " + input);
  EXPECT_EQ(error_of({"--filter", "32x7"}),
            "--filter: '32x7' is not valid; expected KxRxS or KxRxSxC, whole numbers from 1 to 2147483647 joined by "
            "'x'");
  EXPECT_EQ(error_of({"--stride", "1x2x3"}),
            "--stride: '1x2x3' is not valid; expected S or SHxSW, whole numbers from 1 to 2147483647 joined by 'x'");
  EXPECT_EQ(error_of({"--dilation", "0"}),
            "--dilation: '0' is not valid; expected D or DHxDW, whole numbers from 1 to 2147483647 joined by 'x'");
  EXPECT_EQ(error_of({"--padding", "-1"}),
            "--padding: '-1' is not valid; expected valid, same, P, PHxPW or PTxPBxPLxPR with whole numbers");
  EXPECT_EQ(error_of({"--padding", "1x2x3"}),
            "--padding: '1x2x3' is not valid; expected valid, same, P, PHxPW or PTxPBxPLxPR, whole numbers from 0 "
            "to 2147483647 joined by 'x'");
}

TEST(Options, FilterLargerThanThePaddedInput) {
  EXPECT_EQ(error_of({"--input", "5x100x3"}),
            "--filter: the 7x7 filter (extent 7x7 with dilation) is larger than the padded 5x100 input, so the output "
            "would be empty");
  EXPECT_EQ(error_of({"--input", "9x9x3", "--dilation", "2"}),
            "--filter: the 7x7 filter (extent 13x13 with dilation) is larger than the padded 9x9 input, so the output "
            "would be empty");
  EXPECT_EQ(error_of({"--input", "5x5x3", "--padding", "1"}), "");
}

TEST(Options, FilterChannelsMustMatchTheInput) {
  EXPECT_EQ(error_of({"--filter", "32x7x7x4"}),
            "--filter: '32x7x7x4' has 4 input channels, but the input has 3 channels and 1 group, so the filter "
            "needs 3");
  EXPECT_EQ(error_of({"--input", "10x10x8", "--filter", "8x3x3x8", "--groups", "2"}),
            "--filter: '8x3x3x8' has 8 input channels, but the input has 8 channels and 2 groups, so the filter "
            "needs 4");
  EXPECT_EQ(error_of({"--input", "10x10x8", "--filter", "8x3x3x4", "--groups", "2"}), "");
  EXPECT_EQ(error_of({"--input", "10x10x2", "--filter", "8x3x3x1"}),
            "--filter: '8x3x3x1' has 1 input channel, but the input has 2 channels and 1 group, so the filter "
            "needs 2");
}

TEST(Options, ChannelsNotDivisibleByGroups) {
  EXPECT_EQ(error_of({"--groups", "2"}), "--groups: 2 does not divide the input's 3 channels");
  EXPECT_EQ(error_of({"--input", "10x10x1", "--filter", "4x3x3", "--groups", "2"}),
            "--groups: 2 does not divide the input's 1 channel");
  EXPECT_EQ(error_of({"--input", "10x10x4", "--filter", "6x3x3", "--groups", "4"}),
            "--groups: 4 does not divide the filter count 6");
}

TEST(Options, UnknownDtypeLayoutAndDevice) {
  EXPECT_EQ(error_of({"--dtype", "fp8"}), "--dtype: 'fp8' is not valid; expected f32, tf32, bf16 or f16");
  EXPECT_EQ(error_of({"--layout", "NWHC"}), "--layout: 'NWHC' is not valid; expected nhwc or nchw");
  EXPECT_EQ(error_of({"--device", "tpu"}), "--device: 'tpu' is not valid; expected cpu, gpu or all");
}

TEST(Options, ThreadsAreBoundedByTheUsableCpus) {
  const int cpus = usable_cpus();
  const std::string too_many = std::to_string(cpus + 1);
  EXPECT_EQ(error_of({"--threads", too_many}),
            "--threads: '" + too_many + "' is not valid; expected a whole number from 1 to " + std::to_string(cpus));
  EXPECT_EQ(error_of({"--threads", "0"}),
            "--threads: '0' is not valid; expected a whole number from 1 to " + std::to_string(cpus));
}

// The record's affinity ("cpus 0-3,6") lists exactly the CPUs this process may run on, neighbours as ranges.
TEST(System, TheAffinityTextListsExactlyTheCpusThisProcessMayUse) {
  cpu_set_t set;
  ASSERT_EQ(sched_getaffinity(0, sizeof set, &set), 0);
  std::set<int> allowed;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
    if (CPU_ISSET(cpu, &set)) allowed.insert(cpu);
  const std::string text = affinity_text();
  std::set<int> listed;
  int previous_last = -2;  // no CPU listed yet
  std::istringstream items(text);
  for (std::string item; std::getline(items, item, ',');) {
    const size_t dash = item.find('-');
    const int first = std::stoi(item.substr(0, dash));
    const int last = dash == std::string::npos ? first : std::stoi(item.substr(dash + 1));
    if (dash != std::string::npos) {
      ASSERT_LT(first, last) << text;
    }
    EXPECT_GT(first, previous_last + 1) << "neighbours not joined: " << text;
    for (int cpu = first; cpu <= last; ++cpu) listed.insert(cpu);
    previous_last = last;
  }
  EXPECT_EQ(listed, allowed) << text;
}

TEST(Options, ParserErrorsSpeakInTheProjectsOneForm) {
  EXPECT_EQ(error_of({"--bacth", "3"}), "--bacth: not a flag of convbench; did you mean --batch?");
  EXPECT_EQ(error_of({"--bogus"}), "--bogus: not a flag of convbench; see convbench --help");
  EXPECT_EQ(error_of({"check", "--al"}), "--al: not a flag of convbench check; did you mean --all?");
  EXPECT_EQ(error_of({"--runs", "2", "--runs", "3"}), "--runs: given more than once ('2', then '3'); give it once");
  EXPECT_EQ(error_of({"--batch"}), "--batch: no value given; expected N");
  EXPECT_EQ(error_of({"compare"}), "compare: needs two result files, BASE and NEW; none was given");
  EXPECT_EQ(error_of({"compare", "a.jsonl"}), "compare: needs two result files, BASE and NEW; only BASE was given");
  // Whatever else is required says what it is, from its help, rather than only its name.
  EXPECT_EQ(error_of({"report"}), "report: needs FILES: result files (json or jsonl), or - for stdin; none was given");
  EXPECT_EQ(error_of({"fleet", "--device", "cpu"}),
            "fleet: needs FILES: result files (json or jsonl), or - for stdin; none was given");
  EXPECT_EQ(error_of({"report", "a.json"}),
            "--html OUT.html is required: the page to write, atomically; see convbench report --help");
  // report's --html is also --output, the run's name for its file; given by both names, both values are named.
  EXPECT_EQ(error_of({"report", "a.json", "--output", "a.html", "--html=b.html"}),
            "--html: given more than once ('a.html', then 'b.html'); give it once");
  EXPECT_EQ(error_of({"compare", "a", "b", "c"}), "compare: 'c' is one file too many; compare takes two, BASE and NEW");
  EXPECT_EQ(error_of({"compare", "a", "b", "c", "d"}),
            "compare: 'c' is one file too many; compare takes two, BASE and NEW");
  EXPECT_EQ(error_of({"compare", "a", "b", "-"}), "compare: '-' is one file too many; compare takes two, BASE and NEW");
  EXPECT_EQ(error_of({"mb1ic3ih10oc4kh3", "extra1", "extra2"}), "'extra1' is not expected here; see convbench --help");
  EXPECT_EQ(error_of({"--batch", "2", "junk", "--bogus", "x"}),
            "--bogus: not a flag of convbench; see convbench --help");
  EXPECT_EQ(error_of({"chek"}), "unknown command 'chek'; did you mean check?");
  EXPECT_EQ(error_of({"comapre"}), "unknown command 'comapre'; did you mean compare?");
  EXPECT_EQ(error_of({"frobnicate"}),
            "unknown command 'frobnicate'; the commands are check, suites, compare, peak, fleet and report, and a problem "
            "descriptor has sizes, e.g. mb100ic3ih100oc32kh7");
  EXPECT_EQ(error_of({"suites", "extra"}), "'extra' is not expected here; see convbench suites --help");
}

TEST(Options, ChoiceWordsAreReadInAnyCase) {
  // As TensorFlow (padding='SAME', data_format='NCHW') and cuDNN write them; records keep the canonical word.
  const RunOptions upper = options(
      {"--layout", "NCHW", "--padding", "SAME",       "--dtype",  "BF16", "--device", "CPU", "--format",    "JSON",
       "--cache",  "COLD", "--algo",    "Exhaustive", "--rounds", "AUTO", "--gpu",    "ALL", "--cpu-dtype", "F32"});
  const RunOptions lower = options(
      {"--layout", "nchw", "--padding", "same",       "--dtype",  "bf16", "--device", "cpu", "--format",    "json",
       "--cache",  "cold", "--algo",    "exhaustive", "--rounds", "auto", "--gpu",    "all", "--cpu-dtype", "f32"});
  ASSERT_EQ(upper.problems.size(), 1u);
  EXPECT_EQ(upper.problems[0].problem, lower.problems[0].problem);
  EXPECT_EQ(upper.problems[0].problem.pad_top, 3);
  EXPECT_EQ(upper.device, DeviceSelection::cpu);
  EXPECT_EQ(upper.format, Format::json);
  EXPECT_EQ(upper.harness.cache, CacheMode::cold);
  EXPECT_EQ(upper.backend.algo, AlgoSearch::exhaustive);
  EXPECT_EQ(upper.rounds, lower.rounds);
  EXPECT_EQ(upper.gpus, lower.gpus);
  EXPECT_EQ(upper.cpu_dtype, lower.cpu_dtype);
  EXPECT_EQ(problem_of({"--padding", "Valid"}).pad_top, 0);
  // A refusal quotes what was typed; a path is a path in any case.
  EXPECT_EQ(error_of({"--layout", "NCWH"}), "--layout: 'NCWH' is not valid; expected nhwc or nchw");
  EXPECT_EQ(error_of({"--padding", "SAM"}),
            "--padding: 'SAM' is not valid; expected valid, same, P, PHxPW or PTxPBxPLxPR with whole numbers");
  EXPECT_EQ(options({"--tune-cache", "OFF"}).backend.tune_cache, "OFF");
  // The other commands' choices too.
  EXPECT_EQ(error_of({"check", "--format", "JSON"}), "");
  EXPECT_EQ(error_of({"compare", "a", "b", "--format", "JSON", "--device", "GPU"}), "");
  EXPECT_EQ(error_of({"fleet", "a", "--format", "CSV", "--device", "CPU"}), "");
}

TEST(Options, DtypesAreReadByPyTorchsTensorFlowsAndNumPysNamesToo) {
  for (const auto& [name, d] : std::vector<std::pair<std::string, DType>>{{"float32", DType::f32},
                                                                          {"FP32", DType::f32},
                                                                          {"float16", DType::f16},
                                                                          {"fp16", DType::f16},
                                                                          {"half", DType::f16},
                                                                          {"bfloat16", DType::bf16},
                                                                          {"BFloat16", DType::bf16}}) {
    EXPECT_EQ(problem_of({"--dtype", name}).dtype, d) << name;
    EXPECT_EQ(options({"--cpu-dtype", name}).cpu_dtype, d) << name;
  }
  // Only names that say their width: "float" and 64-bit types are refused, quoted as typed.
  EXPECT_EQ(error_of({"--dtype", "float"}), "--dtype: 'float' is not valid; expected f32, tf32, bf16 or f16");
  EXPECT_EQ(error_of({"--dtype", "FP64"}), "--dtype: 'FP64' is not valid; expected f32, tf32, bf16 or f16");
  EXPECT_EQ(error_of({"--cpu-dtype", "int8"}),
            "--cpu-dtype: 'int8' is not valid; expected auto, fastest, f32, tf32, bf16 or f16");
}

TEST(Options, CpuDtypeFastestChoosesByTimeAndIsNotAForcedMode) {
  for (const char* word : {"fastest", "Fastest", "FASTEST"}) {
    const RunOptions o = options({"--dtype", "bf16", "--cpu-dtype", word});
    EXPECT_TRUE(o.cpu_fastest) << word;
    EXPECT_FALSE(o.cpu_dtype) << word;
  }
  EXPECT_FALSE(options({"--dtype", "bf16"}).cpu_fastest);
  EXPECT_FALSE(options({"--cpu-dtype", "f32"}).cpu_fastest);
  EXPECT_EQ(error_of({"--device", "gpu", "--cpu-dtype", "fastest"}), "--cpu-dtype: has no effect with --device gpu");
}

TEST(Options, ADeepBenchTupleWithoutSpacesIsTheProblem) {
  EXPECT_EQ(problem_of({"151,40,1,1,32,20,5,8,8,8,2", "--layout", "nchw"}),
            parse_descriptor("mb1ic1ih40iw151oc32kh5kw20sh2sw8ph8pw8", DType::f32, Layout::nchw));
  EXPECT_EQ(error_of({"151,40,1,1,32,20,5,8,8,8,2", "--batch", "4"}),
            "descriptor '151,40,1,1,32,20,5,8,8,8,2' and shape flags (--batch, --input, --filter, --stride, --padding, "
            "--dilation, --groups) cannot be combined; give one or the other");
}

TEST(Options, FlagsOfOtherToolsAreAnsweredWithConvbenchsSpelling) {
  // nvbench, hyperfine, google/benchmark and benchdnn: one flag at a time, the value given carried over.
  EXPECT_EQ(
      error_of({"--devices", "0"}),
      "--devices: not a flag of convbench; nvbench's --devices 0 is --gpu 0 in convbench (--device picks cpu, gpu "
      "or all)");
  EXPECT_EQ(error_of({"--json", "r.json"}),
            "--json: not a flag of convbench; nvbench's --json r.json is --format json --output r.json in convbench");
  EXPECT_EQ(error_of({"--export-csv"}),
            "--export-csv: not a flag of convbench; hyperfine's --export-csv FILE is --format csv --output FILE in "
            "convbench");
  EXPECT_EQ(
      error_of({"--style", "basic"}),
      "--style: not a flag of convbench; hyperfine's --style is not needed: convbench draws its progress bar only "
      "on a terminal, and --quiet leaves only data and errors");
  EXPECT_EQ(
      error_of({"--benchmark_repetitions=3"}),
      "--benchmark_repetitions: not a flag of convbench; google/benchmark's --benchmark_repetitions 3 is --rounds "
      "3 in convbench");
  EXPECT_EQ(error_of({"mb8ic3ih32oc8kh3", "--mb=8"}),
            "--mb: not a flag of convbench; benchdnn's --mb 8 is --batch 8 in convbench");
  EXPECT_EQ(error_of({"--dir=FWD_I", "mb8ic3ih32oc8kh3"}),
            "--dir: not a flag of convbench; benchdnn's --dir is not needed: convbench measures forward inference "
            "(FWD_I) only");
  // The usual one-letter flags get convbench's long ones; a one-letter flag of MIOpenDriver's alone is not
  // taken for its command line (-v is verbose there, not MIOpenDriver's vertical stride).
  EXPECT_EQ(error_of({"-v"}), "-v: not a flag of convbench; -v is --verbose in convbench");
  EXPECT_EQ(error_of({"--device", "cpu", "-q"}), "-q: not a flag of convbench; -q is --quiet in convbench");
  EXPECT_EQ(error_of({"-o", "r.json"}), "-o: not a flag of convbench; -o r.json is --output r.json in convbench");
  EXPECT_EQ(error_of({"-w", "3"}), "-w: not a flag of convbench; hyperfine's -w 3 is --warmup 3 in convbench");
  EXPECT_EQ(error_of({"-d", "1"}), "-d: not a flag of convbench; nvbench's -d 1 is --gpu 1 in convbench");
  EXPECT_EQ(error_of({"-n", "10"}),
            "-n: not a flag of convbench; its only one-letter flag is -h; see convbench --help");
  EXPECT_EQ(error_of({"-z"}), "-z: not a flag of convbench; its only one-letter flag is -h; see convbench --help");
  // A near miss that is another tool's flag is answered as that flag, not as the typo it resembles.
  EXPECT_EQ(error_of({"--device", "0"}),
            "--device: '0' is not valid; expected cpu, gpu or all; a GPU by its index is --gpu 0");
  // benchdnn's --batch names a file of problems; said only when the value is a file.
  convbench::testing::ScratchDir dir("other-tools");
  const std::string shapes = dir.path + "/shapes_resnet_50";
  std::ofstream(shapes) << "mb1ic3ih10oc4kh3\n";
  EXPECT_EQ(error_of({"--batch", shapes}),
            "--batch: '" + shapes +
                "' is not valid; expected a whole number from 1 to 2147483647; benchdnn's "
                "--batch=FILE is --problems FILE in convbench");
  EXPECT_EQ(error_of({"--batch", "abc"}), "--batch: 'abc' is not valid; expected a whole number from 1 to 2147483647");

  // Every convbench flag those answers name is one of convbench's.
  const std::string help = parse({"--help"}).text;
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"--devices"},
                                             {"--json"},
                                             {"--csv"},
                                             {"--md"},
                                             {"--min-samples"},
                                             {"--export-json"},
                                             {"--export-csv"},
                                             {"--export-markdown"},
                                             {"--min-runs"},
                                             {"--max-runs"},
                                             {"--style"},
                                             {"--benchmark_format"},
                                             {"--benchmark_out"},
                                             {"--benchmark_repetitions"},
                                             {"--mb"},
                                             {"--dt"},
                                             {"--cfg"},
                                             {"--stag"},
                                             {"--wtag"},
                                             {"--dtag"},
                                             {"--dir"},
                                             {"--mode"},
                                             {"--conv"},
                                             {"-v"},
                                             {"-q"},
                                             {"-V"},
                                             {"-o"},
                                             {"-w"},
                                             {"-r"},
                                             {"-m"},
                                             {"-M"},
                                             {"-d"},
                                             {"-n", "2", "-c", "8", "-s", "1", "-V", "0", "-i", "3"}}) {
    const std::string e = error_of(args);
    const std::string answer = e.substr(e.find("; ") + 2);
    ASSERT_NE(answer.find("convbench"), std::string::npos) << e;
    std::istringstream words(answer);
    for (std::string w; words >> w;) {
      if (w.rfind("--", 0) != 0 || w == args[0]) continue;
      while (!w.empty() && (w.back() == ')' || w.back() == ',')) w.pop_back();
      EXPECT_NE(help.find("  " + w + " "), std::string::npos) << w << " in: " << e;
    }
  }
}

TEST(Options, MiopenDriverCommandLinesAreRewrittenForConvbench) {
  // Every shape flag of MIOpenDriver conv, each axis different, so that a swapped pair (its filter height is
  // -y and width -x) shows: the rewrite must describe the problem benchdnn's descriptor does, in NCHW.
  const std::vector<std::string> miopen = {"conv", "-n", "10", "-c", "64", "-H", "56", "-W", "28", "-k", "32",
                                           "-y",   "3",  "-x", "5",  "-p", "1",  "-q", "2",  "-u", "2",  "-v",
                                           "1",    "-l", "1",  "-j", "2",  "-g", "2",  "-F", "1",  "-t", "1"};
  const std::string e = error_of(miopen);
  EXPECT_EQ(e,
            "-n: not a flag of convbench; these are MIOpenDriver conv's flags; in convbench: convbench --batch 10 "
            "--input 56x28x64 --filter 32x3x5 --stride 2x1 --padding 1x2 --dilation 1x2 --groups 2 --layout nchw");
  std::istringstream words(e.substr(e.find("in convbench: convbench ") + 24));
  std::vector<std::string> rewritten;
  for (std::string w; words >> w;) rewritten.push_back(w);
  EXPECT_EQ(problem_of(rewritten), problem_of({"mb10g2ic64ih56iw28oc32kh3kw5sh2sw1ph1pw2dh0dw1", "--layout", "nchw"}));

  // What is not given takes MIOpenDriver's default (32x32 images, 3x3 filters), not convbench's; the data type
  // comes from the command word; convbench's own flags are kept.
  EXPECT_EQ(
      error_of({"convfp16", "-n", "1", "-c", "8", "-I", "NHWC", "-s", "1", "-V", "0", "-i", "20", "--device", "cpu"}),
      "-n: not a flag of convbench; these are MIOpenDriver conv's flags; in convbench: convbench --batch 1 --input "
      "32x32x8 --filter 32x3x3 --layout nhwc --dtype f16 --runs 20 --algo exhaustive --no-verify --device cpu");
  // What convbench cannot do is named, never dropped in silence.
  EXPECT_EQ(error_of({"--in_h", "7", "-F", "2", "-b", "1", "-m", "trans"}),
            "--in_h: not a flag of convbench; these are MIOpenDriver conv's flags; in convbench: convbench --batch 100 "
            "--input 7x32x3 --filter 32x3x3 --layout nchw (convbench times forward inference only, and has nothing for "
            "-b 1, -F 2, -m trans)");
  // Two shape letters with whole numbers read as MIOpenDriver's line whatever comes first, -v included.
  EXPECT_EQ(error_of({"-v", "2", "-n", "4"}),
            "-v: not a flag of convbench; these are MIOpenDriver conv's flags; in convbench: convbench --batch 4 "
            "--input 32x32x3 --filter 32x3x3 --stride 1x2 --layout nchw");
  // A subcommand is not convbench itself: its own near miss, as before.
  EXPECT_EQ(error_of({"check", "--devices", "0"}),
            "--devices: not a flag of convbench check; see convbench check --help");
}

TEST(Options, HelpFitsIn100ColumnsAndNamesEachCommand) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--help"}, {"check", "--help"}, {"compare", "--help"}, {"suites", "--help"}, {"peak", "--help"}}) {
    const std::string text = parse(args).text;
    size_t start = 0;
    while (start < text.size()) {
      const size_t nl = std::min(text.find('\n', start), text.size());
      EXPECT_LE(nl - start, 100u) << args[0] << ": " << text.substr(start, nl - start);
      start = nl + 1;
    }
    if (args.size() == 2) {
      EXPECT_NE(text.find("Usage: convbench " + args[0] + " [OPTIONS]"), std::string::npos) << text;
      EXPECT_EQ(text.find("Exit codes:\n"), std::string::npos) << "the table is printed once, by convbench --help";
      EXPECT_NE(text.find("Exit codes: see convbench --help."), std::string::npos) << text;
    }
  }
  const std::string compare = parse({"compare", "--help"}).text;
  EXPECT_NE(compare.find("Usage: convbench compare [OPTIONS] BASE NEW\n"), std::string::npos) << compare;
  EXPECT_EQ(compare.find("REQUIRED"), std::string::npos) << compare;
  EXPECT_EQ(compare.find("BASE BASE"), std::string::npos) << compare;
}

TEST(Options, HelpDocumentsEveryFlagDefaultAndExitCode) {
  const auto r = parse({"--help"});
  ASSERT_FALSE(r.options.has_value());
  for (const char* s : {"--batch",
                        "--input",
                        "--filter",
                        "--stride",
                        "--padding",
                        "--dilation",
                        "--groups",
                        "--layout",
                        "--dtype",
                        "--runs",
                        "--warmup",
                        "--device",
                        "--threads",
                        "--seed",
                        "--no-verify",
                        "--version",
                        "--gpu",
                        "--algo",
                        "--workspace-limit",
                        "--include-transfers",
                        "--tune-cache",
                        "--retune",
                        "default auto",
                        "default 100",
                        "default 100x100x3",
                        "default 32x7x7",
                        "default nhwc",
                        "default f32",
                        "default 10",
                        "default all",
                        "Exit codes:",
                        "130"})
    EXPECT_NE(r.text.find(s), std::string::npos) << s;
}

TEST(Options, VersionNamesConvbenchAndOneDnn) {
  const auto r = parse({"--version"});
  ASSERT_FALSE(r.options.has_value());
  EXPECT_EQ(r.text.rfind(std::string("convbench ") + CONVBENCH_VERSION + "\n", 0), 0u) << r.text;
  EXPECT_NE(r.text.find(convbench::onednn_version()), std::string::npos) << r.text;
}

TEST(HostFacts, AvailableMemoryIsKnownWithoutProc) {
  const uint64_t with_proc = available_memory_bytes();
  const uint64_t without = available_memory_bytes("/nonexistent/meminfo");  // as in a root without /proc
  EXPECT_GT(with_proc, 0u);
  EXPECT_GT(without, 0u);
  // sysinfo's free + buffers is a lower bound of MemAvailable (the page cache is not counted); allow for
  // memory freed between the two calls.
  EXPECT_LE(without, with_proc + (uint64_t{256} << 20));
}

TEST(HostFacts, ColourHonoursNoColorAndDumbTerminals) {
  const char* no_color = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  const std::string saved_no_color = no_color ? no_color : "", saved_term = term ? term : "";
  unsetenv("NO_COLOR");
  setenv("TERM", "xterm-256color", 1);
  EXPECT_TRUE(colour_allowed());
  setenv("NO_COLOR", "1", 1);
  EXPECT_FALSE(colour_allowed());
  unsetenv("NO_COLOR");
  setenv("TERM", "dumb", 1);
  EXPECT_FALSE(colour_allowed());
  if (no_color) setenv("NO_COLOR", saved_no_color.c_str(), 1);
  if (term)
    setenv("TERM", saved_term.c_str(), 1);
  else
    unsetenv("TERM");
}

TEST(Options, GpuOnlyFlagsWithDeviceCpuAreWarnedAbout) {
  const RunOptions o = options({"--device", "cpu", "--algo", "heuristic", "--include-transfers"});
  EXPECT_EQ(o.warnings,
            (std::vector<std::string>{"--algo applies to the GPU only; ignored with --device cpu",
                                      "--include-transfers applies to the GPU only; ignored with --device cpu"}));
  EXPECT_TRUE(options({"--algo", "heuristic"}).warnings.empty());
  // The straggler flags compare several GPUs: not the CPU, and not one GPU.
  EXPECT_EQ(options({"--device", "cpu", "--fail-on-straggler"}).warnings,
            std::vector<std::string>{"--fail-on-straggler applies to the GPU only; ignored with --device cpu"});
  EXPECT_EQ(options({"--gpu", "2", "--straggler-threshold", "0.1"}).warnings,
            std::vector<std::string>{"--straggler-threshold compares several GPUs (--gpu all, or a list such as "
                                     "0,1); ignored with the one GPU --gpu 2"});
  EXPECT_EQ(options({"--fail-on-straggler"}).warnings,
            std::vector<std::string>{"--fail-on-straggler compares several GPUs (--gpu all, or a list such as 0,1); "
                                     "ignored with the one GPU --gpu 0"});
  EXPECT_TRUE(options({"--gpu", "all", "--fail-on-straggler"}).warnings.empty());
  EXPECT_TRUE(options({"--gpu", "0,1", "--straggler-threshold", "0.1"}).warnings.empty());
}

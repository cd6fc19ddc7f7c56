// Problem lists: flags and descriptors per line, comments, the command line's defaults, line-numbered errors.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "cli/problem_flags.hpp"
#include "convbench/descriptor.hpp"
#include "convbench/error.hpp"

using namespace convbench;

TEST(ProblemList, FlagsDescriptorsCommentsAndDefaults) {
  std::istringstream in(
      "# a comment\n\n--batch 3 --input 10x10x3 --filter 4x3x3\nmb2ic8ih12oc8kh3ph1 # with a comment\n"
      "--input 9x9x3 --filter 2x3x3 --dtype bf16\n");
  ProblemFlags d;
  d.batch = "7";
  d.layout = "nchw";
  const auto list = read_problem_list(in, "list.txt", d);
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].label, "list.txt:3");
  EXPECT_EQ(list[0].problem.n, 3);
  EXPECT_EQ(list[0].problem.layout, Layout::nchw);  // a default from the command line
  EXPECT_EQ(list[1].label, "list.txt:4");
  EXPECT_EQ(list[1].problem, parse_descriptor("mb2ic8ih12oc8kh3ph1", DType::f32, Layout::nchw));
  EXPECT_EQ(list[2].problem.n, 7);
  EXPECT_EQ(list[2].problem.dtype, DType::bf16);
}

TEST(ProblemList, ErrorsNameTheLine) {
  auto error_of = [](const std::string& text) {
    std::istringstream in(text);
    try {
      read_problem_list(in, "p.txt", {});
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ExitCode::usage);
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(error_of("--batch 2\n\n--batch 0\n"),
            "p.txt:3: --batch: '0' is not valid; expected a whole number from 1 to 2147483647");
  EXPECT_EQ(error_of("# ok\nmb2ic3oc4kh3\n"),
            "p.txt:2: descriptor 'mb2ic3oc4kh3' is not valid: 'ih' or 'iw' is required");
  EXPECT_EQ(error_of("--runs 5\n"),
            "p.txt:1: --runs: not a flag of a problem line; a line takes only --batch, --input, --filter, --stride, "
            "--padding, --dilation, --groups, --layout and --dtype");
  EXPECT_EQ(error_of("--bacth 5\n"), "p.txt:1: --bacth: not a flag of a problem line; did you mean --batch?");
  EXPECT_EQ(error_of("--batch 5 --batch 6\n"), "p.txt:1: --batch: given more than once ('5', then '6'); give it once");
  EXPECT_EQ(error_of("mb2ic3ih10oc4kh3 --batch 4\n"),
            "p.txt:1: descriptor 'mb2ic3ih10oc4kh3' and shape flags (--batch, --input, --filter, --stride, --padding, "
            "--dilation, --groups) cannot be combined; give one or the other");
  EXPECT_EQ(error_of("# nothing\n"), "--problems: 'p.txt' lists no problems");
  // A flag of the command line with its value: the flag is named, not its value (CLI11 lists the value first).
  EXPECT_EQ(error_of("mb1ic3ih10oc4kh3 --output x.json\n"),
            "p.txt:1: --output: not a flag of a problem line; a line takes only --batch, --input, --filter, --stride, "
            "--padding, --dilation, --groups, --layout and --dtype");
  // Another tool's single flag on a line is answered as any flag a line does not take: --batch 4 beside a
  // descriptor would be refused too.
  EXPECT_EQ(error_of("mb1ic3ih10oc4kh3 --mb=4\n"),
            "p.txt:1: --mb: not a flag of a problem line; a line takes only --batch, --input, --filter, --stride, "
            "--padding, --dilation, --groups, --layout and --dtype");
  EXPECT_EQ(error_of("--batch 2 -v\n"),
            "p.txt:1: -v: not a flag of a problem line; a line takes only --batch, --input, --filter, --stride, "
            "--padding, --dilation, --groups, --layout and --dtype");
  // MIOpenDriver's conv line (a file of its commands) is rewritten as a line, MIOpenDriver's defaults filled in;
  // what belongs to the whole run is named for the command line, and what convbench cannot do is named.
  const std::string miopen = error_of("conv -n 2 -c 3 -H 10 -W 12 -k 4 -y 3 -x 5 -u 2 -p 1\n");
  EXPECT_EQ(miopen,
            "p.txt:1: -n: not a flag of a problem line; these are MIOpenDriver conv's flags; as a problem line: "
            "--batch 2 --input 10x12x3 --filter 4x3x5 --stride 2x1 --padding 1x0 --layout nchw");
  std::istringstream rewritten(miopen.substr(miopen.find("as a problem line: ") + 19) + "\n");
  const auto read = read_problem_list(rewritten, "rewritten", {});
  ASSERT_EQ(read.size(), 1u);
  EXPECT_EQ(format_descriptor(read[0].problem), "g1mb2ic3ih10iw12oc4kh3kw5sh2sw1ph1pw0dh0dw0");
  EXPECT_EQ(read[0].problem.layout, Layout::nchw);
  EXPECT_EQ(error_of("./bin/MIOpenDriver convfp16 -n 2 -c 8 -i 5 -s 1 -F 2\n"),
            "p.txt:1: -n: not a flag of a problem line; these are MIOpenDriver conv's flags; as a problem line: "
            "--batch 2 --input 32x32x8 --filter 32x3x3 --layout nchw --dtype f16; with --runs 5 --algo exhaustive on "
            "the command line (convbench times forward inference only, and has nothing for -F 2)");
  EXPECT_EQ(error_of("mb1ic3ih10oc4kh3 one two\n"),
            "p.txt:1: 'one' is not expected here; a line takes only --batch, --input, --filter, --stride, --padding, "
            "--dilation, --groups, --layout and --dtype");
}

TEST(ProblemList, DeepBenchLinesAreReadAsConvProblemsWritesThem) {
  // A stretch of DeepBench's conv_problems.h as it is: its // comments, a commented-out problem, a comment
  // after a problem, and the last problem closing the set. The command line's --dtype and --layout apply.
  std::istringstream in(
      "// Vector saves w, h, c, n, k, filter_w(s), filter_h(r), pad_w, pad_h, wstride, hstride\n"
      "    //std::make_tuple(1, 2, 3),\n"
      "    std::make_tuple(151, 40, 1, 1, 32, 20, 5, 8, 8, 8, 2),  // speech\n"
      "    std::make_tuple(112, 112, 64, 1, 64, 1, 1, 0, 0, 1, 1)};\n"
      "mb1ic64ih56iw56oc256kh1kw1\n");
  ProblemFlags defaults;
  defaults.dtype = "f16";
  defaults.layout = "nchw";
  const auto list = read_problem_list(in, "conv_problems.h", defaults);
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].label, "conv_problems.h:3");
  EXPECT_EQ(list[0].problem, parse_descriptor("mb1ic1ih40iw151oc32kh5kw20sh2sw8ph8pw8", DType::f16, Layout::nchw));
  EXPECT_EQ(list[1].problem, parse_descriptor("mb1ic64ih112iw112oc64kh1kw1", DType::f16, Layout::nchw));
  EXPECT_EQ(list[2].problem, parse_descriptor("mb1ic64ih56iw56oc256kh1kw1", DType::f16, Layout::nchw));
  std::istringstream bad("std::make_tuple(7, 7, 512)\n");
  try {
    read_problem_list(bad, "p.txt", {});
    ADD_FAILURE() << "a short tuple was read";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "p.txt:1: DeepBench problem 'std::make_tuple(7, 7, 512)' is not valid: expected 11 whole numbers (W, H, "
              "C, N, K, S, R, pad_w, pad_h, stride_w, stride_h), found 3");
  }
}

TEST(ProblemList, ChoiceWordsAreReadInAnyCase) {
  std::istringstream in("--batch 2 --input 8x8x3 --filter 4x3x3 --padding SAME --layout NCHW --dtype float16\n");
  const auto list = read_problem_list(in, "p.txt", {});
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].problem, parse_descriptor("mb2ic3ih8oc4kh3ph1", DType::f16, Layout::nchw));
}

TEST(ProblemList, AByteOrderMarkCarriageReturnsAndTabsAreWhitespace) {
  // As Windows Notepad saves a file: a UTF-8 byte order mark, CRLF line ends; and tabs between words.
  std::istringstream in("\xEF\xBB\xBFmb1ic3ih10oc4kh3\r\n\r\n  # c\r\n\t--batch 2\t--filter 4x3x3 --dtype f16\r\n");
  const auto list = read_problem_list(in, "list.txt", {});
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].problem, parse_descriptor("mb1ic3ih10oc4kh3", DType::f32, Layout::nhwc));
  EXPECT_EQ(list[1].label, "list.txt:4");
  EXPECT_EQ(list[1].problem.n, 2);
  EXPECT_EQ(list[1].problem.dtype, DType::f16);
}

TEST(ProblemList, DescriptorLinesTakeTheCommandLinesBatch) {
  std::istringstream in("ic3ih32oc8kh3\nmb4ic3ih32oc8kh3\n");
  ProblemFlags d;
  d.batch = "8";
  d.batch_given = true;  // `--batch 8` on the command line
  const auto list = read_problem_list(in, "list.txt", d);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].problem.n, 8);
  EXPECT_EQ(list[1].problem.n, 4);  // the line's own mb wins
  std::istringstream again("ic3ih32oc8kh3\n");
  EXPECT_EQ(read_problem_list(again, "list.txt", ProblemFlags{}).front().problem.n, 2);  // benchdnn's default
}

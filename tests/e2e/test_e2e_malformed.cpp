// Table-driven: malformed flags, descriptors, problem files, .npy files and output paths. Each must give
// exactly one line on stderr, its documented exit code, no crash and no partial output file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "run_cli.hpp"
#include "scratch_dir.hpp"

using convbench::testing::CliResult;
using convbench::testing::run_cli;
namespace fs = std::filesystem;

namespace {

struct Case {
  std::string args;     ///< $IN is replaced by the inputs folder
  int code;             ///< the documented exit code
  std::string message;  ///< expected after "convbench: error: " ($IN replaced); a trailing '*' means a prefix
  std::string stdin_text = "";
  bool with_output = true;  ///< add --output into a fresh folder, which must stay empty
  int timeout_s = 0;        ///< when not 0: run under timeout(1), for an input that was once read without end
};

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

const std::string kWhole = "is not valid; expected a whole number from ";
const std::string kShape = "whole numbers from 1 to 2147483647 joined by 'x'";

const std::vector<Case> kCases = {
    // Flags
    {"--batch 0", 2, "--batch: '0' " + kWhole + "1 to 2147483647"},
    {"--batch -1", 2, "--batch: '-1' " + kWhole + "1 to 2147483647"},
    {"--batch abc", 2, "--batch: 'abc' " + kWhole + "1 to 2147483647"},
    {"--batch 1e3", 2, "--batch: '1e3' " + kWhole + "1 to 2147483647"},
    {"--batch", 2, "--batch: no value given; expected N", "", false},
    {"--input 100x100", 2, "--input: '100x100' is not valid; expected HxWxC, " + kShape},
    {"--input 0x100x3", 2, "--input: '0x100x3' is not valid; expected HxWxC, " + kShape},
    {"--input 100x100x3x1", 2, "--input: '100x100x3x1' is not valid; expected HxWxC, " + kShape},
    {"--input x", 2, "--input: 'x' is not valid; expected HxWxC, " + kShape},
    {"--filter 32", 2, "--filter: '32' is not valid; expected KxRxS or KxRxSxC, " + kShape},
    {"--filter 32x7x7x4", 2,
     "--filter: '32x7x7x4' has 4 input channels, but the input has 3 channels and 1 group, so the filter needs 3"},
    {"--input 4x4x3", 2,
     "--filter: the 7x7 filter (extent 7x7 with dilation) is larger than the padded 4x4 input, so the output would be "
     "empty"},
    {"--stride 0", 2, "--stride: '0' is not valid; expected S or SHxSW, " + kShape},
    {"--stride 1x2x3", 2, "--stride: '1x2x3' is not valid; expected S or SHxSW, " + kShape},
    {"--padding=-1", 2,
     "--padding: '-1' is not valid; expected valid, same, P, PHxPW or PTxPBxPLxPR with whole numbers"},
    {"--padding 1x2x3", 2,
     "--padding: '1x2x3' is not valid; expected valid, same, P, PHxPW or PTxPBxPLxPR, whole numbers from 0 to "
     "2147483647 joined by 'x'"},
    {"--padding same2", 2,
     "--padding: 'same2' is not valid; expected valid, same, P, PHxPW or PTxPBxPLxPR with whole numbers"},
    {"--dilation 0", 2, "--dilation: '0' is not valid; expected D or DHxDW, " + kShape},
    {"--groups 2", 2, "--groups: 2 does not divide the input's 3 channels"},
    {"--groups 0", 2, "--groups: '0' " + kWhole + "1 to 2147483647"},
    {"--layout NWHC", 2, "--layout: 'NWHC' is not valid; expected nhwc or nchw"},
    {"--dtype fp64", 2, "--dtype: 'fp64' is not valid; expected f32, tf32, bf16 or f16"},
    {"--device tpu", 2, "--device: 'tpu' is not valid; expected cpu, gpu or all"},
    {"--runs 0", 2, "--runs: '0' " + kWhole + "1 to 1000000"},
    {"--warmup 0", 2, "--warmup: '0' " + kWhole + "1 to 1000000"},
    {"--threads 0", 2, "--threads: '0' " + kWhole + "1 to *"},
    {"--seed=-5", 2, "--seed: '-5' is not valid; expected a whole number from 0 to 18446744073709551615"},
    {"--algo best", 2, "--algo: 'best' is not valid; expected auto, heuristic or exhaustive"},
    {"--workspace-limit=-1", 2, "--workspace-limit: '-1' " + kWhole + "0 to 9223372036854775807"},
    {"--cache warm", 2, "--cache: 'warm' is not valid; expected hot or cold"},
    {"--format xml", 2, "--format: 'xml' is not valid; expected table, json, jsonl, csv or markdown"},
    {"--frobnicate", 2, "--frobnicate: not a flag of convbench; see convbench --help"},
    {"--require-gpu --device cpu", 2, "--require-gpu: cannot be combined with --device cpu"},
    // Descriptors
    {"mb2ic3oc4kh3", 2, "descriptor 'mb2ic3oc4kh3' is not valid: 'ih' or 'iw' is required"},
    {"mb2ic3ih10oc4kh3zz", 2, "descriptor 'mb2ic3ih10oc4kh3zz' is not valid: unknown key at 'zz'"},
    {"mb2ic3ih10oc4kh3sh0", 2, "descriptor 'mb2ic3ih10oc4kh3sh0' is not valid: 'sh' must be at least 1"},
    {"g2mb1ic3ih10oc4kh3", 2,
     "descriptor 'g2mb1ic3ih10oc4kh3' is not valid: --groups: 2 does not divide the input's 3 channels"},
    {"mb2ic3ih10oc4kh3 --batch 4", 2, "descriptor 'mb2ic3ih10oc4kh3' and shape flags *"},
    {"mb2ic3ih10oc4kh3 --suite resnet50", 2, "descriptor 'mb2ic3ih10oc4kh3' cannot be combined with --suite"},
    // Problem files and suites
    {"--problems $IN/missing.txt", 2, "--problems: '$IN/missing.txt' is not valid; cannot open that file"},
    {"--problems $IN", 2, "--problems: '$IN' is not valid; it is a folder, not a file"},
    {"--problems $IN/bad.txt", 2, "$IN/bad.txt:2: --batch: '0' " + kWhole + "1 to 2147483647"},
    {"--problems $IN/bad-descriptor.txt", 2,
     "$IN/bad-descriptor.txt:3: descriptor 'mb2ic3ih10' is not valid: 'oc' is required"},
    {"--problems -", 2, "--problems: 'stdin' lists no problems", "# nothing here\n"},
    // An endless or binary source given by mistake: read without end into memory until 2026-11 (the
    // timeout's exit 124, or the kernel's kill, fails the case); now the first control byte or the length ends it.
    {"--problems /dev/zero", 2,
     "/dev/zero:1: not text (byte 0x00 at column 1); a problem list is text, a problem per line", "", true, 10},
    {"--problems $IN/control.txt", 2,
     "$IN/control.txt:2: not text (byte 0x01 at column 10); a problem list is text, a problem per line"},
    {"--problems $IN/long-line.txt", 2,
     "$IN/long-line.txt:1: the line is longer than 1048576 bytes; a problem list holds a problem per line"},
    {"--problems - --suite resnet50", 2, "--problems and --suite cannot be combined; give one"},
    {"--suite nope", 2, "--suite: 'nope' is not valid; expected one of deepbench-training*"},
    {"--suite resnet50 --stride 2", 2, "--suite: shape flags *"},
    {"--suite resnet50 --batch 0", 2, "--batch: '0' is not valid; expected a whole number from 1 to 2147483647"},
    // .npy files
    {"--input-data $IN/missing.npy", 2, "--input-data: cannot read '$IN/missing.npy': no such file"},
    {"--input-data $IN", 2, "--input-data: cannot read '$IN': not a regular file"},
    {"--input-data $IN/text.npy", 2, "--input-data: '$IN/text.npy': not a .npy file (bad magic)"},
    {"--input-data $IN/i8.npy --batch 1 --input 2x2x1 --filter 1x1x1", 2,
     "--input-data: '$IN/i8.npy': dtype '<i8' is not supported; use little-endian float32 ('<f4'), float64 ('<f8') "
     "or float16 ('<f2')"},
    {"--input-data $IN/short.npy --batch 1 --input 2x2x1 --filter 1x1x1", 2,
     "--input-data: '$IN/short.npy': the data is 8 bytes, but shape (1, 2, 2, 1) of <f4 needs 16"},
    {"--weights-data $IN/ok.npy --batch 1 --input 2x2x1 --filter 2x1x1", 2,
     "--weights-data: '$IN/ok.npy' has shape (1, 2, 2, 1), but the weights of this problem (nhwc layout) needs (2, 1, "
     "1, 1)"},
    {"--input-data $IN/ok.npy --suite resnet50", 2, "--input-data: works with a single problem, not a list or suite"},
    // Output paths
    {"mb1ic1ih4oc1kh1 --device cpu --format json --output /nonexistent-dir/r.json", 2,
     "--output: cannot write '/nonexistent-dir/r.json': No such file or directory", "", false},
    {"mb1ic1ih4oc1kh1 --device cpu --output $IN/ok.npy/r.json", 2,
     "--output: cannot write '$IN/ok.npy/r.json': Not a directory", "", false},
    {"mb1ic1ih4oc1kh1 --device cpu --save-output /nonexistent-dir/y.npy", 2,
     "--save-output: cannot write '/nonexistent-dir/y.npy': No such file or directory"},
    // Resources
    {"--batch 2147483647 --input 1000x1000x3 --device cpu", 3, "the problem needs about *"},
    {"--batch 2147483647 --input 2147483647x2147483647x3", 3, "input element count overflows 64 bits"},
    // Subcommands
    {"compare $IN/missing.json $IN/missing.json", 2, "compare: cannot read '$IN/missing.json': no such file", "",
     false},
    {"compare $IN $IN", 2, "compare: cannot read '$IN': it is a folder, not a file", "", false},
    {"compare /dev/zero $IN/label-number.json", 2,
     "compare: '/dev/zero' is not text (byte 0x00 at byte 1); records are JSON, as --format json or jsonl writes them",
     "", false, 10},
    {"fleet /dev/urandom", 2, "fleet: '/dev/urandom' is not text (byte 0x*", "", false, 10},
    {"report --html $IN/page.html $IN/binary.json", 2,
     "report: '$IN/binary.json' is not text (byte 0x1b at byte 18); records are JSON, as --format json or jsonl "
     "writes them",
     "", false},
    // A record edited by hand: an optional field of the wrong type was an "internal error" (exit 1).
    {"compare $IN/label-number.json $IN/label-number.json", 2,
     "compare: '$IN/label-number.json' record 1: not a record as convbench writes it "
     "([json.exception.type_error.302] type must be string, but is number)",
     "", false},
    {"fleet $IN/label-number.json", 2, "fleet: record 1: not a record as convbench writes it *", "", false},
    {"compare $IN/text.npy $IN/text.npy", 2, "compare: '$IN/text.npy' line 1 is not JSON *", "", false},
    {"compare a b --threshold x", 2,
     "--threshold: 'x' is not valid; expected a fraction from 0 to 10, e.g. 0.05 for 5%", "", false},
    {"check --timeout abc", 2,
     "--timeout: 'abc' is not valid; expected seconds, a number greater than 0 and at most 600", "", false},
};

void write_npy_header(std::ofstream& f, const std::string& dict) {
  std::string h = dict + "\n";
  f << std::string("\x93NUMPY\x01\x00", 8) << static_cast<char>(h.size()) << '\0' << h;
}

}  // namespace

TEST(Malformed, EveryBadInputGetsOneLineItsExitCodeAndNoOutputFile) {
  ASSERT_GE(kCases.size(), 40u);
  const convbench::testing::ScratchDir scratch("malformed");
  const std::string in = scratch.path + "/in";
  fs::create_directories(in);
  std::ofstream(in + "/bad.txt") << "--batch 2\n--batch 0\n";
  std::ofstream(in + "/bad-descriptor.txt") << "# header\nmb2ic3ih10oc4kh3\nmb2ic3ih10\n";
  std::ofstream(in + "/text.npy") << "this is not numpy\n";
  std::ofstream(in + "/control.txt") << "--batch 1\n--batch 2\x01\n";
  std::ofstream(in + "/long-line.txt") << std::string((size_t{1} << 20) + 1, 'x') << "\n";
  std::ofstream(in + "/binary.json") << R"({"schema_version")"
                                     << "\x1b[2J\n";
  std::ofstream(in + "/label-number.json") << R"({"schema_version": 2, "label": 5})"
                                           << "\n";
  {
    std::ofstream f(in + "/i8.npy", std::ios::binary);
    write_npy_header(f, "{'descr': '<i8', 'fortran_order': False, 'shape': (1, 2, 2, 1), }");
    f << std::string(32, '\0');
  }
  {
    std::ofstream f(in + "/short.npy", std::ios::binary);
    write_npy_header(f, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 2, 1), }");
    f << std::string(8, '\0');
  }
  {
    std::ofstream f(in + "/ok.npy", std::ios::binary);
    write_npy_header(f, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 2, 1), }");
    f << std::string(16, '\0');
  }
  int i = 0;
  for (const Case& c : kCases) {
    const std::string out = scratch.path + "/out" + std::to_string(++i);
    fs::create_directories(out);
    std::string args = replace_all(c.args, "$IN", in);
    if (c.with_output) args += " --output " + out + "/result.json";
    std::string prefix = c.stdin_text.empty() ? "" : "printf '" + c.stdin_text + "' | ";
    if (c.timeout_s > 0) {
      prefix += "timeout " + std::to_string(c.timeout_s) + " ";
      if (c.stdin_text.empty()) args += " </dev/null";
    }
    const CliResult r = run_cli(args, prefix);
    SCOPED_TRACE(args);
    EXPECT_EQ(r.code, c.code) << r.err;
    EXPECT_LT(r.code, 128) << "crashed";
    ASSERT_FALSE(r.err.empty());
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "one line: " << r.err;
    const std::string prefix_text = "convbench: error: ";
    ASSERT_EQ(r.err.rfind(prefix_text, 0), 0u) << r.err;
    const std::string got = r.err.substr(prefix_text.size(), r.err.size() - prefix_text.size() - 1);
    const std::string want = replace_all(c.message, "$IN", in);
    if (!want.empty() && want.back() == '*') {
      EXPECT_EQ(got.rfind(want.substr(0, want.size() - 1), 0), 0u) << got;
    } else {
      EXPECT_EQ(got, want);
    }
    EXPECT_TRUE(fs::is_empty(out)) << "a partial output file was left";
    fs::remove_all(out);
  }
}

// README.md against the tool, so that the two cannot drift apart: every command in its `sh` blocks runs
// and exits as documented, every example output block is today's output (numbers and this machine's CPU
// and kernel names aside), every flag of every --help and every exit code is documented, and the package
// list is the one scripts/setup.sh installs.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "convbench/registry.hpp"
#include "run_cli.hpp"
#include "scratch_dir.hpp"

using convbench::testing::CliResult;
using convbench::testing::has;
using convbench::testing::run_cli;

namespace {

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const std::string& readme() {
  static const std::string text = read(std::string(CONVBENCH_SOURCE_DIR) + "/README.md");
  return text;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string line; std::getline(ss, line);) out.push_back(line);
  return out;
}

struct Block {
  std::string tag;       ///< "sh", or empty for an output block
  std::string before;    ///< the last non-empty line before the fence
  std::string body;
};

std::vector<Block> fenced_blocks() {
  std::vector<Block> blocks;
  const auto lines = lines_of(readme());
  std::string before;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind("```", 0) != 0) {
      if (!lines[i].empty()) before = lines[i];
      continue;
    }
    Block b{lines[i].substr(3), before, ""};
    for (++i; i < lines.size() && lines[i].rfind("```", 0) != 0; ++i) b.body += lines[i] + "\n";
    blocks.push_back(b);
  }
  return blocks;
}

/// The README's `convbench ...` (or `./build/convbench ...`) with this build's binary instead; empty for others.
std::string arguments_of(const std::string& command) {
  for (const char* program : {"./build/convbench ", "convbench "})
    if (command.rfind(program, 0) == 0) return command.substr(std::string(program).size());
  return "";
}

/// Output made comparable across runs and machines: lines joined (wrapping follows the numbers' widths),
/// the CPU model and oneDNN kernel names replaced by placeholders, every number by '#', warning marks dropped.
std::string normalised(const std::string& text) {
  std::string t = convbench::testing::flattened(text);
  t = std::regex_replace(t, std::regex("cpu: [^,]+, oneDNN [0-9.]+ [^,]+,"), "cpu: CPU, oneDNN V KERNEL,");
  t = std::regex_replace(t, std::regex("[0-9]+(\\.[0-9]+)?(e[-+]?[0-9]+)?"), "#");
  // A row's warning mark follows the machine's noise, and so does the legend's entry for it: a quiet machine
  // prints neither.
  t = std::regex_replace(t, std::regex("(; )?! = warnings \\(printed on stderr\\)"), "");
  t = std::regex_replace(t, std::regex(" !( |$)"), " ");
  t = std::regex_replace(t, std::regex(" +"), " ");
  return t;
}

}  // namespace

TEST(Readme, EveryShellCommandRunsAsDocumented) {
  const convbench::testing::ScratchDir scratch("readme");
  const std::string dir = scratch.path;
  int ran = 0;
  for (const Block& b : fenced_blocks()) {
    if (b.tag != "sh") continue;
    for (std::string line : lines_of(b.body)) {
      // "./scripts/build.sh && ./build/convbench ...": the build is this test's own; run what follows.
      if (const auto amp = line.find("&& "); amp != std::string::npos) line = line.substr(amp + 3);
      const std::string args = arguments_of(line);
      if (args.empty()) continue;
      SCOPED_TRACE(line);
      const CliResult r = run_cli(args, "cd " + dir + " && ");
      ++ran;
      if (args.rfind("compare ", 0) == 0) {
        // A CI gate: 0 when nothing slowed down, 8 when something did; either way it says what it compared.
        EXPECT_TRUE(r.code == 0 || r.code == 8) << r.err;
        EXPECT_TRUE(std::regex_search(r.out, std::regex("[0-9]+ compared, [0-9]+ regressions? beyond"))) << r.out;
      } else {
        EXPECT_EQ(r.code, 0) << r.err;
      }
    }
  }
  EXPECT_GE(ran, 4) << "the Quick start's run and the compare example at least";
}

TEST(Readme, ExampleOutputIsTodaysOutput) {
  if (convbench::make_gpu_backend({}).backend) GTEST_SKIP() << "the README's examples show a machine without a GPU";
  // The examples show a user's first run: no ceilings from an earlier `convbench peak`, no tuning cache.
  const convbench::testing::ScratchDir scratch("readme-cache");
  const std::string fresh_cache = "</dev/null CONVBENCH_PEAK_FILE= XDG_CACHE_HOME=" + scratch.path + " ";
  int compared = 0;
  for (const Block& b : fenced_blocks()) {
    // An output block follows a line that ends "Output of `convbench ...`:".
    static const std::regex intro("[Oo]utput of `([^`]+)`[^`]*:$");
    std::smatch m;
    if (!b.tag.empty() || !std::regex_search(b.before, m, intro)) continue;
    const std::string args = arguments_of(m[1]);
    ASSERT_FALSE(args.empty()) << b.before;
    SCOPED_TRACE(m[1].str());
    const CliResult r = run_cli(args, fresh_cache);
    EXPECT_EQ(r.code, 0) << r.err;
    // The README shows a build with the GPU backend on a machine without a driver; a CPU-only build (the
    // sanitizer and oneDNN 3.x builds) says why it has no GPU instead: compare everything else.
    std::string expected = convbench::testing::flattened(b.body);
    const std::string shown = "no NVIDIA driver: libcuda.so.1 cannot be loaded; install the NVIDIA driver, or run on a "
                              "machine that has one";
    const std::string here = convbench::make_gpu_backend({}).reason;
    for (const auto& [from, to] : {std::pair<std::string, std::string>{shown, here},
                                   {shown.substr(0, shown.find(';')), here.substr(0, here.find(';'))}})
      for (size_t at = expected.find(from); !here.empty() && at != std::string::npos; at = expected.find(from, at + to.size()))
        expected.replace(at, from.size(), to);
    EXPECT_EQ(normalised(expected), normalised(r.out)) << "README:\n" << b.body << "\ntoday:\n" << r.out;
    ++compared;
  }
  EXPECT_GE(compared, 2) << "a single problem and a suite";
}

TEST(Readme, AQuietMachinesTableMatchesTheExample) {
  // On a machine quiet enough that no row has a warning, the table has no `!` marks and no legend line;
  // ExampleOutputIsTodaysOutput must still pass there (CI's machine was once that quiet).
  int tables = 0;
  for (const Block& b : fenced_blocks()) {
    if (!b.tag.empty() || !has(b.body, "! = warnings (printed on stderr)")) continue;
    std::string quiet;
    for (std::string line : lines_of(b.body)) {
      if (line == "! = warnings (printed on stderr)") continue;
      if (line.size() >= 3 && line.compare(line.size() - 3, 3, "  !") == 0) line.resize(line.size() - 3);
      quiet += line + "\n";
    }
    ASSERT_NE(quiet, b.body);
    EXPECT_EQ(normalised(b.body), normalised(quiet)) << quiet;
    ++tables;
  }
  EXPECT_GE(tables, 1) << "the suite example shows warning marks";
}

TEST(Readme, CheckWithoutADriverSaysWhatTheReadmeSays) {
  auto gpu = convbench::make_gpu_backend({});
  if (gpu.code != convbench::ExitCode::gpu_no_driver) GTEST_SKIP() << "this machine has an NVIDIA driver";
  const auto lines = lines_of(readme());
  for (size_t i = 0; i + 3 < lines.size(); ++i) {
    if (lines[i].rfind("$ convbench check", 0) != 0 || !has(lines[i], "# on a machine without a driver")) continue;
    const CliResult r = run_cli("check");
    EXPECT_EQ(r.err, lines[i + 1] + "\n");
    ASSERT_EQ(lines[i + 2], "$ echo $?");
    EXPECT_EQ(std::to_string(r.code), lines[i + 3]);
    return;
  }
  ADD_FAILURE() << "no `$ convbench check  # on a machine without a driver` example in the README";
}

TEST(Readme, EveryFlagAndExitCodeIsDocumented) {
  for (const char* command : {"", "check ", "compare ", "peak ", "suites "}) {
    const CliResult help = run_cli(std::string(command) + "--help");
    std::smatch m;
    std::string rest = help.out;
    std::set<std::string> flags;
    while (std::regex_search(rest, m, std::regex("  (--[a-z][a-z-]*)"))) {
      flags.insert(m[1]);
      rest = m.suffix();
    }
    for (const std::string& f : flags) {
      if (f == "--help") continue;
      EXPECT_TRUE(has(readme(), "`" + f)) << command << f << " is not in the README";
    }
  }
  const CliResult help = run_cli("--help");
  const std::string table = help.out.substr(help.out.find("Exit codes:"));
  std::smatch m;
  std::string rest = table;
  int codes = 0;
  while (std::regex_search(rest, m, std::regex("\n  ([0-9]+) "))) {
    EXPECT_TRUE(has(readme(), "| " + m[1].str() + " |")) << "exit code " << m[1] << " is not in the README's table";
    ++codes;
    rest = m.suffix();
  }
  EXPECT_GE(codes, 20);
}

TEST(Readme, ThePackageListIsTheOneSetupInstalls) {
  const std::string setup = read(std::string(CONVBENCH_SOURCE_DIR) + "/scripts/setup.sh");
  for (const char* array : {"packages", "test_packages"}) {
    std::smatch m;
    ASSERT_TRUE(std::regex_search(setup, m, std::regex(std::string("\n") + array + "=\\(([^)]*)\\)"))) << array;
    std::stringstream names(m[1].str());
    for (std::string name; names >> name;)
      EXPECT_TRUE(has(readme(), name + " ") || has(readme(), name + "`") || has(readme(), name + ","))
          << name << " (setup.sh " << array << ") is not named in the README";
  }
}

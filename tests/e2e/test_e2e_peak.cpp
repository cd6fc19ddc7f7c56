// `convbench peak` then a run, with the real binary: the run shows the fractions of the new ceilings.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "convbench/roofline.hpp"
#include "run_cli.hpp"
#include "scratch_dir.hpp"

using namespace convbench;
using convbench::testing::CliResult;
using convbench::testing::has;
using convbench::testing::run_cli;

TEST(Roofline, PeakThenARunShowsTheFractions) {
  const convbench::testing::ScratchDir scratch("peak");
  const std::string dir = scratch.path;
  const std::string env = "CONVBENCH_PEAK_FILE=" + dir + "/peak.json ";
  const CliResult peak = run_cli("peak --device cpu --threads 1", env);
  ASSERT_EQ(peak.code, 0) << peak.err;
  EXPECT_TRUE(has(peak.out, ", 1 threads: ")) << peak.out;
  EXPECT_TRUE(has(peak.out, "f32 ")) << peak.out;
  EXPECT_TRUE(std::filesystem::exists(dir + "/peak.json"));
  const CliResult run = run_cli("--device cpu --threads 1 --batch 4 --seed 1", env);
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_TRUE(has(run.out, "% of its ceiling)\n")) << run.out;
  EXPECT_FALSE(has(run.out, "cpu: roofline ")) << "the roofline line is a --verbose detail";
  const CliResult verbose = run_cli("--device cpu --threads 1 --batch 4 --seed 1 --verbose", env);
  EXPECT_TRUE(has(verbose.out, "cpu: roofline ")) << verbose.out;
  EXPECT_TRUE(has(verbose.out, "% of the f32 compute ceiling")) << verbose.out;
  const CliResult other = run_cli("--device cpu --threads 2 --batch 4 --seed 1 --verbose", env);
  EXPECT_FALSE(has(other.out, "roofline")) << "ceilings belong to one thread count";
  EXPECT_FALSE(has(other.out, "of its ceiling")) << other.out;
}

TEST(Roofline, ACeilingsFileThatIsAPipeOrAFolderIsOneWarningInARunAndRefusedByPeak) {
  const convbench::testing::ScratchDir scratch("peak");
  const std::string fifo = scratch.path + "/peak.json";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  for (const std::string& path : {fifo, scratch.path}) {
    // timeout: before, a run opened the pipe to read it and waited for a writer for ever
    const std::string env = "CONVBENCH_PEAK_FILE=" + path + " timeout 60 ";
    const CliResult run = run_cli("--device cpu --threads 1 --batch 2 --seed 1", env);
    EXPECT_EQ(run.code, 0) << run.err;
    const std::string warning =
        "convbench: warning: the ceilings file '" + path + "' is not a regular file; it is not used\n";
    EXPECT_EQ(run.err.rfind(warning, 0), 0u) << run.err;  // other warnings (outliers on a busy machine) may follow
    EXPECT_EQ(run.err.find("ceilings file", warning.size()), std::string::npos) << "one warning: " << run.err;
    const CliResult peak = run_cli("peak --device cpu --threads 1", env);
    EXPECT_EQ(peak.code, 2);
    EXPECT_EQ(peak.err, "convbench: error: the ceilings file '" + path +
                            "' is not a regular file; set CONVBENCH_PEAK_FILE to a regular file's path\n");
    EXPECT_EQ(peak.out, "") << "refused before measuring";
  }
}

TEST(Roofline, PeakWithNowhereToKeepTheCeilingsRefusesBeforeMeasuring) {
  const CliResult peak =
      run_cli("peak --device cpu --threads 1", "env -u HOME -u XDG_CACHE_HOME CONVBENCH_PEAK_FILE= ");
  EXPECT_EQ(peak.code, 2);
  EXPECT_EQ(peak.err,
            "convbench: error: nowhere to keep the ceilings: set CONVBENCH_PEAK_FILE, XDG_CACHE_HOME or HOME\n");
  EXPECT_EQ(peak.out, "");
}

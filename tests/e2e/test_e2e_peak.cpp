// `convbench peak` then a run, with the real binary: the run shows the fractions of the new ceilings.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "convbench/roofline.hpp"
#include "run_cli.hpp"

using namespace convbench;
using convbench::testing::CliResult;
using convbench::testing::has;
using convbench::testing::run_cli;

TEST(Roofline, PeakThenARunShowsTheFractions) {
  const std::string dir = ::testing::TempDir() + "/peak_" + std::to_string(getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string env = "CONVBENCH_PEAK_FILE=" + dir + "/peak.json ";
  const CliResult peak = run_cli("peak --device cpu --threads 1", env);
  ASSERT_EQ(peak.code, 0) << peak.err;
  EXPECT_TRUE(has(peak.out, ", 1 threads: ")) << peak.out;
  EXPECT_TRUE(has(peak.out, "f32 ")) << peak.out;
  EXPECT_TRUE(std::filesystem::exists(dir + "/peak.json"));
  const CliResult run = run_cli("--device cpu --threads 1 --batch 4 --seed 1", env);
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_TRUE(has(run.out, "cpu: roofline ")) << run.out;
  EXPECT_TRUE(has(run.out, "% of the f32 compute ceiling")) << run.out;
  const CliResult other = run_cli("--device cpu --threads 2 --batch 4 --seed 1", env);
  EXPECT_FALSE(has(other.out, "roofline")) << "ceilings belong to one thread count";
}

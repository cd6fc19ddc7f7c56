// Roofline fractions, the ceilings cache, and `convbench peak` end to end.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "convbench/error.hpp"
#include "convbench/roofline.hpp"
#include "run_cli.hpp"

using namespace convbench;
using convbench::testing::CliResult;
using convbench::testing::has;
using convbench::testing::run_cli;

TEST(Roofline, FractionsIntensityAndBound) {
  Problem p;  // the seed: 8.313 GFLOP, (3e6 + 4704 + 28275200) floats
  Ceilings c{"cpu x, 2 threads", {{"f32", 0.5}}, 20.0, ""};
  const auto r = roofline(p, 25.0, c);
  ASSERT_TRUE(r);
  const double bytes = double(p.tensor_bytes());
  EXPECT_NEAR(r->compute_fraction, p.flops() / 0.025 / 0.5e12, 1e-12);
  EXPECT_NEAR(r->memory_fraction, bytes / 0.025 / 20e9, 1e-12);
  EXPECT_NEAR(r->intensity, p.flops() / bytes, 1e-9);
  EXPECT_NEAR(r->ridge, 0.5e12 / 20e9, 1e-9);
  EXPECT_EQ(r->bound, "compute");  // 66 FLOP/byte against a ridge of 25
  Problem pointwise;
  pointwise.n = 1, pointwise.c = 4, pointwise.k = 4, pointwise.r = pointwise.s = 1;
  EXPECT_EQ(roofline(pointwise, 1.0, c)->bound, "memory");
  p.dtype = DType::bf16;
  EXPECT_FALSE(roofline(p, 25.0, c)) << "no bf16 ceiling measured";
}

TEST(Roofline, CeilingsCacheReplacesTheSameDevice) {
  const std::string path = ::testing::TempDir() + "/ceil_" + std::to_string(getpid()) + "/peak.json";
  std::filesystem::remove_all(std::filesystem::path(path).parent_path());
  EXPECT_TRUE(load_ceilings(path).empty());
  save_ceilings(path, {{"cpu a, 2 threads", {{"f32", 1.0}}, 10, "t1"}, {"gpu b", {{"f16", 500}}, 3000, "t1"}});
  save_ceilings(path, {{"cpu a, 2 threads", {{"f32", 2.0}}, 12, "t2"}});
  const auto all = load_ceilings(path);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].tflops.at("f32"), 2.0);
  EXPECT_EQ(all[0].measured, "t2");
  EXPECT_EQ(all[1].device, "gpu b");
  std::ofstream(path) << "{ not json";
  EXPECT_THROW(load_ceilings(path), Error);
}

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

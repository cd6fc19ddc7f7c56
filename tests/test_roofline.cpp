// Roofline fractions, the effective FLOP count, warnings above 100%, and the ceilings cache.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <utility>

#include "convbench/error.hpp"
#include "convbench/numeric.hpp"
#include "convbench/roofline.hpp"
#include "scratch_dir.hpp"

using namespace convbench;

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
  const convbench::testing::ScratchDir dir("ceil");
  const std::string path = dir.path + "/cache/peak.json";  // the directory is created
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

TEST(Roofline, AnInvalidCeilingsFileIsReplacedByPeakWithOneWarning) {
  const convbench::testing::ScratchDir dir("ceil");
  const std::string path = dir.path + "/peak.json";
  std::ofstream(path) << "{ not json";
  const std::vector<std::string> w = save_ceilings(path, {{"gpu b", {{"f16", 500}}, 3000, "t1"}});
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].rfind("the ceilings file '" + path + "' was not valid (", 0), 0u) << w[0];
  EXPECT_NE(w[0].find("); it is replaced"), std::string::npos) << w[0];
  const auto all = load_ceilings(path);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].gbps, 3000);
  EXPECT_TRUE(save_ceilings(path, {{"gpu c", {{"f16", 400}}, 2000, "t2"}}).empty());
  EXPECT_EQ(load_ceilings(path).size(), 2u) << "a valid file's devices are kept";
}

TEST(Roofline, ACeilingsPathThatIsNotARegularFileIsNeverReadOrWritten) {
  const convbench::testing::ScratchDir dir("ceil");
  const std::string fifo = dir.path + "/peak.json";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  alarm(20);  // reading the pipe blocked every run before; now a hang ends the test here
  for (const std::string& path : {fifo, dir.path, std::string("/dev/null")}) {
    try {
      load_ceilings(path);
      ADD_FAILURE() << path << " was read";
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()), "the ceilings file '" + path + "' is not a regular file; it is not used");
    }
    EXPECT_THROW(save_ceilings(path, {{"gpu b", {{"f16", 500}}, 3000, "t1"}}), Error) << path;
  }
  alarm(0);
}

TEST(Roofline, CeilingsPathFollowsTheVariableThenXdgCacheHomeThenHomeAndNeverTmp) {
  const auto saved = [](const char* name) -> std::optional<std::string> {
    if (const char* v = std::getenv(name)) return std::string(v);
    return std::nullopt;
  };
  const auto restore = [](const char* name, const std::optional<std::string>& v) {
    if (v)
      setenv(name, v->c_str(), 1);
    else
      unsetenv(name);
  };
  const auto file = saved("CONVBENCH_PEAK_FILE"), xdg = saved("XDG_CACHE_HOME"), home = saved("HOME");
  setenv("CONVBENCH_PEAK_FILE", "/p/peak.json", 1);
  setenv("XDG_CACHE_HOME", "/x/cache", 1);
  setenv("HOME", "/h", 1);
  EXPECT_EQ(ceilings_path(), "/p/peak.json");
  setenv("CONVBENCH_PEAK_FILE", "", 1);  // empty counts as unset
  EXPECT_EQ(ceilings_path(), "/x/cache/convbench/peak.json");
  unsetenv("XDG_CACHE_HOME");
  EXPECT_EQ(ceilings_path(), "/h/.cache/convbench/peak.json");
  unsetenv("HOME");
  EXPECT_EQ(ceilings_path(), "") << "before, /tmp/.cache/convbench/peak.json: a folder other users can write";
  EXPECT_TRUE(load_ceilings(ceilings_path()).empty());
  restore("CONVBENCH_PEAK_FILE", file), restore("XDG_CACHE_HOME", xdg), restore("HOME", home);
}

TEST(Roofline, OnlyMultiplyAddsThatTouchRealInputCount) {
  Problem seed;  // no padding: every tap is on real input
  EXPECT_DOUBLE_EQ(seed.effective_flops(), seed.flops());
  // DeepBench training #54's kind: a 1x1 filter, stride 2, padding 3. On a 4x4 input the 5 outputs per
  // axis read rows -3, -1, 1, 3, 5: two are inside, so 2x2 of the 5x5 outputs do real work.
  Problem p;
  p.n = 2, p.c = 3, p.h = p.w = 4, p.k = 5, p.r = p.s = 1, p.stride_h = p.stride_w = 2;
  p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 3;
  ASSERT_EQ(p.out_h(), 5);
  EXPECT_DOUBLE_EQ(p.flops(), 2.0 * 2 * 5 * 3 * 25);
  EXPECT_DOUBLE_EQ(p.effective_flops(), 2.0 * 2 * 5 * 3 * 2 * 2);
  // 3x3, padding 1, on 4x4: per axis the outputs see 2, 3, 3, 2 taps inside, 10 of 12.
  Problem q;
  q.n = 1, q.c = 1, q.h = q.w = 4, q.k = 1, q.r = q.s = 3;
  q.pad_top = q.pad_bottom = q.pad_left = q.pad_right = 1;
  EXPECT_DOUBLE_EQ(q.effective_flops(), 2.0 * 10 * 10);
  // The compute fraction uses the effective count.
  Ceilings c{"cpu x, 2 threads", {{"f32", 1.0}}, 20.0, "2026-11-27T00:00:00Z"};
  EXPECT_NEAR(roofline(p, 1.0, c)->compute_fraction, p.effective_flops() / 1e-3 / 1e12, 1e-15);
}

TEST(Roofline, TheEffectiveCountMatchesTapByTapCountingAndStaysFastOnHugeFilters) {
  // Tap by tap, as the definition reads: every (output, tap) pair whose input row is inside.
  auto by_taps = [](int64_t in, int64_t out, int64_t filter, int64_t stride, int64_t dil, int64_t pad) {
    double taps = 0;
    for (int64_t o = 0; o < out; ++o)
      for (int64_t f = 0; f < filter; ++f) taps += o * stride - pad + f * dil >= 0 && o * stride - pad + f * dil < in;
    return taps;
  };
  // Seeded shapes with padding up to twice the input and filters up to wider than it, so that every case
  // occurs: all outputs full, none full, more edge outputs than taps and fewer.
  NormalSource rng(2026);
  auto pick = [&](int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(rng.next_u64() % uint64_t(hi - lo + 1)); };
  int checked = 0;
  while (checked < 3000) {
    Problem p;
    p.h = pick(1, 12), p.w = pick(1, 12), p.r = pick(1, 9), p.s = pick(1, 9);
    p.stride_h = pick(1, 4), p.stride_w = pick(1, 4), p.dil_h = pick(1, 3), p.dil_w = pick(1, 3);
    p.pad_top = pick(0, 24), p.pad_bottom = pick(0, 24), p.pad_left = pick(0, 3), p.pad_right = pick(0, 3);
    if ((p.r - 1) * p.dil_h + 1 > p.h + p.pad_top + p.pad_bottom) continue;
    if ((p.s - 1) * p.dil_w + 1 > p.w + p.pad_left + p.pad_right) continue;
    ++checked;
    const double expected = 2.0 * p.n * p.k * p.c * by_taps(p.h, p.out_h(), p.r, p.stride_h, p.dil_h, p.pad_top) *
                            by_taps(p.w, p.out_w(), p.s, p.stride_w, p.dil_w, p.pad_left);
    ASSERT_EQ(p.effective_flops(), expected) << p.describe();
  }
  // A record edited by hand (or a problem too large to run) with a 2^30-tap filter over a 2^31-row input:
  // counted pair by pair that was 2^60 steps, a hang in `report`. No padding: every tap is inside.
  Problem huge;
  huge.n = huge.c = huge.k = huge.w = huge.s = 1;
  huge.h = 2147483647, huge.r = 1073741824;
  ASSERT_NO_THROW(huge.validate());
  EXPECT_EQ(huge.effective_flops(), huge.flops());
  // Padding 1: the first output's tap 0 reads row -1 and the last output's last tap reads row 2^31 - 1, one
  // past the input; every other tap of the 2^30 + 2 outputs is inside.
  huge.pad_top = huge.pad_bottom = 1;
  ASSERT_EQ(huge.out_h(), 1073741826);
  EXPECT_DOUBLE_EQ(huge.effective_flops(), 2.0 * (1073741826.0 * 1073741824.0 - 2));
  // A 3-tap filter with 2^30 rows of padding on each side: each input row meets each tap once.
  huge.r = 3, huge.pad_top = huge.pad_bottom = 1073741824;
  EXPECT_DOUBLE_EQ(huge.effective_flops(), 2.0 * 3 * 2147483647.0);
}

TEST(Roofline, AFractionAbove100PercentIsWarnedWithTheCeilingsDate) {
  Problem p;
  Ceilings c{"cpu x, 2 threads", {{"f32", 0.1}}, 1.0, "2026-01-02T03:04:05Z"};
  const auto r = roofline(p, 25.0, c);  // 8.3 GFLOP in 25 ms = 0.33 TFLOP/s against a 0.1 ceiling
  ASSERT_TRUE(r);
  const auto w = roofline_warnings(DeviceKind::cpu, *r);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0],
            "cpu: 333% of the compute ceiling: above 100%, so either the engine does fewer operations than the "
            "direct convolution counted here (Winograd, FFT), or the ceiling (0.10 TFLOP/s, measured at "
            "2026-01-02T03:04:05Z) is stale or was measured under other conditions: run `convbench peak` again");
  EXPECT_EQ(w[1].rfind("cpu: ", 0), 0u);
  EXPECT_NE(w[1].find("of copy bandwidth: above 100%"), std::string::npos) << w[1];
  Ceilings fast{"cpu x, 2 threads", {{"f32", 10.0}}, 1e6, ""};
  EXPECT_TRUE(roofline_warnings(DeviceKind::cpu, *roofline(p, 25.0, fast)).empty());
  // The line is 100% for each fraction: ceilings that make both 120% warn twice, 90% not at all.
  const double tflops = p.effective_flops() / 25e-3 * 1e-12,
               gbps = static_cast<double>(p.tensor_bytes()) / 25e-3 * 1e-9;
  for (const auto& [fraction, warned] : {std::pair{1.2, 2u}, std::pair{0.9, 0u}}) {
    SCOPED_TRACE(fraction);
    Ceilings at{"cpu x, 2 threads", {{"f32", tflops / fraction}}, gbps / fraction, ""};
    const auto near = roofline(p, 25.0, at);
    ASSERT_TRUE(near);
    EXPECT_NEAR(near->compute_fraction, fraction, 1e-9);
    EXPECT_NEAR(near->memory_fraction, fraction, 1e-9);
    EXPECT_EQ(roofline_warnings(DeviceKind::cpu, *near).size(), warned);
  }
}

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "convbench/harness.hpp"
#include "convbench/numeric.hpp"
#include "convbench/pairing.hpp"
#include "convbench/reference.hpp"

using namespace convbench;

TEST(Reference, HandComputedConvolutionWithPaddingStrideAndGroups) {
  // 1 image 3x3, 2 channels, 2 groups, 2 filters of 2x2, stride 2, padding 1 on every side.
  Problem p;
  p.n = 1, p.c = 2, p.h = 3, p.w = 3, p.k = 2, p.r = 2, p.s = 2, p.groups = 2;
  p.stride_h = p.stride_w = 2;
  p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
  p.layout = Layout::nchw;
  HostTensors t;
  t.input = {1,  2,  3,  4,  5,  6,  7,  8,  9,    // channel 0
             10, 20, 30, 40, 50, 60, 70, 80, 90};  // channel 1
  t.weights = {1,  2, 3, 4,                        // filter 0 sees channel 0
               -1, 0, 0, 1};                       // filter 1 sees channel 1
  const auto out = reference_conv(p, t);
  ASSERT_EQ(out.size(), 8u);  // 2 filters of 2x2
  // Filter 0 at (0,0) covers padded rows -1..0 and cols -1..0: only input(0,0)=1 under weight 4.
  EXPECT_DOUBLE_EQ(out[output_offset(p, 0, 0, 0, 0)], 4);
  // (0,1): rows -1..0, cols 1..2: input(0,1)=2·w(1,0)=3 + input(0,2)=3·w(1,1)=4 → 18.
  EXPECT_DOUBLE_EQ(out[output_offset(p, 0, 0, 0, 1)], 18);
  // (1,1): rows 1..2, cols 1..2: 5·1 + 6·2 + 8·3 + 9·4 = 77.
  EXPECT_DOUBLE_EQ(out[output_offset(p, 0, 0, 1, 1)], 77);
  // Filter 1 at (1,1): -50 + 90 = 40.
  EXPECT_DOUBLE_EQ(out[output_offset(p, 0, 1, 1, 1)], 40);
}

TEST(Reference, LayoutsHoldTheSameValuesAtDifferentOffsets) {
  Problem p;
  p.n = 2, p.c = 3, p.h = 5, p.w = 4, p.k = 2, p.r = 3, p.s = 2;
  Problem q = p;
  q.layout = Layout::nchw;
  const HostTensors a = make_inputs(p, 7);
  HostTensors b = a;
  for (int64_t n = 0; n < p.n; ++n)
    for (int64_t c = 0; c < p.c; ++c)
      for (int64_t y = 0; y < p.h; ++y)
        for (int64_t x = 0; x < p.w; ++x) b.input[input_offset(q, n, c, y, x)] = a.input[input_offset(p, n, c, y, x)];
  for (int64_t k = 0; k < p.k; ++k)
    for (int64_t c = 0; c < p.c; ++c)
      for (int64_t r = 0; r < p.r; ++r)
        for (int64_t s = 0; s < p.s; ++s)
          b.weights[weight_offset(q, k, c, r, s)] = a.weights[weight_offset(p, k, c, r, s)];
  EXPECT_NE(a.input, b.input);
  const auto oa = reference_conv(p, a), ob = reference_conv(q, b);
  for (int64_t n = 0; n < p.n; ++n)
    for (int64_t k = 0; k < p.k; ++k)
      for (int64_t y = 0; y < p.out_h(); ++y)
        for (int64_t x = 0; x < p.out_w(); ++x)
          EXPECT_DOUBLE_EQ(oa[output_offset(p, n, k, y, x)], ob[output_offset(q, n, k, y, x)]);
}

TEST(Reference, CheckCatchesACorruptedOutputAndSamplesLargeOnes) {
  Problem p;
  p.n = 2, p.h = 20, p.w = 20;
  const HostTensors t = make_inputs(p, 3);
  const auto ref = reference_conv(p, t);
  std::vector<float> got(ref.begin(), ref.end());
  Check all = check_against_reference(p, t, got, 1, 1 << 20);
  EXPECT_FALSE(all.sampled);
  EXPECT_EQ(all.points, p.output_elems());
  EXPECT_TRUE(all.ok()) << all.error;
  Check some = check_against_reference(p, t, got, 1, 512);
  EXPECT_TRUE(some.sampled);
  EXPECT_EQ(some.points, 512);
  EXPECT_TRUE(some.ok());
  for (float& v : got) v *= 1.001f;  // 1e-3 relative: far beyond f32's 1e-5 tolerance
  EXPECT_FALSE(check_against_reference(p, t, got, 1, 512).ok());
  got[0] = std::nanf("");
  EXPECT_FALSE(check_against_reference(p, t, got, 1, 1 << 20).ok());
}

TEST(Reference, ToleranceDependsOnDtype) {
  EXPECT_DOUBLE_EQ(tolerance(DType::f32), 1e-5);
  EXPECT_DOUBLE_EQ(tolerance(DType::tf32), 1e-3);
  EXPECT_DOUBLE_EQ(tolerance(DType::bf16), 1e-2);
  EXPECT_DOUBLE_EQ(tolerance(DType::f16), 1e-2);
  // The CPU's tf32 mode is f32 data with bf16 math, held to bf16's tolerance; the GPU's TF32 keeps tf32's.
  EXPECT_DOUBLE_EQ(device_tolerance(DeviceKind::cpu, DType::tf32), tolerance(DType::bf16));
  EXPECT_DOUBLE_EQ(device_tolerance(DeviceKind::gpu, DType::tf32), tolerance(DType::tf32));
  EXPECT_DOUBLE_EQ(device_tolerance(DeviceKind::cpu, DType::f32), tolerance(DType::f32));
}

TEST(Inputs, SeededNormalRoundedToTheDtype) {
  Problem p;
  p.n = 4;
  const HostTensors a = make_inputs(p, 42), b = make_inputs(p, 42), c = make_inputs(p, 43);
  EXPECT_EQ(a.input, b.input);
  EXPECT_EQ(a.weights, b.weights);
  EXPECT_NE(a.input, c.input);
  double mean = 0, var = 0;
  for (float x : a.input) mean += x;
  mean /= double(a.input.size());
  for (float x : a.input) var += (x - mean) * (x - mean);
  var /= double(a.input.size());
  EXPECT_NEAR(mean, 0.0, 0.01);
  EXPECT_NEAR(var, 1.0, 0.01);
  p.dtype = DType::bf16;
  for (float x : make_inputs(p, 42).input) ASSERT_EQ(round_to(DType::bf16, x), x);
  p.dtype = DType::f16;
  for (float x : make_inputs(p, 42).input) ASSERT_EQ(round_to(DType::f16, x), x);
  EXPECT_EQ(round_to(DType::bf16, 1.0f + 1.0f / 256), 1.0f);  // halfway: ties to even
  EXPECT_EQ(round_to(DType::bf16, 1.0f + 3.0f / 256), 1.0f + 4.0f / 256);
}

TEST(Numeric, Tf32InputsHoldTenMantissaBitsRoundedToNearestEven) {
  Problem p;
  p.n = 2;
  p.dtype = DType::tf32;
  const HostTensors t = make_inputs(p, 42);
  for (const auto* v : {&t.input, &t.weights})
    for (float x : *v) {
      uint32_t bits;
      std::memcpy(&bits, &x, 4);
      ASSERT_EQ(bits & 0x1fffu, 0u) << x;  // the 13 mantissa bits TF32 drops are zero
    }
  // The same seed in f32 gives the unrounded values, each within half a TF32 step (2^-11 relative).
  p.dtype = DType::f32;
  const HostTensors f = make_inputs(p, 42);
  for (size_t i = 0; i < f.input.size(); ++i)
    ASSERT_LE(std::fabs(f.input[i] - t.input[i]), std::ldexp(std::fabs(f.input[i]), -11)) << i;
  const float ulp = std::ldexp(1.0f, -10);                               // one TF32 step at 1.0
  EXPECT_EQ(round_to(DType::tf32, 1.0f + ulp / 2), 1.0f);                // halfway: ties to even (down)
  EXPECT_EQ(round_to(DType::tf32, 1.0f + 3 * ulp / 2), 1.0f + 2 * ulp);  // halfway: ties to even (up)
  EXPECT_EQ(round_to(DType::tf32, 1.0f + ulp / 4), 1.0f);
  EXPECT_EQ(round_to(DType::tf32, 1.0f + 3 * ulp / 4), 1.0f + ulp);
  EXPECT_TRUE(std::isinf(round_to(DType::tf32, std::numeric_limits<float>::infinity())));
  EXPECT_TRUE(std::isnan(round_to(DType::tf32, std::numeric_limits<float>::quiet_NaN())));
}

TEST(Numeric, Float16ConversionsMatchTheCompilersOnEveryHalfAndManyFloats) {
#if defined(__FLT16_MAX__) && !defined(__clang__)
  for (uint32_t b = 0; b < 65536; ++b) {
    const auto h = static_cast<uint16_t>(b);
    _Float16 ref;
    std::memcpy(&ref, &h, 2);
    const float f = from_f16_bits(h);
    if (std::isnan(static_cast<float>(ref))) {
      ASSERT_TRUE(std::isnan(f)) << b;
      continue;
    }
    ASSERT_EQ(f, static_cast<float>(ref)) << b;
    ASSERT_EQ(to_f16_bits(f), h) << b;  // every half survives a round trip
  }
  NormalSource rng(3);
  for (int i = 0; i < 200000; ++i) {
    // Wide range of magnitudes, subnormal halves and overflow included.
    const float x = rng.next() * std::ldexp(1.0f, static_cast<int>(rng.next_u64() % 50) - 30);
    const _Float16 ref = static_cast<_Float16>(x);
    uint16_t want;
    std::memcpy(&want, &ref, 2);
    ASSERT_EQ(to_f16_bits(x), want) << x;
  }
#else
  GTEST_SKIP() << "this compiler has no _Float16 to compare with";
#endif
}

namespace {
/// The reference output, rounded to float: what a correct library returns.
std::vector<float> exact_output(const Problem& p, const HostTensors& t) {
  const auto ref = reference_conv(p, t);
  return std::vector<float>(ref.begin(), ref.end());
}
}  // namespace

TEST(NonFinite, ExpectedInfinitiesAndNaNsMatchExactlyAndTheRestByNorm) {
  Problem p;
  p.n = 1, p.h = 6, p.w = 6, p.c = 2, p.k = 3, p.r = 3, p.s = 3;
  HostTensors t = make_inputs(p, 3);
  t.input[static_cast<size_t>(input_offset(p, 0, 0, 2, 2))] = std::numeric_limits<float>::infinity();
  const std::vector<float> good = exact_output(p, t);
  const Check c = check_against_reference(p, t, good, 1);
  EXPECT_TRUE(c.ok()) << c.error;
  EXPECT_EQ(c.nonfinite_inputs, 1);
  EXPECT_GT(c.nonfinite_expected, 0);  // the outputs whose window holds the inf
  EXPECT_LT(c.nonfinite_expected, c.points);
  EXPECT_EQ(c.mismatch_index, -1);
  EXPECT_TRUE(std::isfinite(c.error));
  // The same infinity with the other sign is a mismatch at that position.
  std::vector<float> flipped = good;
  size_t at = 0;
  while (std::isfinite(flipped[at])) ++at;
  flipped[at] = -flipped[at];
  const Check f = check_against_reference(p, t, flipped, 1);
  EXPECT_FALSE(f.ok());
  EXPECT_EQ(f.mismatch_index, static_cast<int64_t>(at));
  // A finite value where an infinity is expected is a mismatch too.
  std::vector<float> finite = good;
  finite[at] = 1.0f;
  EXPECT_EQ(check_against_reference(p, t, finite, 1).mismatch_index, static_cast<int64_t>(at));
}

TEST(NonFinite, ANaNWhereTheReferenceIsFiniteIsAMismatchWithItsIndex) {
  Problem p;
  p.n = 1, p.h = 5, p.w = 5, p.c = 1, p.k = 1, p.r = 1, p.s = 1;
  const HostTensors t = make_inputs(p, 4);
  std::vector<float> got = exact_output(p, t);
  got[7] = std::numeric_limits<float>::quiet_NaN();
  const Check c = check_against_reference(p, t, got, 1);
  EXPECT_FALSE(c.ok());
  EXPECT_EQ(c.mismatch_index, 7);
  EXPECT_TRUE(std::isfinite(c.error));  // not "error -nan": the NaN is reported by position
  EXPECT_EQ(c.nonfinite_inputs, 0);
}

TEST(NonFinite, ASampledCheckStillFindsEveryNonFiniteOutput) {
  Problem p;  // the seed shape at batch 2: 565k outputs, far more than the 8192 sampled
  p.n = 2;
  const HostTensors t = make_inputs(p, 5);
  std::vector<float> got(static_cast<size_t>(p.output_elems()), 0.0f);
  // A plausible output is not needed for this: only that the one NaN is found wherever it is.
  const auto ref = reference_conv(p, t);
  for (size_t i = 0; i < got.size(); ++i) got[i] = static_cast<float>(ref[i]);
  const size_t hidden = got.size() - 12345;
  got[hidden] = std::numeric_limits<float>::quiet_NaN();
  const Check c = check_against_reference(p, t, got, 1);
  EXPECT_TRUE(c.sampled);
  EXPECT_FALSE(c.ok());
  EXPECT_EQ(c.mismatch_index, static_cast<int64_t>(hidden));
}

TEST(NonFinite, AnOutputBeyondItsTypesRangeIsTheInfinityRoundingGives) {
  // A 1x1 convolution of 300 by 300: 90000, more than f16's largest value (65504) but not float's.
  Problem p;
  p.n = 1, p.h = 2, p.w = 3, p.c = 1, p.k = 1, p.r = 1, p.s = 1, p.dtype = DType::f16;
  HostTensors t = make_inputs(p, 6);
  std::fill(t.input.begin(), t.input.end(), 300.0f);
  std::fill(t.weights.begin(), t.weights.end(), 300.0f);
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> got(static_cast<size_t>(p.output_elems()), inf);
  const Check c = check_against_reference(p, t, got, 1);
  EXPECT_TRUE(c.ok()) << c.error << " at " << c.mismatch_index;
  EXPECT_EQ(c.overflowed, 6);
  EXPECT_EQ(c.nonfinite_expected, 0);
  // The other infinity, or a saturated finite output, is not what rounding gives.
  got[2] = -inf;
  EXPECT_EQ(check_against_reference(p, t, got, 1).mismatch_index, 2);
  const Check saturated = check_against_reference(p, t, std::vector<float>(got.size(), 65504.0f), 1);
  EXPECT_FALSE(saturated.ok());
  EXPECT_EQ(saturated.mismatch_index, -1);
  EXPECT_NEAR(saturated.error, (90000.0 - 65504.0) / 90000.0, 1e-9);
  // float holds 90000: an infinity there is a mismatch, as is one where f16 holds the value (3000).
  p.dtype = DType::f32;
  EXPECT_EQ(check_against_reference(p, t, std::vector<float>(got.size(), inf), 1).mismatch_index, 0);
  p.dtype = DType::f16;
  std::fill(t.weights.begin(), t.weights.end(), 10.0f);
  EXPECT_EQ(check_against_reference(p, t, std::vector<float>(got.size(), inf), 1).mismatch_index, 0);
  // Within the tolerance of the largest value, float accumulation may round either way.
  std::fill(t.input.begin(), t.input.end(), 65000.0f / 10);
  EXPECT_TRUE(check_against_reference(p, t, std::vector<float>(got.size(), inf), 1).ok());
  EXPECT_EQ(largest_finite(DType::f16), 65504.0);
  uint32_t bits = 0x7f7f0000u;
  float bf16_max = 0;
  std::memcpy(&bf16_max, &bits, sizeof bits);
  EXPECT_EQ(largest_finite(DType::bf16), static_cast<double>(bf16_max));
  EXPECT_EQ(largest_finite(DType::tf32), static_cast<double>(std::numeric_limits<float>::max()));
}

TEST(NonFinite, CrossDeviceComparisonTreatsNonFiniteValuesTheSameWay) {
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  using V = std::vector<float>;
  EXPECT_TRUE(compare_outputs(V{1, inf, nan, 2}, V{1, inf, nan, 2}, 1e-5).ok());
  const Check a = compare_outputs(V{1, nan, nan, 2}, V{1, inf, nan, 2}, 1e-5);
  EXPECT_EQ(a.mismatch_index, 1);
  EXPECT_EQ(a.nonfinite_expected, 2);
  EXPECT_EQ(compare_outputs(V{1, 2, inf, 2}, V{1, 2, 3, 2}, 1e-5).mismatch_index, 2);
  EXPECT_GT(compare_outputs(V{1, 2, 3.5f, 2}, V{1, 2, 3, 2}, 1e-5).error, 0.1);
  // Where one side has NaN, a finite value or an infinity on the other is a mismatch.
  EXPECT_EQ(compare_outputs(V{1, 2, 3, 2}, V{1, 2, nan, 2}, 1e-5).mismatch_index, 2);
  EXPECT_EQ(compare_outputs(V{1, 2, inf, 2}, V{1, 2, nan, 2}, 1e-5).mismatch_index, 2);
}

TEST(Inputs, GeneratedInChunksTheyAreTheOneSequentialStream) {
  // An odd input size spanning several of make_inputs' chunks, so that the weights start on the spare value
  // of a Box–Muller pair and chunks meet inside both tensors.
  Problem p;
  p.n = 3, p.c = 5, p.h = 211, p.w = 199, p.k = 7, p.r = 3, p.s = 3;  // 630,315 input values, odd
  ASSERT_EQ(p.input_elems() % 2, 1);
  for (DType d : {DType::f32, DType::bf16}) {
    p.dtype = d;
    const HostTensors t = make_inputs(p, 1234);
    NormalSource one(1234);
    for (size_t i = 0; i < t.input.size(); ++i) ASSERT_EQ(t.input[i], round_to(d, one.next())) << "input " << i;
    for (size_t i = 0; i < t.weights.size(); ++i) ASSERT_EQ(t.weights[i], round_to(d, one.next())) << "weights " << i;
  }
}

TEST(CrossCheck, ChunkedComparisonKeepsTheFirstMismatchAndTheSequentialError) {
  const size_t n = 3 * (size_t{1} << 20) + 5;  // more than three of compare_outputs' chunks
  std::vector<float> want(n), got(n);
  NormalSource gen(9);
  double diff2 = 0, ref2 = 0;
  for (size_t i = 0; i < n; ++i) {
    want[i] = gen.next();
    got[i] = want[i] * (1 + 1e-6f * gen.next());
    diff2 += (double(got[i]) - want[i]) * (double(got[i]) - want[i]);
    ref2 += double(want[i]) * want[i];
  }
  const Check clean = compare_outputs(got, want, 1e-5);
  EXPECT_EQ(clean.mismatch_index, -1);
  EXPECT_NEAR(clean.error, std::sqrt(diff2 / ref2), 1e-12 * std::sqrt(diff2 / ref2));
  // Two bad values in different chunks: the earlier one is reported, whichever thread finished first.
  got[(size_t{1} << 20) + 7] = std::numeric_limits<float>::quiet_NaN();
  got[2 * (size_t{1} << 20) + 1] = std::numeric_limits<float>::infinity();
  EXPECT_EQ(compare_outputs(got, want, 1e-5).mismatch_index, (int64_t{1} << 20) + 7);
}

// The naive float64 direct convolution and the normwise comparisons built on it.
#include "convbench/reference.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>

#include "convbench/numeric.hpp"
#include "convbench/parallel.hpp"

namespace convbench {

namespace {
int64_t offset(const std::array<int64_t, 4>& strides, int64_t a, int64_t b, int64_t c, int64_t d) {
  return a * strides[0] + b * strides[1] + c * strides[2] + d * strides[3];
}
}  // namespace

int64_t input_offset(const Problem& p, int64_t n, int64_t c, int64_t y, int64_t x) {
  return offset(layout_strides(p.layout, p.c, p.h, p.w), n, c, y, x);
}

int64_t weight_offset(const Problem& p, int64_t k, int64_t c, int64_t r, int64_t s) {
  return offset(layout_strides(p.layout, p.c / p.groups, p.r, p.s), k, c, r, s);
}

int64_t output_offset(const Problem& p, int64_t n, int64_t k, int64_t y, int64_t x) {
  return offset(layout_strides(p.layout, p.k, p.out_h(), p.out_w()), n, k, y, x);
}

double reference_at(const Problem& p, const HostTensors& t, int64_t n, int64_t k, int64_t y, int64_t x) {
  const int64_t cg = p.c / p.groups, kg = p.k / p.groups;
  const int64_t g = k / kg;
  // The strides once per point, not per product (that made the seed's 8192 sampled points take 25 ms).
  const auto is = layout_strides(p.layout, p.c, p.h, p.w);
  const auto ws = layout_strides(p.layout, cg, p.r, p.s);
  double acc = 0;
  for (int64_t r = 0; r < p.r; ++r) {
    const int64_t iy = y * p.stride_h - p.pad_top + r * p.dil_h;
    if (iy < 0 || iy >= p.h) continue;
    for (int64_t s = 0; s < p.s; ++s) {
      const int64_t ix = x * p.stride_w - p.pad_left + s * p.dil_w;
      if (ix < 0 || ix >= p.w) continue;
      const int64_t in0 = offset(is, n, g * cg, iy, ix), w0 = offset(ws, k, 0, r, s);
      for (int64_t c = 0; c < cg; ++c)
        acc += static_cast<double>(t.input[static_cast<size_t>(in0 + c * is[1])]) *
               static_cast<double>(t.weights[static_cast<size_t>(w0 + c * ws[1])]);
    }
  }
  return acc;
}

std::vector<double> reference_conv(const Problem& p, const HostTensors& t) {
  std::vector<double> out(static_cast<size_t>(p.output_elems()));
  for (int64_t n = 0; n < p.n; ++n)
    for (int64_t k = 0; k < p.k; ++k)
      for (int64_t y = 0; y < p.out_h(); ++y)
        for (int64_t x = 0; x < p.out_w(); ++x) out[output_offset(p, n, k, y, x)] = reference_at(p, t, n, k, y, x);
  return out;
}

double tolerance(DType d) {
  switch (d) {
    case DType::f32:
      return 1e-5;
    case DType::tf32:
      return 1e-3;
    default:
      return 1e-2;
  }
}

double largest_finite(DType d) {
  switch (d) {
    case DType::f16:
      return 65504.0;
    case DType::bf16:
      return 3.3895313892515355e38;  // 0x7f7f: float's exponent, 7 mantissa bits
    default:
      return std::numeric_limits<float>::max();
  }
}

namespace {
/// Accumulates the comparison of points: finite expected values into the normwise error, non-finite ones
/// by exact match (the same infinity, or NaN for NaN).
struct Comparison {
  /// From this magnitude on, a finite expected value may come out as the infinity of its sign: the output's
  /// type cannot hold it (infinite for a comparison of two outputs, whose expected values are outputs too).
  double overflow_from = std::numeric_limits<double>::infinity();
  double diff2 = 0, ref2 = 0;
  int64_t nonfinite_expected = 0, overflowed = 0, mismatch = -1;
  void add(int64_t index, double got, double want) {
    if (!std::isfinite(want)) {
      ++nonfinite_expected;
      const bool same = std::isnan(want) ? std::isnan(got) : got == want;
      if (!same && mismatch < 0) mismatch = index;
      return;
    }
    if (!std::isfinite(got)) {
      if (std::isinf(got) && std::abs(want) >= overflow_from && std::signbit(got) == std::signbit(want))
        ++overflowed;
      else if (mismatch < 0)
        mismatch = index;
      return;
    }
    diff2 += (got - want) * (got - want);
    ref2 += want * want;
  }
  /// Folds in the comparison of the points after this one's (the first mismatch stays the first).
  void merge(const Comparison& later) {
    diff2 += later.diff2;
    ref2 += later.ref2;
    nonfinite_expected += later.nonfinite_expected;
    overflowed += later.overflowed;
    if (mismatch < 0) mismatch = later.mismatch;
  }
  void into(Check& c) const {
    c.error = ref2 > 0 ? std::sqrt(diff2 / ref2) : std::sqrt(diff2);
    c.nonfinite_expected = nonfinite_expected;
    c.overflowed = overflowed;
    c.mismatch_index = mismatch;
  }
};

int64_t count_nonfinite(const std::vector<float>& v) {
  return std::count_if(v.begin(), v.end(), [](float x) { return !std::isfinite(x); });
}

/// Outputs per chunk of the parallel scans and comparisons (fixed, so that merged sums never depend on the
/// thread count).
constexpr int64_t kScanChunk = int64_t{1} << 20;

/// Above this many outputs a problem with non-finite inputs is sampled (plus every non-finite output).
constexpr int64_t kFullCheckWithNonFinite = int64_t{1} << 22;

/// Points compared per chunk of the parallel reference check (fixed, as kScanChunk is).
constexpr int64_t kPointChunk = 256;

/// Compares points [0, n) in fixed chunks of `size` on the host's threads, add(part, i) putting point i into
/// its chunk's part (each a copy of `blank`), and merges the parts in order: the same sums whatever the thread
/// count.
template <class Add>
Comparison compare_in_chunks(const Comparison& blank, int64_t n, int64_t size, Add&& add) {
  std::vector<Comparison> parts(static_cast<size_t>(chunk_count(n, size)), blank);
  for_each_chunk(n, size, [&](int64_t chunk, int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) add(parts[static_cast<size_t>(chunk)], i);
  });
  Comparison cmp = blank;
  for (const Comparison& part : parts) cmp.merge(part);
  return cmp;
}

/// The logical (NKHW) indices a sampled check compares: the four corners of the last filter in the first
/// and last image (padding edge cases live there), then seeded random positions up to `samples` in all.
std::vector<int64_t> sampled_points(const Problem& p, uint64_t seed, int64_t samples) {
  const int64_t oh = p.out_h(), ow = p.out_w();
  std::vector<int64_t> picked;
  picked.reserve(static_cast<size_t>(std::max<int64_t>(samples, 8)));
  for (int64_t n : {int64_t{0}, p.n - 1})
    for (int64_t y : {int64_t{0}, oh - 1})
      for (int64_t x : {int64_t{0}, ow - 1}) picked.push_back(((n * p.k + p.k - 1) * oh + y) * ow + x);
  NormalSource pick(seed ^ 0x5eed5eed5eedull);
  while (static_cast<int64_t>(picked.size()) < samples)
    picked.push_back(static_cast<int64_t>(pick.next_u64() % static_cast<uint64_t>(p.output_elems())));
  return picked;
}
}  // namespace

Check check_against_reference(const Problem& p, const HostTensors& t, FloatView got, uint64_t seed, int64_t samples) {
  Check c;
  c.tolerance = tolerance(p.dtype);
  c.nonfinite_inputs = count_nonfinite(t);
  const int64_t total = p.output_elems(), oh = p.out_h(), ow = p.out_w();
  const auto add_point = [&](Comparison& cmp, int64_t n, int64_t k, int64_t y, int64_t x) {
    const int64_t at = output_offset(p, n, k, y, x);
    cmp.add(at, got[static_cast<size_t>(at)], reference_at(p, t, n, k, y, x));
  };
  // Points by logical NKHW index, so that every coordinate is reachable in either layout. Each costs a
  // float64 dot product with scattered reads (about 1 µs), so they are spread over the host's threads.
  // Rounded to the output's type, a value beyond its largest finite one is an infinity; within the dtype's
  // tolerance of that largest value, float accumulation may round either way.
  Comparison blank;
  blank.overflow_from = largest_finite(p.dtype) * (1 - c.tolerance);
  const auto compare_points = [&](int64_t count, auto&& logical_index) {
    return compare_in_chunks(blank, count, kPointChunk, [&](Comparison& part, int64_t i) {
      const int64_t idx = logical_index(i);
      add_point(part, idx / (ow * oh * p.k), (idx / (ow * oh)) % p.k, (idx / ow) % oh, idx % ow);
    });
  };
  Comparison cmp;
  if (total <= samples || (c.nonfinite_inputs > 0 && total <= kFullCheckWithNonFinite)) {
    cmp = compare_points(total, [](int64_t i) { return i; });
    c.points = total;
  } else {
    const std::vector<int64_t> picked = sampled_points(p, seed, samples);
    c.points = static_cast<int64_t>(picked.size());
    cmp = compare_points(c.points, [&](int64_t i) { return picked[static_cast<size_t>(i)]; });
    // Every non-finite output is checked too: one outside the sample must not slip through. A plain scan
    // first, so that the usual all-finite output costs no per-element index arithmetic.
    std::atomic<bool> any_nonfinite{false};
    for_each_chunk(static_cast<int64_t>(got.size()), kScanChunk, [&](int64_t, int64_t begin, int64_t end) {
      if (std::any_of(got.begin() + begin, got.begin() + end, [](float v) { return !std::isfinite(v); }))
        any_nonfinite = true;
    });
    for (int64_t n = 0; any_nonfinite && n < p.n; ++n)
      for (int64_t k = 0; k < p.k; ++k)
        for (int64_t y = 0; y < oh; ++y)
          for (int64_t x = 0; x < ow; ++x)
            if (!std::isfinite(got[static_cast<size_t>(output_offset(p, n, k, y, x))])) {
              add_point(cmp, n, k, y, x);
              ++c.points;
            }
    c.sampled = true;
  }
  cmp.into(c);
  return c;
}

int64_t count_nonfinite(const HostTensors& t) { return count_nonfinite(t.input) + count_nonfinite(t.weights); }

Check compare_outputs(FloatView got, FloatView want, double tolerance) {
  Check c;
  c.tolerance = tolerance;
  const size_t n = std::min(got.size(), want.size());
  const Comparison cmp = compare_in_chunks({}, static_cast<int64_t>(n), kScanChunk, [&](Comparison& part, int64_t i) {
    part.add(i, got[static_cast<size_t>(i)], want[static_cast<size_t>(i)]);
  });
  cmp.into(c);
  c.points = static_cast<int64_t>(n);
  return c;
}

}  // namespace convbench

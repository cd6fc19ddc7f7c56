// Problem validation, derived shapes and the canonical description.
#include "convbench/problem.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "convbench/error.hpp"

namespace convbench {

const char* to_string(DType d) {
  constexpr const char* kNames[] = {"f32", "tf32", "bf16", "f16"};  // in DType order
  return kNames[static_cast<size_t>(d)];
}

const char* to_string(Layout l) { return l == Layout::nhwc ? "nhwc" : "nchw"; }

std::array<int64_t, 4> layout_strides(Layout l, int64_t c, int64_t h, int64_t w) {
  if (l == Layout::nhwc) return {h * w * c, 1, w * c, c};
  return {c * h * w, h * w, w, 1};
}

std::vector<int64_t> storage_shape(Layout l, int64_t n, int64_t c, int64_t h, int64_t w) {
  if (l == Layout::nhwc) return {n, h, w, c};
  return {n, c, h, w};
}

int64_t total_padding(int64_t in, int64_t out, int64_t filter, int64_t stride, int64_t dil) {
  return (out - 1) * stride + (filter - 1) * dil + 1 - in;
}

std::optional<DType> dtype_from_string(const std::string& name) {
  for (DType d : {DType::f32, DType::tf32, DType::bf16, DType::f16})
    if (name == to_string(d)) return d;
  return std::nullopt;
}

std::optional<Layout> layout_from_string(const std::string& name) {
  for (Layout l : {Layout::nhwc, Layout::nchw})
    if (name == to_string(l)) return l;
  return std::nullopt;
}

int dtype_bytes(DType d) { return (d == DType::bf16 || d == DType::f16) ? 2 : 4; }

namespace {

constexpr int64_t kMaxDim = std::numeric_limits<int32_t>::max();

int64_t checked_product(std::initializer_list<int64_t> factors, const char* what) {
  int64_t p = 1;
  for (int64_t f : factors)
    if (__builtin_mul_overflow(p, f, &p))
      throw Error(ExitCode::out_of_memory, fmt::format("{} element count overflows 64 bits", what));
  return p;
}

int64_t extent(int64_t filter, int64_t dil) { return (filter - 1) * dil + 1; }

std::string pair(int64_t a, int64_t b) { return a == b ? fmt::format("{}", a) : fmt::format("{}x{}", a, b); }

}  // namespace

int64_t Problem::out_h() const { return (h + pad_top + pad_bottom - extent(r, dil_h)) / stride_h + 1; }
int64_t Problem::out_w() const { return (w + pad_left + pad_right - extent(s, dil_w)) / stride_w + 1; }
int64_t Problem::input_elems() const { return n * c * h * w; }
int64_t Problem::weight_elems() const { return k * (c / groups) * r * s; }
int64_t Problem::output_elems() const { return n * k * out_h() * out_w(); }

uint64_t Problem::tensor_bytes() const {
  return static_cast<uint64_t>(input_elems() + weight_elems() + output_elems()) * dtype_bytes(dtype);
}

namespace {
int64_t floor_div(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

/// How many t in [0, n) put t * step in [lo, hi] (step >= 1).
int64_t multiples_within(int64_t lo, int64_t hi, int64_t step, int64_t n) {
  const int64_t first = std::max<int64_t>(0, -floor_div(-lo, step));
  const int64_t last = std::min(n - 1, floor_div(hi, step));
  return last >= first ? last - first + 1 : 0;
}

/// Filter taps along one axis, summed over the outputs, that land inside the input. Tap f of output o reads
/// input o*stride - pad_before + f*dil. The outputs whose whole window is inside read every tap; the rest
/// are counted one by one, or, where they outnumber the taps, tap by tap. A loop over every (output, tap)
/// pair made a hand-edited record with a 2^30-wide filter take 2^60 steps to print.
double taps_inside(int64_t in, int64_t out, int64_t filter, int64_t stride, int64_t dil, int64_t pad_before) {
  const int64_t first_full = std::min(out, floor_div(pad_before + stride - 1, stride));
  const int64_t last_full = std::min(out - 1, floor_div(in - 1 + pad_before - (filter - 1) * dil, stride));
  const int64_t full = std::max<int64_t>(0, last_full - first_full + 1);
  double taps = 0;
  if (out - full > filter) {
    for (int64_t f = 0; f < filter; ++f) {
      const int64_t lo = pad_before - f * dil;  // o*stride lies in [lo, lo + in - 1]
      taps += static_cast<double>(multiples_within(lo, lo + in - 1, stride, out));
    }
    return taps;
  }
  taps = static_cast<double>(full) * static_cast<double>(filter);
  for (int64_t o = 0; o < out; ++o) {
    if (full > 0 && o == first_full) o = last_full + 1;
    if (o >= out) break;
    const int64_t lo = pad_before - o * stride;  // f*dil lies in [lo, lo + in - 1]
    taps += static_cast<double>(multiples_within(lo, lo + in - 1, dil, filter));
  }
  return taps;
}
}  // namespace

double Problem::effective_flops() const {
  return 2.0 * n * k * static_cast<double>(c / groups) * taps_inside(h, out_h(), r, stride_h, dil_h, pad_top) *
         taps_inside(w, out_w(), s, stride_w, dil_w, pad_left);
}

double Problem::flops() const { return 2.0 * n * k * out_h() * out_w() * static_cast<double>(c / groups) * r * s; }

void Problem::validate() const {
  auto positive = [](const char* flag, int64_t v, const std::string& shown) {
    if (v < 1 || v > kMaxDim)
      throw UsageError(flag, shown, fmt::format("each size must be an integer from 1 to {}", kMaxDim));
  };
  positive("--batch", n, std::to_string(n));
  for (int64_t v : {h, w, c}) positive("--input", v, fmt::format("{}x{}x{}", h, w, c));
  for (int64_t v : {k, r, s}) positive("--filter", v, fmt::format("{}x{}x{}", k, r, s));
  for (int64_t v : {stride_h, stride_w}) positive("--stride", v, pair(stride_h, stride_w));
  for (int64_t v : {dil_h, dil_w}) positive("--dilation", v, pair(dil_h, dil_w));
  positive("--groups", groups, std::to_string(groups));
  for (int64_t v : {pad_top, pad_bottom, pad_left, pad_right})
    if (v < 0 || v > kMaxDim)
      throw UsageError("--padding", std::to_string(v), fmt::format("padding must be from 0 to {}", kMaxDim));
  if (c % groups != 0)
    throw UsageError(
        fmt::format("--groups: {} does not divide the input's {} channel{}", groups, c, c == 1 ? "" : "s"));
  if (k % groups != 0) throw UsageError(fmt::format("--groups: {} does not divide the filter count {}", groups, k));
  const int64_t eh = extent(r, dil_h), ew = extent(s, dil_w);
  const int64_t ph = h + pad_top + pad_bottom, pw = w + pad_left + pad_right;
  if (eh > ph || ew > pw)
    throw UsageError(
        fmt::format("--filter: the {}x{} filter (extent {}x{} with dilation) is larger than the padded {}x{} input, "
                    "so the output would be empty",
                    r, s, eh, ew, ph, pw));
  checked_product({n, c, h, w}, "input");
  checked_product({k, c / groups, r, s}, "weight");
  checked_product({n, k, out_h(), out_w()}, "output");
  int64_t total = 0, bytes = 0;
  if (__builtin_add_overflow(input_elems(), weight_elems(), &total) ||
      __builtin_add_overflow(total, output_elems(), &total) || __builtin_mul_overflow(total, int64_t{8}, &bytes))
    throw Error(ExitCode::out_of_memory, "the problem's tensors need more than 2^63 bytes");
}

std::string Problem::describe() const {
  std::string pad = (pad_top == pad_bottom && pad_left == pad_right)
                        ? pair(pad_top, pad_left)
                        : fmt::format("{}x{}x{}x{}", pad_top, pad_bottom, pad_left, pad_right);
  return fmt::format(
      "--batch {} --input {}x{}x{} --filter {}x{}x{}x{} --stride {} --padding {} --dilation {} --groups {} "
      "--layout {} --dtype {}",
      n, h, w, c, k, r, s, c / groups, pair(stride_h, stride_w), pad, pair(dil_h, dil_w), groups, to_string(layout),
      to_string(dtype));
}

bool Problem::operator==(const Problem& o) const {
  return n == o.n && c == o.c && h == o.h && w == o.w && k == o.k && r == o.r && s == o.s && stride_h == o.stride_h &&
         stride_w == o.stride_w && pad_top == o.pad_top && pad_bottom == o.pad_bottom && pad_left == o.pad_left &&
         pad_right == o.pad_right && dil_h == o.dil_h && dil_w == o.dil_w && groups == o.groups && dtype == o.dtype &&
         layout == o.layout;
}

}  // namespace convbench

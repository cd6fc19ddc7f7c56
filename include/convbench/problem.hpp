// The convolution problem as a value type: shapes, stride, padding, dilation, groups, dtype and layout.
// It knows nothing about timing, devices or printing.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace convbench {

/// Element type and math mode. f32 is strict FP32; tf32 allows TF32 tensor cores on float data.
enum class DType { f32, tf32, bf16, f16 };
/// Memory layout of activations. Weights follow it: nhwc → KRSC, nchw → KCRS.
enum class Layout { nhwc, nchw };

const char* to_string(DType d);
const char* to_string(Layout l);
/// The enum a name stands for ("f32", "nchw", ...), or nothing for an unknown name: one table serves the
/// command line and records read back.
std::optional<DType> dtype_from_string(const std::string& name);
std::optional<Layout> layout_from_string(const std::string& name);

/// The one layout helper. A tensor of logical shape N×C×H×W (weights: K×C×R×S) stored in `l`: its strides
/// in elements, in the logical order {n, c, h, w}, and its shape in storage order (NHWC: {n, h, w, c}).
std::array<int64_t, 4> layout_strides(Layout l, int64_t c, int64_t h, int64_t w);
std::vector<int64_t> storage_shape(Layout l, int64_t n, int64_t c, int64_t h, int64_t w);

/// The padding (before + after) an axis needs for `out` outputs: (out − 1)·stride + (filter − 1)·dil + 1 − in.
/// Negative when fewer outputs than the unpadded input gives are asked for.
int64_t total_padding(int64_t in, int64_t out, int64_t filter, int64_t stride, int64_t dil);
/// Bytes of one stored element (tf32 data is stored as float).
int dtype_bytes(DType d);

/// One 2-D forward convolution. Defaults are the seed experiment: 100 images of 100×100×3, 32 filters
/// of 7×7, stride 1, VALID padding, NHWC, strict f32.
struct Problem {
  int64_t n = 100, c = 3, h = 100, w = 100;  ///< input: batch, channels, height, width
  int64_t k = 32, r = 7, s = 7;              ///< filters: count, height, width
  int64_t stride_h = 1, stride_w = 1;
  int64_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  int64_t dil_h = 1, dil_w = 1;  ///< 1 means no dilation
  int64_t groups = 1;
  DType dtype = DType::f32;
  Layout layout = Layout::nhwc;

  /// Throws UsageError, naming the flag at fault, unless the problem is well formed: positive sizes,
  /// channels divisible by groups, a non-empty output and element counts that fit in 63 bits.
  void validate() const;

  int64_t out_h() const;
  int64_t out_w() const;
  int64_t input_elems() const;   ///< n·c·h·w
  int64_t weight_elems() const;  ///< k·(c/g)·r·s
  int64_t output_elems() const;  ///< n·k·oh·ow
  /// Bytes of input, weights and output in the problem's dtype.
  uint64_t tensor_bytes() const;
  /// Floating-point operations of one run: 2·N·K·OH·OW·(C/G)·R·S.
  double flops() const;
  /// FLOP of the multiply-adds that touch real input (benchdnn's count): flops() less the taps that fall
  /// on padding. The roofline uses this, so that work on zero padding never counts as achieved compute.
  double effective_flops() const;

  /// The canonical flag form; passing it back to convbench gives the same problem.
  std::string describe() const;

  bool operator==(const Problem& o) const;
  bool operator!=(const Problem& o) const { return !(*this == o); }
};

}  // namespace convbench

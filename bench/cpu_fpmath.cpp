// Does oneDNN's bf16 math mode (fpmath_mode::bf16) change the f32 convolution kernel on this CPU? Prints, for
// the seed problem and a 3x3 layer, the implementation and the median of 7 runs in strict and bf16 modes.
// convbench's `--dtype tf32` on the CPU uses bf16 math only where the implementation differs.
// Usage: bench_cpu_fpmath
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <unordered_map>
#include <vector>

#include "backends/onednn/onednn_compat.hpp"

int main() {
  using dnnl::memory;
  const dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  dnnl::stream strm(eng);
  struct Shape {
    const char* name;
    memory::dims src, wei, dst;
  };
  const Shape shapes[] = {{"seed 100x3x100x100, 32x7x7", {100, 3, 100, 100}, {32, 3, 7, 7}, {100, 32, 94, 94}},
                          {"32x64x56x56, 64x3x3", {32, 64, 56, 56}, {64, 64, 3, 3}, {32, 64, 54, 54}}};
  const auto f32 = memory::data_type::f32;
  const auto any = memory::format_tag::any;
  for (const Shape& sh : shapes)
    for (const auto mode : {dnnl::fpmath_mode::strict, dnnl::fpmath_mode::bf16}) {
      dnnl::primitive_attr attr;
      attr.set_fpmath_mode(mode);
      const auto pd = convbench::onednn_compat::conv_pd(eng, {sh.src, f32, any}, {sh.wei, f32, any}, {sh.dst, f32, any},
                                                        {1, 1}, {0, 0}, {0, 0}, {0, 0}, attr);
      const dnnl::convolution_forward conv(pd);
      memory x(pd.src_desc(), eng), w(pd.weights_desc(), eng), y(pd.dst_desc(), eng);
      const std::unordered_map<int, memory> args{{DNNL_ARG_SRC, x}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DST, y}};
      std::vector<double> ms;
      for (int i = 0; i < 8; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        conv.execute(strm, args);
        strm.wait();
        if (i > 0)
          ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
      }
      std::sort(ms.begin(), ms.end());
      fmt::print("{:<30} {:<6} {:<28} median {:.2f} ms\n", sh.name, mode == dnnl::fpmath_mode::bf16 ? "bf16" : "strict",
                 pd.impl_info_str(), ms[ms.size() / 2]);
    }
}

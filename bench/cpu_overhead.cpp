// convbench's CPU median against a direct oneDNN call of the same primitive, in one process.
// The two are interleaved round by round so that machine noise hits both alike; the verdict is the
// ratio of their medians of round medians. Usage: bench_cpu_overhead [rounds] (default 7).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <oneapi/dnnl/dnnl.hpp>
#include <unordered_map>

#include "backends/onednn/onednn_compat.hpp"
#include "convbench/harness.hpp"
#include "convbench/system.hpp"

namespace {

using dnnl::memory;
using Clock = std::chrono::steady_clock;

/// The seed problem written straight against oneDNN: NHWC user data, format_tag::any, reorders outside
/// the timer, one warm-up, then `runs` runs; returns the median in ms.
struct DirectOneDnn {
  dnnl::engine eng{dnnl::engine::kind::cpu, 0};
  dnnl::stream strm{eng};
  dnnl::convolution_forward prim;
  std::unordered_map<int, memory> args;

  explicit DirectOneDnn(const convbench::HostTensors& t) {
    const memory::dims src{100, 3, 100, 100}, wei{32, 3, 7, 7}, dst{100, 32, 94, 94};
    const auto f32 = memory::data_type::f32;
    const auto any = memory::format_tag::any;
    const auto pd = convbench::onednn_compat::conv_pd(eng, memory::desc(src, f32, any), memory::desc(wei, f32, any),
                                                      memory::desc(dst, f32, any), {1, 1}, {0, 0}, {0, 0}, {0, 0});
    prim = dnnl::convolution_forward(pd);
    memory user_src({src, f32, memory::format_tag::nhwc}, eng, const_cast<float*>(t.input.data()));
    memory user_wei({wei, f32, memory::format_tag::ohwi}, eng, const_cast<float*>(t.weights.data()));
    memory s(pd.src_desc(), eng), w(pd.weights_desc(), eng), o(pd.dst_desc(), eng);
    dnnl::reorder(user_src, s).execute(strm, user_src, s);
    dnnl::reorder(user_wei, w).execute(strm, user_wei, w);
    strm.wait();
    args = {{DNNL_ARG_SRC, s}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DST, o}};
  }

  double median_ms(int runs) {
    std::vector<double> v;
    prim.execute(strm, args);
    strm.wait();
    for (int i = 0; i < runs; ++i) {
      const auto t0 = Clock::now();
      prim.execute(strm, args);
      strm.wait();
      v.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
    return convbench::summarize(v).median;
  }
};

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 7;
  const convbench::Problem p;  // the seed problem
  const auto inputs = convbench::make_inputs(p, 1);
  auto cpu = convbench::make_cpu_backend({0, 0});  // threads: all physical cores, as convbench's default
  DirectOneDnn direct(inputs);
  std::vector<double> ours, theirs;
  for (int i = 0; i < rounds; ++i) {
    ours.push_back(convbench::measure(*cpu.backend, p, inputs, {1, 10}).stats.median);
    theirs.push_back(direct.median_ms(10));
  }
  const double a = convbench::summarize(ours).median, b = convbench::summarize(theirs).median;
  fmt::print("machine: {} ({} physical cores)\n", convbench::cpu_model(), convbench::physical_cores());
  fmt::print("seed problem, f32 nhwc, {} rounds of 10 runs\n", rounds);
  fmt::print("convbench median {:.3f} ms ({:.0f} GFLOP/s), direct oneDNN {:.3f} ms ({:.0f} GFLOP/s), ratio {:.3f}\n", a,
             p.flops() / a * 1e-6, b, p.flops() / b * 1e-6, a / b);
  const bool ok = a <= 1.10 * b;
  fmt::print("target convbench within 10% of direct oneDNN: {}\n", ok ? "met" : "NOT met");
  return ok ? 0 : 1;
}

// oneDNN CPU backend: creates the convolution with format_tag::any, reorders the user's tensors into the
// chosen formats once (outside the timer), and times each execution with the host clock after a wait.
#include "backends/onednn/onednn_backend.hpp"

#include <fmt/format.h>
#include <omp.h>
#include <xmmintrin.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <oneapi/dnnl/dnnl.hpp>
#include <unordered_map>

#include "backends/onednn/onednn_compat.hpp"
#include "convbench/numeric.hpp"
#include "convbench/system.hpp"

namespace convbench {
namespace {

using dnnl::memory;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

memory::data_type dnnl_type(DType d) {
  // In DType order: tf32 data is f32.
  constexpr memory::data_type kTypes[] = {memory::data_type::f32, memory::data_type::f32, memory::data_type::bf16,
                                          memory::data_type::f16};
  return kTypes[static_cast<size_t>(d)];
}

/// A float tensor of logical shape {a, b, h, w} in the problem's layout, described with explicit strides.
memory::desc user_desc(const Problem& p, int64_t a, int64_t b, int64_t h, int64_t w) {
  const auto st = layout_strides(p.layout, b, h, w);
  return memory::desc({a, b, h, w}, memory::data_type::f32, {st[0], st[1], st[2], st[3]});
}

memory::desc user_src(const Problem& p) { return user_desc(p, p.n, p.c, p.h, p.w); }
memory::desc user_dst(const Problem& p) { return user_desc(p, p.n, p.k, p.out_h(), p.out_w()); }

/// Weights as KRSC (nhwc) or KCRS (nchw); with groups, the leading K splits into G × K/G.
memory::desc user_weights(const Problem& p) {
  const int64_t g = p.groups, kg = p.k / g, cg = p.c / g;
  if (g == 1) return user_desc(p, p.k, cg, p.r, p.s);
  const auto st = layout_strides(p.layout, cg, p.r, p.s);
  return memory::desc({g, kg, cg, p.r, p.s}, memory::data_type::f32, {kg * st[0], st[0], st[1], st[2], st[3]});
}

memory::desc any_desc(const memory::dims& dims, DType d) {
  return memory::desc(dims, dnnl_type(d), memory::format_tag::any);
}

dnnl::convolution_forward::primitive_desc make_pd(const dnnl::engine& eng, const Problem& p) {
  const memory::dims src{p.n, p.c, p.h, p.w}, dst{p.n, p.k, p.out_h(), p.out_w()};
  const memory::dims wei = p.groups == 1 ? memory::dims{p.k, p.c, p.r, p.s}
                                         : memory::dims{p.groups, p.k / p.groups, p.c / p.groups, p.r, p.s};
  dnnl::primitive_attr attr;
  // f32 never drops to bf16 math; tf32 on the CPU is f32 data with oneDNN's bf16 math mode.
  attr.set_fpmath_mode(p.dtype == DType::tf32 ? dnnl::fpmath_mode::bf16 : dnnl::fpmath_mode::strict);
  // oneDNN counts dilation from 0.
  return onednn_compat::conv_pd(eng, any_desc(src, p.dtype), any_desc(wei, p.dtype), any_desc(dst, p.dtype),
                                {p.stride_h, p.stride_w}, {p.dil_h - 1, p.dil_w - 1}, {p.pad_top, p.pad_left},
                                {p.pad_bottom, p.pad_right}, attr);
}

const char* math_text(DType d) {
  constexpr const char* kText[] = {"strict fp32", "f32 data, bf16 math (oneDNN fpmath mode bf16)",
                                   "bf16 data, f32 accumulation", "f16 data, f32 accumulation"};  // in DType order
  return kText[static_cast<size_t>(d)];
}

class OnednnConv final : public Conv2D {
 public:
  explicit OnednnConv(int threads) : threads_(threads > 0 ? threads : physical_cores()) {
    omp_set_num_threads(threads_);
    // Flush denormals to zero on every worker thread, so that denormal slow paths never skew a run.
#pragma omp parallel num_threads(threads_)
    _mm_setcsr(_mm_getcsr() | 0x8040);
  }

  DeviceInfo device() const override {
    const dnnl_version_t* v = dnnl_version();
    return {DeviceKind::cpu, cpu_model(), "oneDNN", fmt::format("{}.{}.{}", v->major, v->minor, v->patch)};
  }

  Support supports(const Problem& p) const override {
    try {
      const auto t0 = Clock::now();
      cached_pd_ = make_pd(eng_, p);
      cached_pd_ms_ = ms_since(t0);
      cached_problem_ = p;
    } catch (const dnnl::error& e) {
      return {false, fmt::format("oneDNN cannot run {} convolutions on this CPU (ISA {}): {}", to_string(p.dtype),
                                 onednn_isa(), e.what())};
    }
    if (p.dtype == DType::tf32) {
      // bf16 math counts only where it changes the kernel (native bf16: AVX512-BF16 with a kernel that uses
      // it, or AMX); where oneDNN runs the strict FP32 kernel anyway, calling it "bf16 math" would be false.
      Problem strict = p;
      strict.dtype = DType::f32;
      std::string f32_impl;
      try {
        f32_impl = make_pd(eng_, strict).impl_info_str();
      } catch (const dnnl::error&) {
        // no strict kernel to compare with: the bf16-math one stands
      }
      if (f32_impl == cached_pd_.impl_info_str())
        return {false, fmt::format("oneDNN's bf16 math mode does not change the kernel on this CPU (ISA {}: both run "
                                   "{}), so there is no reduced-precision f32 math here",
                                   onednn_isa(), f32_impl)};
    }
    return {};
  }

  PrepareReport prepare(const Problem& p, const HostTensors& in) override {
    PrepareReport rep;
    auto t0 = Clock::now();
    try {
      // Reuse the descriptor that supports() already created, and count its creation time here.
      const bool cached = cached_pd_ && cached_problem_ == p;
      pd_ = cached ? cached_pd_ : make_pd(eng_, p);
      if (cached)
        t0 -= std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double, std::milli>(cached_pd_ms_));
      prim_ = dnnl::convolution_forward(pd_);
      rep.setup_ms = ms_since(t0);

      t0 = Clock::now();
      src_ = memory(pd_.src_desc(), eng_);
      wei_ = memory(pd_.weights_desc(), eng_);
      dst_ = memory(pd_.dst_desc(), eng_);
      // The user's buffers are only read by the reorders; oneDNN's handle type is non-const.
      memory user_src_mem(user_src(p), eng_, const_cast<float*>(in.input.data()));
      memory user_wei_mem(user_weights(p), eng_, const_cast<float*>(in.weights.data()));
      dnnl::reorder(user_src_mem, src_).execute(strm_, user_src_mem, src_);
      dnnl::reorder(user_wei_mem, wei_).execute(strm_, user_wei_mem, wei_);
      strm_.wait();
      rep.reorder_ms = ms_since(t0);
    } catch (const dnnl::error& e) {
      throw LibraryError(fmt::format("oneDNN: preparing the convolution failed: {} (status {})", e.what(),
                                     static_cast<int>(e.status)));
    }
    user_dst_desc_ = user_dst(p);
    output_elems_ = p.output_elems();
    args_ = {{DNNL_ARG_SRC, src_}, {DNNL_ARG_WEIGHTS, wei_}, {DNNL_ARG_DST, dst_}};
    rep.implementation = pd_.impl_info_str();
    rep.warnings = implementation_warnings(rep.implementation);
    rep.threads = threads_;
    const char* bind = std::getenv("OMP_PROC_BIND");
    rep.details = {{"isa", onednn_isa()},
                   {"math", math_text(p.dtype)},
                   {"ftz_daz", "on"},
                   {"affinity", "cpus " + affinity_text()},
                   {"omp_proc_bind", bind && *bind ? bind : "unset"}};
    return rep;
  }

  double run() override {
    const auto t0 = Clock::now();
    try {
      prim_.execute(strm_, args_);
      strm_.wait();
    } catch (const dnnl::error& e) {
      throw LibraryError(fmt::format("oneDNN: convolution failed: {}", e.what()));
    }
    return ms_since(t0);
  }

  OutputFloats read_output() override {
    // Reorder straight into the returned buffer: no second full-size copy of the output, and no zero fill.
    OutputFloats out = floats_for_overwrite(static_cast<size_t>(output_elems_));
    memory user(user_dst_desc_, eng_, out.data());
    dnnl::reorder(dst_, user).execute(strm_, dst_, user);
    strm_.wait();
    return out;
  }

  /// Writes a buffer twice the last-level cache (at most 1 GiB), allocated once, on every thread.
  void flush_cache() override {
    if (flush_.empty()) {
      const uint64_t llc = last_level_cache_bytes();
      flush_.resize(static_cast<size_t>(std::min<uint64_t>(2 * (llc ? llc : 64ull << 20), 1ull << 30)));
    }
    char* data = flush_.data();
    const auto n = static_cast<int64_t>(flush_.size());
#pragma omp parallel for num_threads(threads_) schedule(static)
    for (int64_t i = 0; i < n; i += 64) data[i] = static_cast<char>(data[i] + 1);
  }

 private:
  int threads_;
  mutable dnnl::convolution_forward::primitive_desc cached_pd_;
  mutable Problem cached_problem_;
  mutable double cached_pd_ms_ = 0;
  dnnl::engine eng_{dnnl::engine::kind::cpu, 0};
  dnnl::stream strm_{eng_};
  dnnl::convolution_forward::primitive_desc pd_;
  dnnl::convolution_forward prim_;
  memory src_, wei_, dst_;
  memory::desc user_dst_desc_;
  std::vector<char> flush_;
  std::unordered_map<int, memory> args_;
  int64_t output_elems_ = 0;
};

}  // namespace

std::unique_ptr<Conv2D> make_onednn_backend(const BackendSettings& s) {
  return std::make_unique<OnednnConv>(s.threads);
}

std::vector<std::string> implementation_warnings(const std::string& implementation) {
  if (implementation.rfind("ref", 0) != 0) return {};
  return {
      fmt::format("oneDNN ran a reference implementation ({}): its time says little about this CPU", implementation)};
}

std::string onednn_version() {
  const dnnl_version_t* v = dnnl_version();
  return fmt::format("oneDNN {}.{}.{}", v->major, v->minor, v->patch);
}

namespace {
/// Fills `m`, an n×n matrix in `d` (f32 or bf16) in whatever layout oneDNN chose, with standard-normal values
/// from `seed`: written row-major, then reordered into that layout.
void fill_normal(const dnnl::engine& eng, dnnl::stream& strm, memory& m, int64_t n, DType d, uint64_t seed) {
  memory plain({{n, n}, dnnl_type(d), memory::format_tag::ab}, eng);
  NormalSource gen(seed);
  const auto count = static_cast<size_t>(n * n);
  if (d == DType::bf16) {
    auto* v = static_cast<uint16_t*>(plain.get_data_handle());
    for (size_t i = 0; i < count; ++i) v[i] = to_bf16_bits(gen.next());
  } else {
    auto* v = static_cast<float*>(plain.get_data_handle());
    for (size_t i = 0; i < count; ++i) v[i] = gen.next();
  }
  dnnl::reorder(plain, m).execute(strm, plain, m);
  strm.wait();
}

/// The best rate, in TFLOP/s, of an n³ matmul in `d`: one warm-up, then timed runs until 200 ms of them (at
/// least 3, at most 200). Its operands hold `data`. Throws dnnl::error when oneDNN cannot run it.
double matmul_tflops(const dnnl::engine& eng, DType d, int64_t n, CeilingData data) {
  dnnl::stream strm(eng);
  const auto t = dnnl_type(d);
  const memory::desc a({n, n}, t, memory::format_tag::ab), b({n, n}, t, memory::format_tag::any),
      c({n, n}, memory::data_type::f32, memory::format_tag::ab);
  dnnl::primitive_attr attr;
  attr.set_fpmath_mode(dnnl::fpmath_mode::strict);
  const dnnl::matmul::primitive_desc pd = onednn_compat::matmul_pd(eng, a, b, c, attr);
  const dnnl::matmul mm(pd);
  memory ma(pd.src_desc(), eng), mb(pd.weights_desc(), eng), mc(pd.dst_desc(), eng);
  if (data == CeilingData::zeros) {
    std::memset(ma.get_data_handle(), 0, pd.src_desc().get_size());
    std::memset(mb.get_data_handle(), 0, pd.weights_desc().get_size());
  } else {
    fill_normal(eng, strm, ma, n, d, 1);
    fill_normal(eng, strm, mb, n, d, 2);
  }
  const std::unordered_map<int, memory> args{{DNNL_ARG_SRC, ma}, {DNNL_ARG_WEIGHTS, mb}, {DNNL_ARG_DST, mc}};
  mm.execute(strm, args);  // warm-up
  strm.wait();
  double best = 1e30, total = 0;
  for (int i = 0; i < 200 && (i < 3 || total < 200); ++i) {
    const auto t0 = Clock::now();
    mm.execute(strm, args);
    strm.wait();
    const double ms = ms_since(t0);
    best = std::min(best, ms);
    total += ms;
  }
  return 2.0 * static_cast<double>(n * n * n) / (best * 1e-3) * 1e-12;
}
}  // namespace

double cpu_matmul_tflops(DType d, int threads, CeilingData data) {
  if (d != DType::f32 && d != DType::bf16) return 0;
  omp_set_num_threads(threads > 0 ? threads : physical_cores());
  try {
    const dnnl::engine eng(dnnl::engine::kind::cpu, 0);
    // No one size is the fastest everywhere: a small one stays in the caches of a few cores, a large one
    // keeps many cores busy. A ceiling is the best any of them reaches.
    double best = 0;
    for (const int64_t n : {512, 1024, 2048}) best = std::max(best, matmul_tflops(eng, d, n, data));
    return best;
  } catch (const dnnl::error&) {
    return 0;
  }
}

double cpu_copy_gbps(int threads) {
  const int nt = threads > 0 ? threads : physical_cores();
  constexpr size_t bytes = size_t{512} << 20;
  std::vector<char> src(bytes, 1), dst(bytes, 0);
  double best = 1e30;
  for (int i = 0; i < 5; ++i) {
    const auto t0 = Clock::now();
#pragma omp parallel num_threads(nt)
    {
      const size_t chunk = bytes / static_cast<size_t>(omp_get_num_threads());
      const size_t begin = chunk * static_cast<size_t>(omp_get_thread_num());
      std::memcpy(dst.data() + begin, src.data() + begin, chunk);
    }
    if (i > 0) best = std::min(best, ms_since(t0));
  }
  return 2.0 * static_cast<double>(bytes) / (best * 1e-3) * 1e-9;
}

std::string onednn_isa() { return onednn_compat::isa_name(dnnl::get_effective_cpu_isa()); }

}  // namespace convbench

// cuDNN backend: one forward-convolution graph through cudnn-frontend. Engine configs come from heuristics
// A and B plus the fallback list; every plan that builds is timed with CUDA events and the fastest kept.
// libcudnn is loaded at run time (frontend dynamic loading) and the CUDA runtime is linked statically.
#include "backends/cudnn/cudnn_backend.hpp"

#include <cudnn_frontend.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <limits>
#include <memory>
#include <unordered_map>

#include "backends/cudnn/cuda_util.hpp"
#include "backends/cudnn/gpu_probe.hpp"
#include "backends/cudnn/nvml.hpp"
#include "core/numeric.hpp"

// cudnn-frontend's dynamic-loading mode resolves every cuDNN symbol through this handle; probe_gpu()
// opens libcudnn.so.9 and make_cudnn_backend() stores it here.
namespace cudnn_frontend {
void* cudnn_dlhandle = nullptr;
}  // namespace cudnn_frontend

namespace convbench {
namespace {

namespace fe = cudnn_frontend;
using Clock = std::chrono::steady_clock;

/// Throws LibraryError unless a cudnn-frontend call returns OK.
#define CB_FE_CHECK(expr)                                                                                        \
  do {                                                                                                           \
    auto cb_fe_status_ = (expr);                                                                                 \
    if (cb_fe_status_.is_bad())                                                                                  \
      throw LibraryError(                                                                                        \
          fmt::format("cuDNN: {} failed: {} at {}:{}", #expr, cb_fe_status_.get_message(), __FILE__, __LINE__)); \
  } while (0)

/// A cuDNN handle bound to a stream. Movable only through unique_ptr.
class Handle {
 public:
  explicit Handle(cudaStream_t stream) {
    if (const cudnnStatus_t s = fe::detail::create_handle(&h_); s != CUDNN_STATUS_SUCCESS)
      throw LibraryError(fmt::format("cuDNN: cudnnCreate failed: {}", fe::detail::get_error_string(s)));
    if (const cudnnStatus_t s = fe::detail::set_stream(h_, stream); s != CUDNN_STATUS_SUCCESS)
      throw LibraryError(fmt::format("cuDNN: cudnnSetStream failed: {}", fe::detail::get_error_string(s)));
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { static_cast<void>(fe::detail::destroy_handle(h_)); }
  cudnnHandle_t get() const { return h_; }

 private:
  cudnnHandle_t h_ = nullptr;
};

fe::DataType_t io_type(DType d) {
  switch (d) {
    case DType::f16:
      return fe::DataType_t::HALF;
    case DType::bf16:
      return fe::DataType_t::BFLOAT16;
    default:
      return fe::DataType_t::FLOAT;
  }
}

/// Numerical notes an engine must not carry for the dtype's math mode. Strict f32 bars tensor cores
/// (TF32), as PyTorch does with allow_tf32 off; no mode lets inputs be down-converted; f16 and bf16
/// accumulate in float, so reduced-precision reductions are barred too.
std::vector<fe::NumericalNote_t> barred_notes(DType d) {
  std::vector<fe::NumericalNote_t> notes{fe::NumericalNote_t::DOWN_CONVERT_INPUTS};
  if (d == DType::f32) notes.push_back(fe::NumericalNote_t::TENSOR_CORE);
  if (d == DType::f16 || d == DType::bf16) notes.push_back(fe::NumericalNote_t::REDUCED_PRECISION_REDUCTION);
  return notes;
}

const char* math_mode(DType d) {
  switch (d) {
    case DType::f32:
      return "strict fp32 (tensor-core engines excluded)";
    case DType::tf32:
      return "tf32 tensor cores allowed";
    default:
      return "float accumulation";
  }
}

/// Strides of an N×C×H×W (or K×C×R×S) tensor stored channels-last or channels-first.
std::vector<int64_t> strides(Layout l, int64_t c, int64_t h, int64_t w) {
  return l == Layout::nhwc ? std::vector<int64_t>{h * w * c, 1, w * c, c}
                           : std::vector<int64_t>{c * h * w, h * w, w, 1};
}

std::string gib(double bytes) { return fmt::format("{:.2f} GiB", bytes / (1024.0 * 1024.0 * 1024.0)); }

/// Host copy of float values in the dtype's storage format (float, or 16-bit patterns).
std::vector<uint8_t> encode(DType d, const std::vector<float>& v) {
  std::vector<uint8_t> out(v.size() * static_cast<size_t>(dtype_bytes(d)));
  if (dtype_bytes(d) == 4) {
    std::memcpy(out.data(), v.data(), out.size());
    return out;
  }
  auto* p = reinterpret_cast<uint16_t*>(out.data());
  for (size_t i = 0; i < v.size(); ++i) p[i] = d == DType::bf16 ? to_bf16_bits(v[i]) : to_f16_bits(v[i]);
  return out;
}

std::vector<float> decode(DType d, const void* data, size_t count) {
  std::vector<float> out(count);
  if (dtype_bytes(d) == 4) {
    std::memcpy(out.data(), data, count * 4);
    return out;
  }
  const auto* p = static_cast<const uint16_t*>(data);
  for (size_t i = 0; i < count; ++i) out[i] = d == DType::bf16 ? from_bf16_bits(p[i]) : from_f16_bits(p[i]);
  return out;
}

enum Uid : int64_t { kX = 1, kW = 2, kY = 3 };

class CudnnConv final : public Conv2D {
 public:
  CudnnConv(GpuProbe probe, const BackendSettings& s) : probe_(std::move(probe)), settings_(s) {
    CB_CUDA_CHECK(cudaSetDevice(probe_.device));
    stream_ = std::make_unique<cuda::Stream>();
    handle_ = std::make_unique<Handle>(stream_->get());
    start_ = std::make_unique<cuda::Event>();
    stop_ = std::make_unique<cuda::Event>();
    char bus[32] = {};
    if (cudaDeviceGetPCIBusId(bus, sizeof bus, probe_.device) == cudaSuccess) nvml_ = std::make_unique<Nvml>(bus);
  }

  DeviceInfo device() const override {
    return {"gpu",
            fmt::format("{} (sm_{}{})", probe_.facts.name, probe_.facts.cc_major, probe_.facts.cc_minor),
            fmt::format("cuDNN {}", cudnn_version_string(probe_.cudnn_version)),
            probe_.facts.uuid,
            probe_.driver_release,
            "CUDA " + cuda_version_string(probe_.runtime_version)};
  }

  Support supports(const Problem&) const override { return {}; }
  const std::string& name() const { return probe_.facts.name; }

  PrepareReport prepare(const Problem& p, const HostTensors& in) override {
    p_ = p;
    PrepareReport rep;
    const auto t0 = Clock::now();
    allocate_and_upload(in);
    rep.reorder_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();

    const auto t1 = Clock::now();
    try {
      build_graph();
      select_plan(rep);
    } catch (const Error&) {
      throw;
    } catch (const std::exception& e) {
      throw LibraryError(fmt::format("cuDNN: {}", e.what()));
    }
    rep.setup_ms = std::chrono::duration<double, std::milli>(Clock::now() - t1).count();
    rep.device_bytes = x_.bytes() + w_.bytes() + y_.bytes() + workspace_.bytes() + flush_.bytes();
    rep.details.emplace_back("math", math_mode(p.dtype));
    rep.details.emplace_back("transfers", settings_.include_transfers ? "timed" : "excluded (data on the device)");
    return rep;
  }

  double run() override {
    cudaStream_t s = stream_->get();
    CB_CUDA_CHECK(cudaEventRecord(start_->get(), s));
    if (settings_.include_transfers)
      CB_CUDA_CHECK(cudaMemcpyAsync(x_.get(), x_host_.get(), x_.bytes(), cudaMemcpyHostToDevice, s));
    execute(plan_index_);
    if (settings_.include_transfers)
      CB_CUDA_CHECK(cudaMemcpyAsync(y_host_.get(), y_.get(), y_.bytes(), cudaMemcpyDeviceToHost, s));
    CB_CUDA_CHECK(cudaEventRecord(stop_->get(), s));
    return cuda::elapsed_ms(*start_, *stop_);
  }

  std::vector<float> read_output() override {
    CB_CUDA_CHECK(cudaStreamSynchronize(stream_->get()));
    const auto count = static_cast<size_t>(p_.output_elems());
    if (dtype_bytes(p_.dtype) == 4) {  // straight into the result: no staging copy
      std::vector<float> out(count);
      CB_CUDA_CHECK(cudaMemcpy(out.data(), y_.get(), y_.bytes(), cudaMemcpyDeviceToHost));
      return out;
    }
    std::vector<uint16_t> half(count);
    CB_CUDA_CHECK(cudaMemcpy(half.data(), y_.get(), y_.bytes(), cudaMemcpyDeviceToHost));
    return decode(p_.dtype, half.data(), count);
  }

  /// Overwrites an L2-sized device buffer, allocated once, on the backend's stream.
  void flush_cache() override {
    if (!flush_.get()) {
      int l2 = 0;
      CB_CUDA_CHECK(cudaDeviceGetAttribute(&l2, cudaDevAttrL2CacheSize, probe_.device));
      flush_ = cuda::DeviceBuffer(static_cast<size_t>(std::max(l2, 1 << 20)) * 2);
    }
    CB_CUDA_CHECK(cudaMemsetAsync(flush_.get(), ++flush_value_ & 0xff, flush_.bytes(), stream_->get()));
  }

  std::optional<ClockSample> sample_clock() override { return nvml_ ? nvml_->sample() : std::nullopt; }

 private:
  void allocate_and_upload(const HostTensors& in) {
    const size_t e = static_cast<size_t>(dtype_bytes(p_.dtype));
    const size_t xb = static_cast<size_t>(p_.input_elems()) * e, wb = static_cast<size_t>(p_.weight_elems()) * e,
                 yb = static_cast<size_t>(p_.output_elems()) * e;
    size_t free = 0, total = 0;
    CB_CUDA_CHECK(cudaMemGetInfo(&free, &total));
    if (xb + wb + yb > free)
      throw Error(ExitCode::out_of_memory,
                  fmt::format("out of GPU memory: needs {}, {} free on {}", gib(double(xb + wb + yb)),
                              gib(double(free)), probe_.facts.name));
    x_ = cuda::DeviceBuffer(xb);
    w_ = cuda::DeviceBuffer(wb);
    y_ = cuda::DeviceBuffer(yb);
    const auto xs = encode(p_.dtype, in.input), ws = encode(p_.dtype, in.weights);
    CB_CUDA_CHECK(cudaMemcpy(x_.get(), xs.data(), xb, cudaMemcpyHostToDevice));
    CB_CUDA_CHECK(cudaMemcpy(w_.get(), ws.data(), wb, cudaMemcpyHostToDevice));
    // Page-locked staging only where transfers are timed, so that they run at full speed.
    x_host_ = cuda::PinnedBuffer(settings_.include_transfers ? xb : 0);
    y_host_ = cuda::PinnedBuffer(settings_.include_transfers ? yb : 0);
    if (settings_.include_transfers) std::memcpy(x_host_.get(), xs.data(), xb);
    // cudaMemcpy from pageable memory may return before its DMA lands, and it runs on the legacy default
    // stream, which our non-blocking stream does not wait for: finish it before any kernel reads x or w.
    CB_CUDA_CHECK(cudaDeviceSynchronize());
    varpack_ = {{kX, x_.get()}, {kW, w_.get()}, {kY, y_.get()}};
  }

  void build_graph() {
    const Problem& p = p_;
    graph_ = std::make_unique<fe::graph::Graph>();
    fe::graph::Graph& g = *graph_;
    g.set_io_data_type(io_type(p.dtype)).set_compute_data_type(fe::DataType_t::FLOAT);
    g.set_sm_version(probe_.facts.cc_major * 10 + probe_.facts.cc_minor);  // saves the frontend a CUDA runtime lookup
    const int64_t cg = p.c / p.groups;
    auto x = g.tensor(fe::graph::Tensor_attributes()
                          .set_name("x")
                          .set_uid(kX)
                          .set_dim({p.n, p.c, p.h, p.w})
                          .set_stride(strides(p.layout, p.c, p.h, p.w)));
    auto w = g.tensor(fe::graph::Tensor_attributes()
                          .set_name("w")
                          .set_uid(kW)
                          .set_dim({p.k, cg, p.r, p.s})
                          .set_stride(strides(p.layout, cg, p.r, p.s)));
    auto conv = fe::graph::Conv_fprop_attributes()
                    .set_name("conv")
                    .set_pre_padding({p.pad_top, p.pad_left})
                    .set_post_padding({p.pad_bottom, p.pad_right})
                    .set_stride({p.stride_h, p.stride_w})
                    .set_dilation({p.dil_h, p.dil_w});
    auto y = g.conv_fprop(x, w, conv);
    y->set_output(true)
        .set_uid(kY)
        .set_data_type(io_type(p.dtype))
        .set_dim({p.n, p.k, p.out_h(), p.out_w()})
        .set_stride(strides(p.layout, p.k, p.out_h(), p.out_w()));
    CB_FE_CHECK(g.validate());
    CB_FE_CHECK(g.build_operation_graph(handle_->get()));
  }

  /// Offers the engine configs, filters them by math mode and workspace, builds, and picks one.
  void select_plan(PrepareReport& rep) {
    fe::graph::Graph& g = *graph_;
    const bool exhaustive = settings_.algo != AlgoSearch::heuristic;
    // Heuristics first; the fallback list is appended after them, so plan indices at or past
    // `from_heuristics` came from the fallback list. Heuristic mode asks it only when mode A offers nothing.
    CB_FE_CHECK(g.create_execution_plans(exhaustive ? std::vector<fe::HeurMode_t>{fe::HeurMode_t::A, fe::HeurMode_t::B}
                                                    : std::vector<fe::HeurMode_t>{fe::HeurMode_t::A}));
    const int64_t from_heuristics = g.get_execution_plan_count();
    if (exhaustive || from_heuristics == 0) CB_FE_CHECK(g.create_execution_plans({fe::HeurMode_t::FALLBACK}));
    g.deselect_numeric_notes(barred_notes(p_.dtype));
    size_t free = 0, total = 0;
    CB_CUDA_CHECK(cudaMemGetInfo(&free, &total));
    int64_t limit = static_cast<int64_t>(static_cast<double>(free) * 0.9);
    if (settings_.workspace_limit >= 0) limit = std::min(limit, settings_.workspace_limit);
    g.deselect_workspace_greater_than(limit);
    if (auto e = g.check_support(handle_->get()); e.is_bad())
      throw Error(ExitCode::unsupported,
                  fmt::format("cuDNN: no engine supports this problem in {} (CUDNN_STATUS_NOT_SUPPORTED: {})",
                              math_mode(p_.dtype), e.get_message()));
    // Exhaustive search builds every plan; building them on several threads keeps start-up short where
    // some engines compile at run time.
    if (auto e = g.build_plans(exhaustive ? fe::BuildPlanPolicy_t::ALL : fe::BuildPlanPolicy_t::HEURISTICS_CHOICE,
                               /*do_multithreaded_builds=*/exhaustive);
        e.is_bad())
      throw Error(ExitCode::unsupported,
                  fmt::format("cuDNN: no engine supports this problem (CUDNN_STATUS_NOT_SUPPORTED: no plan could be "
                              "built: {})",
                              e.get_message()));

    const int64_t offered = g.get_execution_plan_count();
    std::vector<int64_t> built;
    int64_t max_ws = 0;
    for (int64_t i = 0; i < offered; ++i) {
      int64_t ws = 0;
      if (g.get_workspace_size_plan_at_index(i, ws).is_bad() || ws > limit) continue;
      built.push_back(i);
      max_ws = std::max(max_ws, ws);
    }
    if (built.empty())
      throw Error(ExitCode::unsupported,
                  "cuDNN: no engine supports this problem (CUDNN_STATUS_NOT_SUPPORTED: no plan could be built)");
    workspace_ = cuda::DeviceBuffer(static_cast<size_t>(max_ws));

    const auto t0 = Clock::now();
    int64_t best = -1;
    double best_ms = std::numeric_limits<double>::infinity();
    int timed = 0;
    for (int64_t i : built) {
      if (!exhaustive) {
        if (!try_execute(i)) continue;
        best = i;
        break;
      }
      // One warm-up, then the median of three event-timed runs.
      if (!try_execute(i)) continue;
      std::vector<double> ms;
      for (int r = 0; r < 3; ++r) {
        CB_CUDA_CHECK(cudaEventRecord(start_->get(), stream_->get()));
        execute(i);
        CB_CUDA_CHECK(cudaEventRecord(stop_->get(), stream_->get()));
        ms.push_back(cuda::elapsed_ms(*start_, *stop_));
      }
      std::sort(ms.begin(), ms.end());
      ++timed;
      if (ms[1] < best_ms) best_ms = ms[1], best = i;
    }
    const double tune_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    if (best < 0)
      throw Error(ExitCode::unsupported, "cuDNN: no engine supports this problem (every plan failed to run)");
    plan_index_ = best;

    std::string name;
    CB_FE_CHECK(g.get_plan_name_at_index(best, name));
    int64_t ws = 0;
    CB_FE_CHECK(g.get_workspace_size_plan_at_index(best, ws));
    rep.implementation = name;
    rep.details.emplace_back("source", best < from_heuristics ? "heuristics" : "fallback list");
    rep.details.emplace_back("workspace", fmt::format("{} bytes", ws));
    rep.details.emplace_back(
        "algo", exhaustive ? fmt::format("exhaustive, fastest of {} configs timed ({} offered) in {:.0f} ms", timed,
                                         offered, tune_ms)
                           : fmt::format("heuristic, first buildable of {} offered", offered));
  }

  bool try_execute(int64_t index) {
    auto st = graph_->execute_plan_at_index(handle_->get(), varpack_, workspace_.get(), index);
    if (st.is_bad()) return false;
    return cudaStreamSynchronize(stream_->get()) == cudaSuccess;
  }

  void execute(int64_t index) {
    CB_FE_CHECK(graph_->execute_plan_at_index(handle_->get(), varpack_, workspace_.get(), index));
  }

  GpuProbe probe_;
  BackendSettings settings_;
  Problem p_;
  std::unique_ptr<cuda::Stream> stream_;
  std::unique_ptr<Handle> handle_;
  std::unique_ptr<fe::graph::Graph> graph_;
  std::unordered_map<int64_t, void*> varpack_;
  cuda::DeviceBuffer x_, w_, y_, workspace_, flush_;
  int flush_value_ = 0;
  std::unique_ptr<Nvml> nvml_;
  cuda::PinnedBuffer x_host_, y_host_;
  // Created after cudaSetDevice, so that they belong to the selected GPU.
  std::unique_ptr<cuda::Event> start_, stop_;
  int64_t plan_index_ = -1;
};

}  // namespace

Availability make_cudnn_backend(const BackendSettings& s) {
  GpuProbe probe = probe_gpu(s.gpu_index);
  if (probe.status != GpuStatus::ok) return {nullptr, probe.message, exit_code_for(probe.status)};
  fe::cudnn_dlhandle = probe.cudnn_library;
  try {
    return {std::make_unique<CudnnConv>(std::move(probe), s), "", ExitCode::ok};
  } catch (const Error& e) {
    return {nullptr, e.what(), ExitCode::gpu_other};
  }
}

Ceilings measure_cudnn_ceilings(const BackendSettings& s) {
  Availability gpu = make_cudnn_backend(s);
  if (!gpu.backend) throw Error(gpu.code, gpu.reason);
  Ceilings c;
  c.device = ceiling_key("gpu", static_cast<CudnnConv&>(*gpu.backend).name(), 0);
  for (DType d : {DType::f32, DType::tf32, DType::bf16, DType::f16}) {
    Problem gemm;  // 1x1 convolution: (32·64·64) × 1024 by 1024 × 1024
    gemm.n = 32, gemm.h = 64, gemm.w = 64, gemm.c = 1024, gemm.k = 1024, gemm.r = 1, gemm.s = 1, gemm.dtype = d;
    HostTensors zeros{std::vector<float>(static_cast<size_t>(gemm.input_elems())),
                      std::vector<float>(static_cast<size_t>(gemm.weight_elems()))};
    gpu.backend->prepare(gemm, zeros);
    double best = 1e30;
    for (int i = 0; i < 11; ++i) {
      const double ms = gpu.backend->run();
      if (i > 0) best = std::min(best, ms);
    }
    c.tflops[to_string(d)] = gemm.flops() / (best * 1e-3) * 1e-12;
  }
  constexpr size_t bytes = size_t{1} << 30;
  cuda::DeviceBuffer a(bytes), b(bytes);
  cuda::Event start, stop;
  double best = 1e30;
  for (int i = 0; i < 6; ++i) {
    CB_CUDA_CHECK(cudaEventRecord(start.get()));
    CB_CUDA_CHECK(cudaMemcpyAsync(b.get(), a.get(), bytes, cudaMemcpyDeviceToDevice));
    CB_CUDA_CHECK(cudaEventRecord(stop.get()));
    const double ms = cuda::elapsed_ms(start, stop);
    if (i > 0) best = std::min(best, ms);
  }
  c.gbps = 2.0 * static_cast<double>(bytes) / (best * 1e-3) * 1e-9;
  return c;
}

std::string cudnn_versions() {
  const std::string built =
      fmt::format("built against cuDNN {}.{}.{} headers, CUDA runtime {} linked statically", CUDNN_MAJOR, CUDNN_MINOR,
                  CUDNN_PATCHLEVEL, cuda_version_string(CUDART_VERSION));
  void* lib = dlopen("libcudnn.so.9", RTLD_NOW | RTLD_LOCAL);
  if (!lib) return "cuDNN: libcudnn.so.9 cannot be loaded (" + built + ")";
  using GetVersion = size_t (*)();
  auto get = reinterpret_cast<GetVersion>(dlsym(lib, "cudnnGetVersion"));
  const std::string v = get ? cudnn_version_string(static_cast<int64_t>(get())) : "unknown";
  dlclose(lib);
  return fmt::format("cuDNN {} ({})", v, built);
}

}  // namespace convbench

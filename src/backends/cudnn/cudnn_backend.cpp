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
#include <set>
#include <unordered_map>

#include "backends/cudnn/cuda_util.hpp"
#include "backends/cudnn/cuda_probe.hpp"
#include "backends/cudnn/nvml.hpp"
#include "convbench/numeric.hpp"
#include "convbench/tune_cache.hpp"

// cudnn-frontend's dynamic-loading mode resolves every cuDNN symbol through this handle; probe_cuda_system()
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

/// Numerical notes an engine must not carry for the dtype's math mode, as PyTorch filters them: strict f32
/// bars tensor cores (TF32), as with allow_tf32 off, and no mode lets inputs be down-converted. f16 and bf16
/// engines may use reduced-precision reductions, as PyTorch allows them.
std::vector<fe::NumericalNote_t> barred_notes(DType d) {
  std::vector<fe::NumericalNote_t> notes{fe::NumericalNote_t::DOWN_CONVERT_INPUTS};
  if (d == DType::f32) notes.push_back(fe::NumericalNote_t::TENSOR_CORE);
  return notes;
}

const char* math_mode(DType d) {
  switch (d) {
    case DType::f32:
      return "strict fp32 (tensor-core engines excluded)";
    case DType::tf32:
      return "tf32 tensor cores allowed";
    default:
      return "tensor cores, float compute type (reduced-precision reductions allowed, as in PyTorch)";
  }
}

/// Strides of an N×C×H×W (or K×C×R×S) tensor in the layout, as the frontend takes them.
std::vector<int64_t> strides(Layout l, int64_t c, int64_t h, int64_t w) {
  const auto st = layout_strides(l, c, h, w);
  return {st.begin(), st.end()};
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

/// Whether a frontend status means "cuDNN has no engine for this" (exit 4) rather than a failure (exit 7).
bool means_unsupported(fe::error_t e) {  // by value: error_t's getters are not const
  return e.get_code() == fe::error_code_t::GRAPH_NOT_SUPPORTED ||
         e.get_code() == fe::error_code_t::HEURISTIC_QUERY_FAILED ||
         e.get_code() == fe::error_code_t::GRAPH_EXECUTION_PLAN_CREATION_FAILED;
}

/// How many distinct engine configs `--algo auto` builds and times. Provisional until measured on the
/// H100: PyTorch times up to 10 (torch.backends.cudnn.benchmark_limit) from mode A and the fallback list.
constexpr int kAutoCandidates = 12;
/// A candidate whose warm-up run takes this many times the best median so far is not timed further.
constexpr double kSlowWarmupFactor = 3.0;

/// One engine config offered for the graph, before or after building.
struct Candidate {
  int64_t index = -1;   ///< plan index in the graph
  std::string name;     ///< engine name with its knobs
  const char* source;   ///< which query offered it
  int64_t workspace = 0;
};

/// What the search saw, for the report.
struct SearchStats {
  int offered = 0, distinct = 0, built = 0, timed = 0, cut_short = 0;
  double ms = 0;
};

class CudnnConv final : public Conv2D {
 public:
  CudnnConv(GpuProbe probe, const BackendSettings& s)
      : probe_(std::move(probe)), settings_(s), cache_(s.tune_cache) {
    CB_CUDA_CHECK(cudaSetDevice(probe_.device));
    stream_ = std::make_unique<cuda::Stream>();
    handle_ = std::make_unique<Handle>(stream_->get());
    timer_ = std::make_unique<cuda::RunTimer>(stream_->get());
  }

  DeviceInfo device() const override {
    return {DeviceKind::gpu,
            probe_.facts.name,
            "cuDNN",
            cudnn_version_string(probe_.cudnn_version),
            fmt::format("sm_{}{}", probe_.facts.cc_major, probe_.facts.cc_minor),
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
      choose_plan(rep);
      // One gated run of the chosen plan: it checks that the plan runs and that the gate holds.
      static_cast<void>(run_many(1, false));
    } catch (const Error&) {
      throw;
    } catch (const std::exception& e) {
      throw LibraryError(fmt::format("cuDNN: {}", e.what()));
    }
    rep.setup_ms = std::chrono::duration<double, std::milli>(Clock::now() - t1).count();
    rep.device_bytes = x_.bytes() + w_.bytes() + y_.bytes() + workspace_.bytes() + flush_.bytes();
    rep.details.emplace_back("math", math_mode(p.dtype));
    rep.details.emplace_back("transfers", settings_.include_transfers ? "timed" : "excluded (data on the device)");
    rep.details.emplace_back("timing", gated_ ? "device only (runs queued behind a held stream)"
                                              : "includes launch latency (the stream could not be held)");
    for (std::string& w : cache_.take_warnings()) rep.warnings.push_back(std::move(w));
    if (!gated_)
      rep.warnings.push_back(
          "the stream could not be held while runs were queued (a call waited for it); times may include the "
          "host's launch latency");
    return rep;
  }

  double run() override { return run_many(1, false).front(); }

  std::vector<double> run_many(int count, bool flush) override {
    cudaStream_t s = stream_->get();
    const auto before = [&](int) {
      if (flush) flush_cache();
    };
    const auto body = [&](int) {
      if (settings_.include_transfers)
        CB_CUDA_CHECK(cudaMemcpyAsync(x_.get(), x_host_.get(), x_.bytes(), cudaMemcpyHostToDevice, s));
      execute(plan_index_);
      if (settings_.include_transfers)
        CB_CUDA_CHECK(cudaMemcpyAsync(y_host_.get(), y_.get(), y_.bytes(), cudaMemcpyDeviceToHost, s));
    };
    return timer_->time(count, before, body, gated_);
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

  /// NVML is opened on the first sample, so that runs which never read clocks (`convbench check`) skip it.
  std::optional<ClockSample> sample_clock() override {
    if (!nvml_tried_) {
      nvml_tried_ = true;
      char bus[32] = {};
      if (cudaDeviceGetPCIBusId(bus, sizeof bus, probe_.device) == cudaSuccess) nvml_ = std::make_unique<Nvml>(bus);
    }
    return nvml_ ? nvml_->sample() : std::nullopt;
  }

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
    // convbench never captures CUDA graphs: without this, every execute of a runtime-compiled engine asks the
    // frontend's own libcudart whether the stream is capturing.
    g.set_cuda_graph_retention(fe::CudaGraphRetention_t::NONE);
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
    graph_status(g.validate(), "validate");
    graph_status(g.build_operation_graph(handle_->get()), "build_operation_graph");
  }

  /// A graph that cuDNN does not support is "unsupported"; any other failure is a library error.
  void graph_status(fe::error_t e, const char* call) const {
    if (e.is_good()) return;
    if (means_unsupported(e)) throw no_engine(fmt::format("{}: {}", call, e.get_message()));
    throw LibraryError(fmt::format("cuDNN: {} failed: {}", call, e.get_message()));
  }

  int64_t workspace_limit() const {
    size_t free = 0, total = 0;
    CB_CUDA_CHECK(cudaMemGetInfo(&free, &total));
    int64_t limit = static_cast<int64_t>(static_cast<double>(free) * 0.9);
    if (settings_.workspace_limit >= 0) limit = std::min(limit, settings_.workspace_limit);
    return limit;
  }

  TuneKey tune_key() const {
    const auto& f = probe_.facts;
    return {f.uuid.empty() ? fmt::format("{} sm_{}{}", f.name, f.cc_major, f.cc_minor) : f.uuid,
            probe_.driver_release.empty() ? cuda_version_string(probe_.driver_version) : probe_.driver_release,
            cudnn_version_string(probe_.cudnn_version),
            fmt::format("{}.{}.{}", CUDNN_FRONTEND_MAJOR_VERSION, CUDNN_FRONTEND_MINOR_VERSION,
                        CUDNN_FRONTEND_PATCH_VERSION),
            p_.describe(),
            settings_.workspace_limit < 0 ? "auto" : std::to_string(settings_.workspace_limit),
            settings_.algo == AlgoSearch::exhaustive ? "exhaustive" : "auto"};
  }

  /// Picks the plan: cuDNN's first buildable heuristic choice, or the fastest of a timed search, with the
  /// tuning cache in front of the search.
  void choose_plan(PrepareReport& rep) {
    const int64_t limit = workspace_limit();
    std::string how;
    if (settings_.algo == AlgoSearch::heuristic) {
      const std::vector<Candidate> offered = offer_candidates(false, limit);
      for (const Candidate& c : offered) {
        Candidate built = c;
        if (!try_build(built, limit) || !allocate_workspace(built.workspace) || !try_execute(built.index)) continue;
        plan_index_ = built.index;
        rep.details.emplace_back("source", c.source);
        if (std::string(c.source) == "fallback list")
          rep.warnings.push_back(
              "the engine came from cuDNN's fallback list, not its heuristics: it is likely far from the fastest");
        break;
      }
      if (plan_index_ < 0) throw_no_plan("no offered engine config built and ran");
      how = fmt::format("heuristic, first of {} offered that builds and runs", offered.size());
    } else {
      SearchStats stats;
      const TunedChoice choice = choose_with_cache(
          cache_, tune_key(), settings_.retune, [&](const TunedEngine& e) { return rebuild(e, limit); },
          [&] { return search(limit, stats); });
      if (choice.from_cache) {
        rep.details.emplace_back("source", "tuning cache");
        how = fmt::format("engine from cache ({}; searched earlier, {:.3f} ms then)", cache_.path(),
                          choice.engine.median_ms);
      } else {
        rep.details.emplace_back("source", search_source_);
        how = fmt::format("{}, fastest of {} configs timed ({} offered, {} distinct, {} built, {} cut short) in {:.0f} ms",
                          settings_.algo == AlgoSearch::exhaustive ? "exhaustive" : "auto", stats.timed, stats.offered,
                          stats.distinct, stats.built, stats.cut_short, stats.ms);
      }
    }
    std::string name;
    CB_FE_CHECK(graph_->get_plan_name_at_index(plan_index_, name));
    int64_t ws = 0;
    CB_FE_CHECK(graph_->get_workspace_size_plan_at_index(plan_index_, ws));
    rep.implementation = name;
    rep.details.emplace_back("workspace", fmt::format("{} bytes", ws));
    rep.details.emplace_back("algo", how);
  }

  Error no_engine(const std::string& why) const {
    return Error(ExitCode::unsupported,
                 fmt::format("cuDNN: no engine supports this problem in {} (CUDNN_STATUS_NOT_SUPPORTED: {})",
                             math_mode(p_.dtype), why));
  }

  /// Queries engine configs (mode A; with `wide`, then the fallback list and mode B; else the fallback list
  /// only when mode A offers nothing), drops barred numerical notes and oversized workspaces, and returns
  /// the distinct configs in that order. Only "no configs at all" is an error (unsupported).
  std::vector<Candidate> offer_candidates(bool wide, int64_t limit, SearchStats* stats = nullptr) {
    fe::graph::Graph& g = *graph_;
    std::vector<const char*> source_of;
    std::string failures, library_failure;
    const auto query = [&](fe::HeurMode_t mode, const char* source) {
      const int64_t before = g.get_execution_plan_count();
      fe::error_t e;
      try {
        e = g.create_execution_plans({mode});
      } catch (const std::exception& ex) {
        e = {fe::error_code_t::CUDNN_BACKEND_API_FAILED, ex.what()};  // a throw is a failure, not "unsupported"
      }
      if (e.is_bad()) {
        failures += fmt::format("; {}: {}", source, e.get_message());
        if (!means_unsupported(e) && library_failure.empty()) library_failure = source + (": " + e.get_message());
      }
      const int64_t after = g.get_execution_plan_count();
      for (int64_t i = before; i < after; ++i) source_of.push_back(source);
      return after > before;
    };
    const bool from_a = query(fe::HeurMode_t::A, "heuristics mode A");
    if (wide) {
      query(fe::HeurMode_t::FALLBACK, "fallback list");
      query(fe::HeurMode_t::B, "heuristics mode B");
    } else if (!from_a) {
      query(fe::HeurMode_t::FALLBACK, "fallback list");
    }
    if (source_of.empty()) {
      if (!library_failure.empty()) throw LibraryError("cuDNN: the heuristics query failed: " + library_failure);
      throw no_engine("no engine config was offered" + failures);
    }
    g.deselect_numeric_notes(barred_notes(p_.dtype));
    g.deselect_workspace_greater_than(limit);
    std::vector<Candidate> out;
    std::set<std::string> seen;
    for (int64_t i = 0; i < static_cast<int64_t>(source_of.size()); ++i) {
      std::string name;
      if (g.get_plan_name_at_index(i, name).is_bad() || !seen.insert(name).second) continue;
      out.push_back({i, name, source_of[static_cast<size_t>(i)]});
    }
    if (stats) stats->offered = static_cast<int>(source_of.size()), stats->distinct = static_cast<int>(out.size());
    return out;
  }

  /// Builds one plan; false (never a throw) when it does not build, is barred, or needs too much workspace.
  /// The first failure that is not "not supported" is kept in build_failure_.
  bool try_build(Candidate& c, int64_t limit) {
    try {
      if (fe::error_t e = graph_->build_plan_at_index(c.index); e.is_bad()) {
        if (!means_unsupported(e) && build_failure_.empty())
          build_failure_ = fmt::format("building {} failed: {}", c.name, e.get_message());
        return false;
      }
      return graph_->get_workspace_size_plan_at_index(c.index, c.workspace).is_good() && c.workspace <= limit;
    } catch (const std::exception& e) {
      if (build_failure_.empty()) build_failure_ = fmt::format("building {} threw: {}", c.name, e.what());
      return false;
    }
  }

  /// No plan built: unsupported when every failure said so, else the first library failure.
  [[noreturn]] void throw_no_plan(const std::string& why) const {
    if (!build_failure_.empty()) throw LibraryError("cuDNN: " + build_failure_);
    throw no_engine(why);
  }

  /// Makes the workspace at least `bytes`; false when the GPU cannot allocate that much.
  bool allocate_workspace(int64_t bytes) {
    if (static_cast<size_t>(bytes) <= workspace_.bytes()) return true;
    try {
      workspace_ = cuda::DeviceBuffer();
      workspace_ = cuda::DeviceBuffer(static_cast<size_t>(bytes));
      return true;
    } catch (const Error& e) {
      if (e.code() != ExitCode::out_of_memory) throw;
      return false;
    }
  }

  bool try_execute(int64_t index) {
    try {
      if (graph_->execute_plan_at_index(handle_->get(), varpack_, workspace_.get(), index).is_bad()) return false;
      return cudaStreamSynchronize(stream_->get()) == cudaSuccess;
    } catch (const std::exception&) {
      return false;
    }
  }

  /// Rebuilds a cached engine config as a new plan and checks that it runs.
  bool rebuild(const TunedEngine& e, int64_t limit) {
    try {
      std::unordered_map<fe::KnobType_t, int64_t> knobs;
      for (const auto& [type, choice] : e.knobs) knobs[static_cast<fe::KnobType_t>(type)] = choice;
      if (graph_->create_execution_plan(e.engine_id, knobs).is_bad()) return false;
    } catch (const std::exception&) {
      return false;
    }
    Candidate c{graph_->get_execution_plan_count() - 1, e.name, "tuning cache"};
    if (!try_build(c, limit) || !allocate_workspace(c.workspace) || !try_execute(c.index)) return false;
    plan_index_ = c.index;
    return true;
  }

  /// Builds the distinct candidates (auto: the first kAutoCandidates that build), times each (a warm-up, then
  /// the median of three runs queued behind a held stream) and keeps the fastest.
  TunedEngine search(int64_t limit, SearchStats& stats) {
    const auto t0 = Clock::now();
    const bool exhaustive = settings_.algo == AlgoSearch::exhaustive;
    std::vector<Candidate> built;
    for (Candidate c : offer_candidates(true, limit, &stats)) {
      if (!exhaustive && static_cast<int>(built.size()) >= kAutoCandidates) break;
      if (try_build(c, limit)) built.push_back(c);
    }
    stats.built = static_cast<int>(built.size());
    if (built.empty()) throw_no_plan("no offered engine config could be built");
    // One workspace for all; when the largest cannot be allocated, drop the plans that need it.
    std::sort(built.begin(), built.end(), [](const Candidate& a, const Candidate& b) { return a.index < b.index; });
    for (;;) {
      int64_t max_ws = 0;
      for (const Candidate& c : built) max_ws = std::max(max_ws, c.workspace);
      if (allocate_workspace(max_ws)) break;
      built.erase(std::remove_if(built.begin(), built.end(), [&](const Candidate& c) { return c.workspace == max_ws; }),
                  built.end());
      if (built.empty()) throw Error(ExitCode::out_of_memory, "out of GPU memory: no engine's workspace can be allocated");
    }
    const Candidate* best = nullptr;
    double best_ms = std::numeric_limits<double>::infinity();
    for (const Candidate& c : built) {
      std::vector<double> ms;
      try {
        const auto run_c = [&](int) { execute(c.index); };
        const double warm = timer_->time(1, nullptr, run_c, gated_).front();
        if (warm > kSlowWarmupFactor * best_ms) {
          ++stats.cut_short;
          continue;
        }
        ms = timer_->time(3, nullptr, run_c, gated_);
      } catch (const std::exception&) {
        CB_CUDA_CHECK(cudaStreamSynchronize(stream_->get()));  // a sticky CUDA error ends the search here
        continue;
      }
      std::sort(ms.begin(), ms.end());
      ++stats.timed;
      if (ms[1] < best_ms) best_ms = ms[1], best = &c;
    }
    stats.ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    if (!best) throw no_engine("every engine config that built failed to run");
    plan_index_ = best->index;
    search_source_ = fmt::format("fastest timed (offered by {})", best->source);
    TunedEngine t;
    std::unordered_map<fe::KnobType_t, int64_t> knobs;
    CB_FE_CHECK(graph_->get_engine_and_knobs_at_index(best->index, t.engine_id, knobs));
    for (const auto& [type, choice] : knobs) t.knobs[static_cast<int>(type)] = choice;
    t.name = best->name;
    t.median_ms = best_ms;
    return t;
  }

  void execute(int64_t index) {
    CB_FE_CHECK(graph_->execute_plan_at_index(handle_->get(), varpack_, workspace_.get(), index));
  }

  GpuProbe probe_;
  BackendSettings settings_;
  TuneCache cache_;
  Problem p_;
  std::unique_ptr<cuda::Stream> stream_;
  std::unique_ptr<Handle> handle_;
  std::unique_ptr<fe::graph::Graph> graph_;
  std::unordered_map<int64_t, void*> varpack_;
  cuda::DeviceBuffer x_, w_, y_, workspace_, flush_;
  int flush_value_ = 0;
  bool nvml_tried_ = false;
  std::unique_ptr<Nvml> nvml_;
  cuda::PinnedBuffer x_host_, y_host_;
  // Created after cudaSetDevice, so that its events belong to the selected GPU.
  std::unique_ptr<cuda::RunTimer> timer_;
  bool gated_ = true;  ///< false once the stream gate had to open on its timeout
  int64_t plan_index_ = -1;
  std::string search_source_;
  std::string build_failure_;  ///< the first plan build failure that was not "not supported"
};

}  // namespace

Availability make_cudnn_backend(const BackendSettings& s) { return make_cudnn_backend(s, probe_cuda_system(s.gpu_index)); }

Availability make_cudnn_backend(const BackendSettings& s, GpuProbe probe) {
  if (probe.status != GpuStatus::ok) return {nullptr, probe.message, exit_code_for(probe.status)};
  fe::cudnn_dlhandle = probe.cudnn_library;
  try {
    return {std::make_unique<CudnnConv>(std::move(probe), s), "", ExitCode::ok};
  } catch (const Error& e) {
    return {nullptr, e.what(), e.code() == ExitCode::out_of_memory ? ExitCode::out_of_memory : ExitCode::gpu_other};
  } catch (const std::exception& e) {  // a frontend exception: still one line and a GPU exit code
    return {nullptr, fmt::format("cuDNN: setting up the GPU backend failed: {}", e.what()), ExitCode::gpu_other};
  }
}

Ceilings measure_cudnn_ceilings(const BackendSettings& s) {
  Availability gpu = make_cudnn_backend(s);
  if (!gpu.backend) throw Error(gpu.code, gpu.reason);
  Ceilings c;
  c.device = ceiling_key(DeviceKind::gpu, static_cast<CudnnConv&>(*gpu.backend).name(), 0);
  for (DType d : {DType::f32, DType::tf32, DType::bf16, DType::f16}) {
    Problem gemm;  // 1x1 convolution: (32·64·64) × 1024 by 1024 × 1024
    gemm.n = 32, gemm.h = 64, gemm.w = 64, gemm.c = 1024, gemm.k = 1024, gemm.r = 1, gemm.s = 1, gemm.dtype = d;
    HostTensors zeros{std::vector<float>(static_cast<size_t>(gemm.input_elems())),
                      std::vector<float>(static_cast<size_t>(gemm.weight_elems()))};
    gpu.backend->prepare(gemm, zeros);
    const std::vector<double> ms = gpu.backend->run_many(11, false);
    const double best = *std::min_element(ms.begin() + 1, ms.end());  // the first run is a warm-up
    c.tflops[to_string(d)] = gemm.flops() / (best * 1e-3) * 1e-12;
  }
  constexpr size_t bytes = size_t{1} << 30;
  cuda::DeviceBuffer a(bytes), b(bytes);
  cuda::Stream stream;
  cuda::RunTimer timer(stream.get());
  bool gated = true;
  const std::vector<double> copies = timer.time(
      6, nullptr,
      [&](int) { CB_CUDA_CHECK(cudaMemcpyAsync(b.get(), a.get(), bytes, cudaMemcpyDeviceToDevice, stream.get())); },
      gated);
  const double best = *std::min_element(copies.begin() + 1, copies.end());
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

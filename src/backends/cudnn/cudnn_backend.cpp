// cuDNN backend: the setup and the timed runs of CudnnConv (its engine choice is in cudnn_plan.cpp), the
// factory, the GPU ceilings and the version line. libcudnn is loaded at run time (frontend dynamic loading)
// and the CUDA runtime is linked statically.
#include "backends/cudnn/cudnn_backend.hpp"

#include <cudnn_frontend.h>
#include <dlfcn.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <memory>
#include <string_view>

#include "backends/cudnn/cuda_probe.hpp"
#include "backends/cudnn/cudnn_conv.hpp"

// cudnn-frontend's dynamic-loading mode resolves every cuDNN symbol through this handle; probe_cuda_system()
// opens libcudnn.so.9 and make_cudnn_backend() stores it here.
namespace cudnn_frontend {
void* cudnn_dlhandle = nullptr;
}  // namespace cudnn_frontend

namespace convbench {
namespace cudnn_impl {

DeviceInfo CudnnConv::device() const {
  return {DeviceKind::gpu,
          probe_.facts.name,
          "cuDNN",
          cudnn_version_string(probe_.cudnn_version),
          fmt::format("sm_{}{}", probe_.facts.cc_major, probe_.facts.cc_minor),
          probe_.facts.uuid,
          probe_.driver_release,
          "CUDA " + cuda_version_string(probe_.runtime_version),
          probe_.facts.pci_bus_id};
}

PrepareReport CudnnConv::prepare(const Problem& p, const HostTensors& in) {
  use_device();
  start_nvml();
  p_ = p;
  choice_ = {};
  // A hold that gave way for an earlier problem's plan says nothing of this one's: try it again.
  gated_ = true;
  waited_.clear();
  PrepareReport rep;
  const auto t0 = Clock::now();
  allocate_and_upload(in);
  rep.reorder_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  phase_mark("gpu: inputs uploaded");

  const auto t1 = Clock::now();
  try {
    build_graph();
    phase_mark("gpu: graph built");
    choose_plan(rep);
    phase_mark("gpu: plan chosen");
    // One gated run of the chosen plan: it checks that the plan runs and that the gate holds.
    // The check run itself has no lead-in: the estimate left by an earlier problem does not apply.
    run_estimate_ms_ = 0;
    run_estimate_ms_ = run_many(1, false).front();
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw LibraryError(fmt::format("cuDNN: {}", e.what()));
  }
  rep.setup_ms = std::chrono::duration<double, std::milli>(Clock::now() - t1).count();
  rep.device_bytes = x_.bytes() + w_.bytes() + y_.bytes() + workspace_.bytes() + flush_.bytes();
  rep.details.emplace_back("math", math_mode(p.dtype));
  rep.details.emplace_back(kTransfersDetail,
                           settings_.include_transfers ? kTransfersTimed : "excluded (data on the device)");
  for (std::string& w : cache_.take_warnings()) rep.warnings.push_back(std::move(w));
  describe_timing(rep);
  return rep;
}

void CudnnConv::describe_timing(PrepareReport& rep) const {
  const std::string timing = gated_ ? "device only (runs queued behind a held stream)"
                                    : "includes launch latency (the stream could not be held)";
  const auto it =
      std::find_if(rep.details.begin(), rep.details.end(), [](const auto& d) { return d.first == "timing"; });
  if (it == rep.details.end())
    rep.details.emplace_back("timing", timing);
  else
    it->second = timing;
  if (gated_) return;
  // The warning's start, which also finds it: a hold that already gave way in prepare() keeps its warning, and
  // with it the first batch that waited.
  constexpr std::string_view kNotHeld = "the stream could not be held while runs were queued";
  const bool warned = std::any_of(rep.warnings.begin(), rep.warnings.end(),
                                  [&](const std::string& w) { return w.rfind(kNotHeld, 0) == 0; });
  if (!warned)
    rep.warnings.push_back(fmt::format("{} (a call waited for it: {}); times may include the host's launch latency",
                                       kNotHeld, waited_.empty() ? timer_->waited() : waited_));
}

std::vector<double> CudnnConv::run_many(int count, bool flush) {
  use_device();
  cudaStream_t s = stream_->get();
  if (flush && !flush_.get()) flush_cache();  // allocates the buffer here, not while the stream is held
  const auto before = [&](int) {
    if (flush) flush_cache();
  };
  const auto body = [&](int) {
    if (settings_.include_transfers)
      CB_CUDA_CHECK(cudaMemcpyAsync(x_.get(), x_host_.get(), x_.bytes(), cudaMemcpyHostToDevice, s));
    execute(choice_.plan_index);
    if (settings_.include_transfers)
      CB_CUDA_CHECK(cudaMemcpyAsync(y_host_.get(), y_.get(), y_.bytes(), cudaMemcpyDeviceToHost, s));
  };
  // Lead-in runs worth kLeadInMs of GPU time (capped), once one run's time is known.
  const int lead_in =
      run_estimate_ms_ > 0 ? static_cast<int>(std::clamp(std::ceil(kLeadInMs / run_estimate_ms_), 1.0, kMaxLeadIn)) : 0;
  return timer_->time(count, before, body, gated_, lead_in);
}

OutputFloats CudnnConv::read_output() {
  use_device();
  CB_CUDA_CHECK(cudaStreamSynchronize(stream_->get()));
  const auto count = static_cast<size_t>(p_.output_elems());
  // Straight into the result (f32) or a 16-bit copy decoded into it; neither zeroed first, and their pages
  // touched from every host thread, so that the copy out of the driver's staging buffer takes no page faults.
  OutputFloats out = floats_for_overwrite(count);
  if (dtype_bytes(p_.dtype) == 4) {
    CB_CUDA_CHECK(cudaMemcpy(out.data(), y_.get(), y_.bytes(), cudaMemcpyDeviceToHost));
    return out;
  }
  std::vector<uint16_t, UninitAllocator<uint16_t>> half(count);
  CB_CUDA_CHECK(cudaMemcpy(half.data(), y_.get(), y_.bytes(), cudaMemcpyDeviceToHost));
  decode16(p_.dtype, half.data(), out);
  return out;
}

void CudnnConv::flush_cache() {
  if (!flush_.get()) {
    int l2 = 0;
    CB_CUDA_CHECK(cudaDeviceGetAttribute(&l2, cudaDevAttrL2CacheSize, probe_.device));
    flush_ = cuda::DeviceBuffer(static_cast<size_t>(std::max(l2, 1 << 20)) * 2);
  }
  CB_CUDA_CHECK(cudaMemsetAsync(flush_.get(), ++flush_value_ & 0xff, flush_.bytes(), stream_->get()));
}

std::string CudnnConv::lost() {
  cudaError_t e = cudaSetDevice(probe_.device);
  if (e == cudaSuccess) e = cudaDeviceSynchronize();
  if (e == cudaSuccess) return "";
  return fmt::format("{} ({})", cudaGetErrorString(e), cudaGetErrorName(e));
}

void CudnnConv::start_nvml() {
  if (nvml_started_ || !settings_.clocks) return;
  nvml_started_ = true;
  char bus[32] = {};
  if (cudaDeviceGetPCIBusId(bus, sizeof bus, probe_.device) != cudaSuccess) return;
  nvml_opening_ = std::async(std::launch::async, [id = std::string(bus)] { return std::make_unique<Nvml>(id); });
}

std::optional<ClockSample> CudnnConv::sample_clock() {
  start_nvml();  // started by prepare(); here only when a caller samples first
  if (nvml_opening_.valid()) nvml_ = nvml_opening_.get();
  return nvml_ ? nvml_->sample() : std::nullopt;
}

void CudnnConv::allocate_and_upload(const HostTensors& in) {
  const size_t e = static_cast<size_t>(dtype_bytes(p_.dtype));
  const size_t xb = static_cast<size_t>(p_.input_elems()) * e, wb = static_cast<size_t>(p_.weight_elems()) * e,
               yb = static_cast<size_t>(p_.output_elems()) * e;
  // An earlier problem's buffers and workspace go first, so that their memory counts as free for this one
  // (and for its workspace limit).
  x_ = {};
  w_ = {};
  y_ = {};
  workspace_ = {};
  size_t free = 0, total = 0;
  CB_CUDA_CHECK(cudaMemGetInfo(&free, &total));
  if (xb + wb + yb > free)
    throw Error(ExitCode::out_of_memory, fmt::format("out of GPU memory: needs {}, {} free on {}",
                                                     gib(double(xb + wb + yb)), gib(double(free)), probe_.facts.name));
  x_ = cuda::DeviceBuffer(xb);
  w_ = cuda::DeviceBuffer(wb);
  y_ = cuda::DeviceBuffer(yb);
  // Float dtypes upload the host values as they are; 16-bit ones an encoded copy.
  const void* x_src = in.input.data();
  const void* w_src = in.weights.data();
  std::vector<uint16_t> xs, ws;
  if (e != 4) {
    xs = encode16(p_.dtype, in.input), ws = encode16(p_.dtype, in.weights);
    x_src = xs.data(), w_src = ws.data();
  }
  CB_CUDA_CHECK(cudaMemcpy(x_.get(), x_src, xb, cudaMemcpyHostToDevice));
  CB_CUDA_CHECK(cudaMemcpy(w_.get(), w_src, wb, cudaMemcpyHostToDevice));
  // Page-locked staging only where transfers are timed, so that they run at full speed.
  x_host_ = cuda::PinnedBuffer(settings_.include_transfers ? xb : 0);
  y_host_ = cuda::PinnedBuffer(settings_.include_transfers ? yb : 0);
  if (settings_.include_transfers) std::memcpy(x_host_.get(), x_src, xb);
  // cudaMemcpy from pageable memory may return before its DMA lands, and it runs on the legacy default
  // stream, which our non-blocking stream does not wait for: finish it before any kernel reads x or w.
  CB_CUDA_CHECK(cudaDeviceSynchronize());
  varpack_ = {{kX, x_.get()}, {kW, w_.get()}, {kY, y_.get()}};
}

}  // namespace cudnn_impl

using cudnn_impl::CudnnConv;
namespace fe = cudnn_frontend;

Availability make_cudnn_backend(const BackendSettings& s) {
  return make_cudnn_backend(s, probe_cuda_system(s.gpu_index));
}

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

namespace {

/// The ceiling's 1x1 convolution in `d` and `l`: a (32·64·64) × 1024 by 1024 × 1024 GEMM.
Problem ceiling_gemm(DType d, Layout l) {
  Problem gemm;
  gemm.n = 32, gemm.h = 64, gemm.w = 64, gemm.c = 1024, gemm.k = 1024, gemm.r = 1, gemm.s = 1;
  gemm.dtype = d, gemm.layout = l;
  return gemm;
}

/// The best rate of the ceiling's 1x1 convolution in `d` and `l` on `inputs`, with the engine that reached it.
std::pair<double, std::string> gemm_tflops(Conv2D& gpu, DType d, Layout l, const HostTensors& inputs) {
  const Problem gemm = ceiling_gemm(d, l);
  const PrepareReport report = gpu.prepare(gemm, inputs);
  const std::vector<double> ms = gpu.run_many(11, false);
  const double best = *std::min_element(ms.begin() + 1, ms.end());  // the first run is a warm-up
  return {gemm.flops() / (best * 1e-3) * 1e-12, report.implementation};
}

}  // namespace

Ceilings measure_cudnn_ceilings(const BackendSettings& s) {
  Availability gpu = make_cudnn_backend(s);
  if (!gpu.backend) throw Error(gpu.code, gpu.reason);
  Ceilings c;
  c.device = ceiling_key(DeviceKind::gpu, gpu.backend->device().name, 0);
  // Both layouts: the engines cuDNN offers differ, and in strict f32 the NHWC ones reached 38.7 TFLOP/s on
  // the H100, below the 41.4 of a real f32 convolution in NCHW (db-vgg-112).
  // A dtype or layout this GPU cannot run is left out; a dtype with neither has no ceiling.
  // Seeded standard-normal operands, as a convolution run has: a bf16 matrix product on this workplace's H200
  // ran 13% faster on zeros than on random data (894 against 788 TFLOP/s, PyTorch, 8192³), a rate no real
  // input reaches. One set of values serves every dtype and layout (the backend rounds them to 16 bits).
  const HostTensors inputs = make_inputs(ceiling_gemm(DType::f32, Layout::nhwc), 1);
  for (DType d : {DType::f32, DType::tf32, DType::bf16, DType::f16})
    for (Layout l : {Layout::nhwc, Layout::nchw}) try {
        const auto [tflops, engine] = gemm_tflops(*gpu.backend, d, l, inputs);
        const std::string name = to_string(d);
        if (c.tflops.count(name) && tflops <= c.tflops[name]) continue;
        c.tflops[name] = tflops;
        c.sources[name] = fmt::format("{} {}", to_string(l), engine);
      } catch (const Error& e) {
        if (e.code() != ExitCode::unsupported) throw;
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

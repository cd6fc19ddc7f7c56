// RAII owners for CUDA resources and the one check macro that turns a CUDA status into a typed error
// carrying the call and file:line. Only the cuDNN backend includes this.
#pragma once

#include <cuda_runtime.h>
#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "backends/cudnn/destructor_warnings.hpp"
#include "convbench/error.hpp"

namespace convbench::cuda {

[[noreturn]] inline void throw_error(cudaError_t e, const char* call, const char* file, int line) {
  const std::string where = fmt::format("{} at {}:{}", call, file, line);
  if (e == cudaErrorMemoryAllocation)
    throw Error(ExitCode::out_of_memory, fmt::format("out of GPU memory: {} ({})", where, cudaGetErrorName(e)));
  throw LibraryError(fmt::format("CUDA: {} failed: {} ({})", where, cudaGetErrorString(e), cudaGetErrorName(e)));
}

/// Where a destructor cannot throw: one line on stderr, once per error (cudaErrorCudartUnloading at process exit
/// is normal and stays silent).
inline void report_noexcept(cudaError_t e, const char* call, const char* file, int line) noexcept {
  if (e == cudaErrorCudartUnloading) return;
  try {
    gpu_teardown::warn(fmt::format("{} ({})", cudaGetErrorString(e), cudaGetErrorName(e)),
                       fmt::format("CUDA: {} at {}:{}", call, file, line));
  } catch (...) {  // formatting ran out of memory: a warning is not worth a terminate()
  }
}

}  // namespace convbench::cuda

/// Throws convbench::LibraryError (or out_of_memory) unless `call` returns cudaSuccess.
#define CB_CUDA_CHECK(call)                                                                               \
  do {                                                                                                    \
    const cudaError_t cb_status_ = (call);                                                                \
    if (cb_status_ != cudaSuccess) ::convbench::cuda::throw_error(cb_status_, #call, __FILE__, __LINE__); \
  } while (0)
/// For destructors: never throws; a failure is reported on stderr with the call and file:line, not dropped.
#define CB_CUDA_NOEXCEPT(call)                                                                                \
  do {                                                                                                        \
    const cudaError_t cb_status_ = (call);                                                                    \
    if (cb_status_ != cudaSuccess) ::convbench::cuda::report_noexcept(cb_status_, #call, __FILE__, __LINE__); \
  } while (0)

namespace convbench::cuda {

/// Memory from one CUDA allocator, freed on destruction (unique_ptr's deleter). Movable, not copyable.
template <typename Allocator>
class Buffer {
 public:
  Buffer() = default;
  explicit Buffer(size_t bytes) {
    void* p = nullptr;
    if (bytes) CB_CUDA_CHECK(Allocator::allocate(&p, bytes));
    ptr_.reset(p);
    bytes_ = bytes;
  }
  void* get() const { return ptr_.get(); }
  /// 0 when empty (or moved from).
  size_t bytes() const { return ptr_ ? bytes_ : 0; }

 private:
  struct Release {
    void operator()(void* p) const noexcept { CB_CUDA_NOEXCEPT(Allocator::release(p)); }
  };
  std::unique_ptr<void, Release> ptr_;
  size_t bytes_ = 0;
};

struct DeviceAllocator {
  static cudaError_t allocate(void** p, size_t n) { return cudaMalloc(p, n); }
  static cudaError_t release(void* p) { return cudaFree(p); }
};
struct PinnedAllocator {
  static cudaError_t allocate(void** p, size_t n) { return cudaMallocHost(p, n); }
  static cudaError_t release(void* p) { return cudaFreeHost(p); }
};

/// Device memory.
using DeviceBuffer = Buffer<DeviceAllocator>;
/// Page-locked host memory, so that timed transfers run at full speed.
using PinnedBuffer = Buffer<PinnedAllocator>;

/// A CUDA object (event, stream) created by Traits::create and destroyed by Traits::destroy (unique_ptr's
/// deleter). Movable, not copyable.
template <typename Traits>
class Owned {
 public:
  using Handle = typename Traits::Handle;
  Owned() {
    Handle h = nullptr;
    CB_CUDA_CHECK(Traits::create(&h));
    h_.reset(h);
  }
  Handle get() const { return h_.get(); }

 private:
  struct Destroy {
    void operator()(Handle h) const noexcept { CB_CUDA_NOEXCEPT(Traits::destroy(h)); }
  };
  std::unique_ptr<std::remove_pointer_t<Handle>, Destroy> h_;
};

struct EventTraits {
  using Handle = cudaEvent_t;
  static cudaError_t create(Handle* e) { return cudaEventCreate(e); }
  static cudaError_t destroy(Handle e) { return cudaEventDestroy(e); }
};
struct StreamTraits {
  using Handle = cudaStream_t;
  static cudaError_t create(Handle* s) { return cudaStreamCreateWithFlags(s, cudaStreamNonBlocking); }
  static cudaError_t destroy(Handle s) { return cudaStreamDestroy(s); }
};

/// A CUDA event.
using Event = Owned<EventTraits>;
/// A non-blocking CUDA stream.
using Stream = Owned<StreamTraits>;

/// Milliseconds between two events recorded on a stream, after waiting for the second.
inline double elapsed_ms(const Event& start, const Event& stop) {
  CB_CUDA_CHECK(cudaEventSynchronize(stop.get()));
  float ms = 0;
  CB_CUDA_CHECK(cudaEventElapsedTime(&ms, start.get(), stop.get()));
  return static_cast<double>(ms);
}

/// Holds a stream behind a host-side gate: a host function queued on the stream waits until release().
/// Work queued behind the gate starts only once the host has queued all of it, so events around each
/// piece time the device alone, not the host's launch latency (nvbench's blocking kernel, done with a
/// host function so that no device code is needed). The gate opens by itself after `timeout`, so that a
/// call that waits for the stream while it is held (or an exception before release()) cannot hang it;
/// opened_by_timeout() says whether that happened. Not copyable or movable.
class StreamGate {
 public:
  /// 250 ms: far longer than the host needs to queue a batch (tens of microseconds a run), and short enough
  /// that a call which waits for the held stream costs a quarter of a second once, not seconds.
  explicit StreamGate(cudaStream_t stream, std::chrono::milliseconds timeout = std::chrono::milliseconds(250))
      : state_(std::make_shared<State>()) {
    state_->timeout = timeout;
    // The host function owns a reference of its own: it may run after this object is gone.
    auto* ref = new std::shared_ptr<State>(state_);
    const cudaError_t e = cudaLaunchHostFunc(stream, &StreamGate::wait, ref);
    if (e != cudaSuccess) {
      delete ref;
      throw_error(e, "cudaLaunchHostFunc(stream, wait, gate)", __FILE__, __LINE__);
    }
  }
  StreamGate(const StreamGate&) = delete;
  StreamGate& operator=(const StreamGate&) = delete;
  ~StreamGate() { release(); }
  void release() { state_->open.store(true, std::memory_order_release); }
  /// Valid once the stream has passed the gate (after a synchronize).
  bool opened_by_timeout() const { return state_->timed_out.load(std::memory_order_acquire); }

 private:
  struct State {
    std::atomic<bool> open{false}, timed_out{false};
    std::chrono::milliseconds timeout{0};
  };
  static void CUDART_CB wait(void* p) {
    std::unique_ptr<std::shared_ptr<State>> ref(static_cast<std::shared_ptr<State>*>(p));
    State& st = **ref;
    const auto deadline = std::chrono::steady_clock::now() + st.timeout;
    while (!st.open.load(std::memory_order_acquire)) {
      if (std::chrono::steady_clock::now() > deadline) {
        st.timed_out.store(true, std::memory_order_release);
        return;
      }
      std::this_thread::yield();
    }
  }
  std::shared_ptr<State> state_;
};

/// Times runs on one stream: every run between its own pair of events, all of a batch queued behind one
/// StreamGate. Owns its events (created on the current device). Movable through unique_ptr only.
class RunTimer {
 public:
  explicit RunTimer(cudaStream_t stream) : stream_(stream) {}
  RunTimer(const RunTimer&) = delete;
  RunTimer& operator=(const RunTimer&) = delete;

  /// After a batch whose gate opened on its timeout: which call waited for the held stream, and how long.
  const std::string& waited() const { return waited_; }

  /// Queues `count` runs, each as `before(i)` (untimed, e.g. a cache flush), a start event, `body(i)`, a
  /// stop event, then releases the gate and returns each run's milliseconds. With `gated` false no gate is
  /// used; it is cleared when the gate had to open on its timeout (something in `before` or `body` waited
  /// for the stream): the intervals are still device times, but may then include launch latency.
  /// `lead_in` untimed runs of `body` are queued behind the gate before the first timed run, so that the GPU
  /// is busy, at the clocks the runs will keep it at, when timing starts (nvbench's blocking kernel and
  /// PyTorch's torch.cuda._sleep hold the GPU busy; a host-function gate leaves it idle).
  std::vector<double> time(int count, const std::function<void(int)>& before, const std::function<void(int)>& body,
                           bool& gated, int lead_in = 0) {
    while (static_cast<int>(starts_.size()) < count) {
      starts_.emplace_back();
      stops_.emplace_back();
    }
    {
      // Once the gate had to open on its timeout, later batches run ungated rather than stall each time.
      std::unique_ptr<StreamGate> gate = gated ? std::make_unique<StreamGate>(stream_) : nullptr;
      // The host time of each call, so that a gate that opened on its timeout can say which call waited.
      double longest_ms = 0;
      std::string longest;
      const auto host_timed = [&](const char* what, int i, auto&& call) {
        const auto t0 = std::chrono::steady_clock::now();
        call();
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        if (ms > longest_ms) longest_ms = ms, longest = fmt::format("run {}'s {}", i + 1, what);
      };
      for (int i = 0; i < lead_in; ++i) host_timed("lead-in run", i, [&] { body(0); });
      for (int i = 0; i < count; ++i) {
        if (before) host_timed("preparation", i, [&] { before(i); });
        CB_CUDA_CHECK(cudaEventRecord(starts_[static_cast<size_t>(i)].get(), stream_));
        host_timed("call", i, [&] { body(i); });
        CB_CUDA_CHECK(cudaEventRecord(stops_[static_cast<size_t>(i)].get(), stream_));
      }
      if (gate) gate->release();
      CB_CUDA_CHECK(cudaStreamSynchronize(stream_));
      if (gate && gate->opened_by_timeout()) {
        gated = false;
        waited_ = fmt::format("{} of {} returned only after {:.0f} ms", longest, count, longest_ms);
      }
    }
    std::vector<double> ms;
    ms.reserve(static_cast<size_t>(count));
    for (int i = 0; i < count; ++i)
      ms.push_back(elapsed_ms(starts_[static_cast<size_t>(i)], stops_[static_cast<size_t>(i)]));
    return ms;
  }

 private:
  cudaStream_t stream_;
  std::vector<Event> starts_, stops_;
  std::string waited_;
};

}  // namespace convbench::cuda

// RAII owners for CUDA resources and the one check macro that turns a CUDA status into a typed error
// carrying the call and file:line. Only the cuDNN backend includes this.
#pragma once

#include <cuda_runtime.h>
#include <fmt/format.h>

#include <cstddef>
#include <utility>

#include "convbench/error.hpp"

namespace convbench::cuda {

[[noreturn]] inline void throw_error(cudaError_t e, const char* call, const char* file, int line) {
  const std::string where = fmt::format("{} at {}:{}", call, file, line);
  if (e == cudaErrorMemoryAllocation)
    throw Error(ExitCode::out_of_memory, fmt::format("out of GPU memory: {} ({})", where, cudaGetErrorName(e)));
  throw LibraryError(fmt::format("CUDA: {} failed: {} ({})", where, cudaGetErrorString(e), cudaGetErrorName(e)));
}

}  // namespace convbench::cuda

/// Throws convbench::LibraryError (or out_of_memory) unless `call` returns cudaSuccess.
#define CB_CUDA_CHECK(call)                                                                               \
  do {                                                                                                    \
    const cudaError_t cb_status_ = (call);                                                                \
    if (cb_status_ != cudaSuccess) ::convbench::cuda::throw_error(cb_status_, #call, __FILE__, __LINE__); \
  } while (0)
/// For destructors: ignores the status, never throws.
#define CB_CUDA_NOEXCEPT(call) static_cast<void>(call)

namespace convbench::cuda {

/// Memory from one CUDA allocator, freed on destruction. Movable, not copyable.
template <typename Allocator>
class Buffer {
 public:
  Buffer() = default;
  explicit Buffer(size_t bytes) : bytes_(bytes) {
    if (bytes) CB_CUDA_CHECK(Allocator::allocate(&ptr_, bytes));
  }
  Buffer(Buffer&& o) noexcept : ptr_(std::exchange(o.ptr_, nullptr)), bytes_(std::exchange(o.bytes_, 0)) {}
  Buffer& operator=(Buffer&& o) noexcept {
    std::swap(ptr_, o.ptr_);
    std::swap(bytes_, o.bytes_);
    return *this;
  }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  ~Buffer() {
    if (ptr_) CB_CUDA_NOEXCEPT(Allocator::release(ptr_));
  }
  void* get() const { return ptr_; }
  size_t bytes() const { return bytes_; }

 private:
  void* ptr_ = nullptr;
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

/// A CUDA event. Movable, not copyable.
class Event {
 public:
  Event() { CB_CUDA_CHECK(cudaEventCreate(&e_)); }
  Event(Event&& o) noexcept : e_(std::exchange(o.e_, nullptr)) {}
  Event& operator=(Event&& o) noexcept {
    std::swap(e_, o.e_);
    return *this;
  }
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  ~Event() {
    if (e_) CB_CUDA_NOEXCEPT(cudaEventDestroy(e_));
  }
  cudaEvent_t get() const { return e_; }

 private:
  cudaEvent_t e_ = nullptr;
};

/// A non-blocking CUDA stream. Movable, not copyable.
class Stream {
 public:
  Stream() { CB_CUDA_CHECK(cudaStreamCreateWithFlags(&s_, cudaStreamNonBlocking)); }
  Stream(Stream&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  ~Stream() {
    if (s_) CB_CUDA_NOEXCEPT(cudaStreamDestroy(s_));
  }
  cudaStream_t get() const { return s_; }

 private:
  cudaStream_t s_ = nullptr;
};

/// Milliseconds between two events recorded on a stream, after waiting for the second.
inline double elapsed_ms(const Event& start, const Event& stop) {
  CB_CUDA_CHECK(cudaEventSynchronize(stop.get()));
  float ms = 0;
  CB_CUDA_CHECK(cudaEventElapsedTime(&ms, start.get(), stop.get()));
  return static_cast<double>(ms);
}

}  // namespace convbench::cuda

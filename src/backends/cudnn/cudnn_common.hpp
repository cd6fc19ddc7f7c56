// Helpers of the cuDNN backend: the frontend check macro, the cuDNN handle, dtype and layout mapping, and
// host-side encoding of 16-bit data. Private to src/backends/cudnn.
#pragma once

#include <cudnn_frontend.h>
#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <exception>
#include <string>
#include <vector>

#include "backends/cudnn/destructor_warnings.hpp"
#include "convbench/error.hpp"
#include "convbench/host_buffer.hpp"
#include "convbench/problem.hpp"

namespace convbench::cudnn_impl {

namespace fe = cudnn_frontend;
using Clock = std::chrono::steady_clock;

/// The uids of the graph's tensors.
enum Uid : int64_t { kX = 1, kW = 2, kY = 3 };

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
  /// Never throws. A failed cudnnDestroy is one line on stderr, as a failed CUDA release is; so is a throw of
  /// the frontend's dynamic loading, which cannot find a symbol (not expected: cudnnCreate came from the same
  /// library).
  ~Handle() {
    try {
      if (const cudnnStatus_t s = fe::detail::destroy_handle(h_); s != CUDNN_STATUS_SUCCESS)
        gpu_teardown::warn(fe::detail::get_error_string(s), "cuDNN: cudnnDestroy");
    } catch (const std::exception& e) {
      gpu_teardown::warn(e.what(), "cuDNN: cudnnDestroy");
    }
  }
  cudnnHandle_t get() const { return h_; }

 private:
  cudnnHandle_t h_ = nullptr;
};

fe::DataType_t io_type(DType d);
/// Numerical notes an engine must not carry for the dtype's math mode (PyTorch's filter).
std::vector<fe::NumericalNote_t> barred_notes(DType d);
/// How the dtype's math runs on the GPU, in words.
const char* math_mode(DType d);
/// Strides of an N×C×H×W (or K×C×R×S) tensor in the layout, as the frontend takes them.
std::vector<int64_t> strides(Layout l, int64_t c, int64_t h, int64_t w);
std::string gib(double bytes);
/// Float values as a 16-bit dtype's bit patterns (f16 or bf16), and back (out.size() values at `bits`).
std::vector<uint16_t> encode16(DType d, const std::vector<float>& v);
void decode16(DType d, const uint16_t* bits, OutputFloats& out);
/// Whether a frontend status means "cuDNN has no engine for this" (exit 4) rather than a failure (exit 7).
bool means_unsupported(fe::error_t e);

}  // namespace convbench::cudnn_impl

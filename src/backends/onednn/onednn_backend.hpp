// The CPU backend: oneDNN forward-inference convolution with format_tag::any.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "convbench/backend.hpp"

namespace convbench {

std::unique_ptr<Conv2D> make_onednn_backend(const BackendSettings& s);
/// "oneDNN X.Y.Z".
std::string onednn_version();
/// What the implementation oneDNN chose says about the timing: a warning for a reference (`ref`) one.
std::vector<std::string> implementation_warnings(const std::string& implementation);
/// The ISA oneDNN dispatches to on this CPU, e.g. "avx512_core_amx".
std::string onednn_isa();
/// The best rate, in TFLOP/s, of oneDNN matmuls of 512³, 1024³ and 2048³ in `d` (f32 strict or bf16) on
/// `threads` threads (0: all physical cores), each timed for 200 ms; 0 when oneDNN cannot run that dtype here.
double cpu_matmul_tflops(DType d, int threads);
/// The best host memory copy rate of a 512 MiB buffer on `threads` threads, in GB/s (read + write).
double cpu_copy_gbps(int threads);

}  // namespace convbench

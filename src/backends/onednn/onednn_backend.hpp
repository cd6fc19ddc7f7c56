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
/// What a ceiling's operands hold. A ceiling is measured on seeded standard-normal values, as convolutions are:
/// zeros can run faster than real data (a bf16 matrix product on an H200 here: 13% faster). `zeros` exists for
/// bench/peak_data.cpp, which measures that difference on this CPU.
enum class CeilingData { random, zeros };
/// The best rate, in TFLOP/s, of oneDNN matmuls of 512³, 1024³ and 2048³ in `d` (f32 strict or bf16) on
/// `threads` threads (0: all physical cores), each timed for 200 ms; 0 when oneDNN cannot run that dtype here.
double cpu_matmul_tflops(DType d, int threads, CeilingData data = CeilingData::random);
/// The best host memory copy rate of a 512 MiB buffer on `threads` threads, in GB/s (read + write).
double cpu_copy_gbps(int threads);

}  // namespace convbench

// Registry entries beyond the Conv2D factories of convbench/backend.hpp: the GPU probe for `check`, the
// ceilings for `peak`, and the facts about the CPU library. The CLI reaches backends only through here.
#pragma once

#include <string>

#include "convbench/backend.hpp"
#include "convbench/gpu_status.hpp"
#include "convbench/roofline.hpp"

namespace convbench {

/// Whether this build has the GPU backend (google/benchmark's kSupported: tests ask this, never #if).
bool gpu_backend_built();

/// The CPU library's version, e.g. "2.6.3" (oneDNN), and the ISA it dispatches to, e.g. "avx512_core_amx".
std::string cpu_library_version();
std::string cpu_library_isa();

/// How many GPUs this machine has that the GPU backend can use (0 when none is usable, or without the backend).
int gpu_count(const BackendSettings& s);

/// Probes GPU `device` on this machine; in a build without the GPU backend, arch_unsupported with why.
GpuProbe probe_gpu(int device);
/// The GPU backend built from a probe already made (by gpu_probe()), so that the GPU is probed once.
Availability make_gpu_backend(const BackendSettings& s, GpuProbe probe);

/// The CPU's ceilings on `threads` threads (0: all physical cores): f32 (strict) and bf16 matmul rates where
/// the library runs them, and a host copy rate; keyed by ceiling_key("cpu", model, threads).
Ceilings measure_cpu_ceilings(int threads);
/// The GPU's compute and copy ceilings, for `convbench peak`. Throws Error with the one-line reason when
/// the GPU cannot be used or the build has no GPU backend.
Ceilings measure_gpu_ceilings(const BackendSettings& s);

}  // namespace convbench

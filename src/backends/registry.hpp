// Registry entries beyond the Conv2D factories of convbench/backend.hpp: the GPU probe, for `check`.
#pragma once

#include "backends/gpu_probe.hpp"
#include "convbench/backend.hpp"
#include "convbench/roofline.hpp"

namespace convbench {

/// Probes GPU `device` on this machine; in a build without the GPU backend, arch_unsupported with why.
GpuProbe gpu_probe(int device);
/// The GPU backend built from a probe already made (by gpu_probe()), so that the GPU is probed once.
Availability make_gpu_backend(const BackendSettings& s, GpuProbe probe);

/// The GPU's compute and copy ceilings, for `convbench peak`. Throws Error with the one-line reason when
/// the GPU cannot be used or the build has no GPU backend.
Ceilings measure_gpu_ceilings(const BackendSettings& s);

}  // namespace convbench

// Registry entries beyond the Conv2D factories of convbench/backend.hpp: the GPU probe, for `check`.
#pragma once

#include "backends/gpu_probe.hpp"

namespace convbench {

/// Probes GPU `device` on this machine; in a build without the GPU backend, arch_unsupported with why.
GpuProbe gpu_probe(int device);

}  // namespace convbench

// Facts about the host that several modules need: CPU model, physical cores, available memory.
#pragma once

#include <cstdint>
#include <string>

namespace convbench {

/// "model name" from /proc/cpuinfo, or "unknown CPU".
std::string cpu_model();
/// Distinct (package, core) pairs among the CPUs this process may run on; at least 1.
int physical_cores();
/// CPUs this process may run on (its affinity mask); at least 1.
int usable_cpus();
/// MemAvailable from /proc/meminfo in bytes, or 0 when unknown.
uint64_t available_memory_bytes();

}  // namespace convbench

// Fuzzes the .npy reader: any bytes either parse to an array whose element count matches its shape, or
// throw convbench::Error.
#include <cstddef>
#include <cstdint>
#include <string>

#include "convbench/error.hpp"
#include "convbench/npy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const convbench::NpyArray a = convbench::parse_npy(std::string(reinterpret_cast<const char*>(data), size), "fuzz");
    size_t count = 1;
    for (int64_t d : a.shape) count *= static_cast<size_t>(d);
    if (count != a.data.size()) __builtin_trap();
  } catch (const convbench::Error&) {
  }
  return 0;
}

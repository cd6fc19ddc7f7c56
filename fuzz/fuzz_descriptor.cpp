// Fuzzes descriptor parsing: any input either parses to a valid problem whose canonical descriptor parses
// back to the same shapes, or throws convbench::Error; nothing else may happen. The same for DeepBench's
// tuples, read by their own parser.
#include <cstddef>
#include <cstdint>
#include <string>

#include "convbench/descriptor.hpp"
#include "convbench/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto round_trip = [](const convbench::Problem& p) {
    const convbench::Problem q = convbench::parse_descriptor(convbench::format_descriptor(p));
    if (q.out_h() != p.out_h() || q.out_w() != p.out_w() || q.flops() != p.flops()) __builtin_trap();
  };
  try {
    round_trip(convbench::parse_descriptor(text));
  } catch (const convbench::Error&) {
  }
  try {
    round_trip(convbench::parse_deepbench(text));
  } catch (const convbench::Error&) {
  }
  return 0;
}

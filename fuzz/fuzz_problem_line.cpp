// Fuzzes problem lists (flags or descriptors per line, comments): a list parses or throws convbench::Error.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "cli/problem_flags.hpp"
#include "convbench/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  try {
    for (const auto& lp : convbench::read_problem_list(in, "fuzz", {})) lp.problem.validate();
  } catch (const convbench::Error&) {
  }
  return 0;
}

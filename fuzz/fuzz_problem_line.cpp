// Fuzzes problem lists (flags or descriptors per line, comments): a list parses or throws convbench::Error.
// Each line's words also go, as a command line, to the answer for another tool's flags (MIOpenDriver's
// rewrite reads every word), which must return without a fault.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "cli/other_tools.hpp"
#include "cli/problem_flags.hpp"
#include "convbench/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream split(line);
    std::vector<std::string> words;
    for (std::string w; split >> w;) words.push_back(w);
    // As the command line does: the first flag of the line is the one answered.
    for (const std::string& w : words)
      if (w[0] == '-') {
        (void)convbench::other_tool_hint(w.substr(0, w.find('=')), words);
        break;
      }
  }
  std::istringstream in(text);
  try {
    for (const auto& lp : convbench::read_problem_list(in, "fuzz", {})) lp.problem.validate();
  } catch (const convbench::Error&) {
  }
  return 0;
}

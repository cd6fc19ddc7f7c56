// How a command ended. Commands never print errors: main prints `convbench: error: <error>` for them.
#pragma once

#include <string>

#include "convbench/error.hpp"

namespace convbench {

struct Outcome {
  ExitCode code = ExitCode::ok;
  std::string error;  ///< one line, without the "convbench: error: " prefix; empty when there is nothing to say
};

}  // namespace convbench

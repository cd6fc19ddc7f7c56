// How a command ended. Commands never print errors: main prints `convbench: error: <error>` for them.
#pragma once

#include <string>

#include "convbench/error.hpp"

namespace convbench {

struct Outcome {
  ExitCode code = ExitCode::ok;
  std::string error;  ///< one line, without the "convbench: error: " prefix; empty when there is nothing to say
  /// A GPU backend was opened: main leaves with std::_Exit once its streams are flushed, skipping the CUDA
  /// runtime's teardown at exit (40–60 ms on the H100; the driver releases the same when the process ends).
  bool skip_gpu_teardown = false;
};

}  // namespace convbench

// What the GPU backend's destructors say when a release fails: one line per distinct error. Free of CUDA and
// cuDNN headers, so that a test can check it on any machine. Private to src/backends/cudnn.
#pragma once

#include <cstdio>
#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace convbench::gpu_teardown {

/// The lines that failed releases print. After a sticky CUDA error (an illegal address, a failed launch),
/// every later cudaFree, cudaStreamDestroy and cudaEventDestroy of the process fails with that same error;
/// the run has already said that the GPU stopped working, so only the first destructor to meet an error says
/// it, and says that the others are quiet.
class DestructorWarnings {
 public:
  /// The line to print for `what` (the call that failed) failing with `error` (the error's text, as
  /// "an illegal memory access was encountered (cudaErrorIllegalAddress)"), or nothing when an earlier
  /// destructor already printed a failure with that error.
  std::optional<std::string> line(const std::string& error, const std::string& what) {
    const std::lock_guard<std::mutex> lock(m_);
    if (!said_.insert(error).second) return std::nullopt;
    return "convbench: warning: " + what + " failed in a destructor: " + error +
           "; later releases that fail with it are not reported";
  }

 private:
  std::mutex m_;
  std::set<std::string> said_;
};

/// Prints the line for one failed release on stderr, once per error for the whole process. Never throws.
inline void warn(const std::string& error, const std::string& what) noexcept {
  // Never destroyed: a CUDA object destroyed during exit may still report through it.
  static auto* const said = new DestructorWarnings;
  try {
    if (const std::optional<std::string> l = said->line(error, what)) std::fprintf(stderr, "%s\n", l->c_str());
  } catch (...) {  // out of memory while formatting: a warning is not worth a terminate()
  }
}

}  // namespace convbench::gpu_teardown

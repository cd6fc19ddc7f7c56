// Typed errors and the exit codes they map to. main() catches once and turns each into one stderr
// line plus its exit code; nothing else prints errors or calls exit().
#pragma once

#include <stdexcept>
#include <string>

namespace convbench {

/// Documented process exit codes (README.md "Exit codes", `convbench --help`).
enum class ExitCode : int {
  ok = 0,
  internal = 1,          ///< a bug or an unexpected library exception
  usage = 2,             ///< a bad flag value or an impossible problem
  out_of_memory = 3,     ///< the problem needs more host or GPU memory than there is
  unsupported = 4,       ///< no requested backend can run this dtype or problem
  gpu_unavailable = 5,   ///< --device gpu was asked for but no usable GPU was found
  verify_failed = 6,     ///< an output disagreed with the reference or with the other device
  library = 7,           ///< oneDNN, CUDA or cuDNN reported a failure while running
  regression = 8,        ///< `compare`: a problem slowed down beyond --threshold plus its noise
  nothing_compared = 9,  ///< `compare`: no device of any problem was measured in both files
  // `convbench check` and --require-gpu: one code per reason the GPU cannot be used.
  gpu_no_driver = 10,         ///< libcuda.so.1 cannot be loaded
  gpu_no_device_nodes = 11,   ///< /dev/nvidiactl missing (container without GPU access)
  gpu_driver_too_old = 12,    ///< the driver cannot serve this CUDA runtime
  gpu_no_device = 13,         ///< no CUDA device, or not the one asked for
  gpu_cudnn_missing = 14,     ///< libcudnn.so.9 missing or older than 9.0
  gpu_arch_unsupported = 15,  ///< no code for this GPU (compute capability too old, or no GPU backend built)
  gpu_conv_failed = 16,       ///< the tiny convolution failed or gave a wrong result
  gpu_check_timeout = 17,     ///< the check did not finish within --timeout
  gpu_other = 18,             ///< any other CUDA error
  fleet_flagged = 19,         ///< `fleet`: a straggler, a failed entry or a missing node
  hangup = 129,               ///< SIGHUP (the terminal or the ssh session closed), unless ignored (nohup)
  interrupted = 130,          ///< SIGINT
  terminated = 143,           ///< SIGTERM (Slurm's time limit or scancel, an MPI launcher's abort)
};

/// The codes of a device that started on a problem and failed there, as opposed to one that could not run
/// it: a list records the failure and goes on to its next problem.
constexpr bool is_device_failure(ExitCode c) { return c == ExitCode::out_of_memory || c == ExitCode::library; }

/// Base of every error convbench reports on purpose; `what()` is the one-line message.
class Error : public std::runtime_error {
 public:
  Error(ExitCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ExitCode code() const noexcept { return code_; }

 private:
  ExitCode code_;
};

/// A bad command-line value: names the flag, what was given and what is allowed.
class UsageError : public Error {
 public:
  explicit UsageError(const std::string& message) : Error(ExitCode::usage, message) {}
  UsageError(const std::string& flag, const std::string& given, const std::string& allowed)
      : Error(ExitCode::usage, flag + ": '" + given + "' is not valid; " + allowed) {}
};

/// A failure reported by a library (oneDNN, CUDA, cuDNN), with the call and file:line.
class LibraryError : public Error {
 public:
  explicit LibraryError(const std::string& message) : Error(ExitCode::library, message) {}
};

}  // namespace convbench

// Ctrl-C (SIGINT), SIGTERM (Slurm's time limit or scancel, an MPI launcher's abort) and SIGHUP (the
// terminal closed; not under nohup, which ignores it) during a run: the first asks the run to stop after
// the current timed run; a second one, a second or more later, ends the process at once and removes the
// --output temporary file. SIGPIPE (stdout's reader went away) removes that file and ends the process by
// the signal, as it ends any stage of a pipeline.
#pragma once

#include <string>

#include "convbench/error.hpp"

namespace convbench {

/// Installs the SIGINT, SIGTERM and SIGHUP handler for the lifetime of a run, and one for SIGPIPE that
/// removes the --output temporary file before the process ends by that signal.
class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

 private:
  void (*previous_int_)(int);
  void (*previous_term_)(int);
  void (*previous_hup_)(int);
  void (*previous_pipe_)(int);
};

/// Whether SIGINT, SIGTERM or SIGHUP arrived since the guard was installed.
bool interrupted();
/// The exit code for the signal that stopped the run: 143 for SIGTERM, 129 for SIGHUP, else 130.
ExitCode interruption_code();
/// "interrupted" (Ctrl-C), "stopped by SIGTERM" or "stopped by SIGHUP", for the line that says what was kept.
std::string interruption_name();
/// The file a second signal removes (no destructor runs then); empty: none.
void remove_on_second_interrupt(const std::string& path);

}  // namespace convbench

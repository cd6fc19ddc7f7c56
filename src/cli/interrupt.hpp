// Ctrl-C (SIGINT) and SIGTERM (Slurm's time limit or scancel, an MPI launcher's abort) during a run: the
// first asks the run to stop after the current timed run; a second one, a second or more later, ends the
// process at once and removes the --output temporary file.
#pragma once

#include <string>

#include "convbench/error.hpp"

namespace convbench {

/// Installs the SIGINT and SIGTERM handler for the lifetime of a run.
class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

 private:
  void (*previous_int_)(int);
  void (*previous_term_)(int);
};

/// Whether SIGINT or SIGTERM arrived since the guard was installed.
bool interrupted();
/// The exit code for the signal that stopped the run: 143 for SIGTERM, else 130.
ExitCode interruption_code();
/// "interrupted" (Ctrl-C) or "stopped by SIGTERM", for the line that says what was kept.
std::string interruption_name();
/// The file a second signal removes (no destructor runs then); empty: none.
void remove_on_second_interrupt(const std::string& path);

}  // namespace convbench

// Ctrl-C during a run: the first asks the run to stop after the current timed run; a second one, a second
// or more later, ends the process at once and removes the --output temporary file.
#pragma once

#include <string>

namespace convbench {

/// Installs the Ctrl-C handler for the lifetime of a run.
class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

 private:
  void (*previous_)(int);
};

/// Whether Ctrl-C was pressed since the guard was installed.
bool interrupted();
/// The file a second Ctrl-C removes (no destructor runs then); empty: none.
void remove_on_second_interrupt(const std::string& path);

}  // namespace convbench

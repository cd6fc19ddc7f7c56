// Ctrl-C during a run.
#include "interrupt.hpp"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdint>
#include <ctime>

namespace convbench {
namespace {

std::atomic<bool> g_interrupted{false};
std::atomic<int64_t> g_first_sigint_ns{0};
/// The --output temporary file, removed by a second Ctrl-C (no destructor runs then); empty when none.
char g_output_tmp[4096] = {};

/// The first Ctrl-C asks the run to stop after the current timed run; a second one, a second or more
/// later, ends the process at once. (Tools such as `timeout` send SIGINT to the process and to its group,
/// so two signals can arrive together; they count as one.)
extern "C" void on_sigint(int) {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);  // async-signal-safe
  const int64_t now = int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
  if (!g_interrupted.exchange(true)) {
    g_first_sigint_ns = now;
  } else if (now - g_first_sigint_ns > 1000000000) {
    if (g_output_tmp[0]) unlink(g_output_tmp);  // async-signal-safe
    std::signal(SIGINT, SIG_DFL);
    std::raise(SIGINT);
  }
}

}  // namespace

InterruptGuard::InterruptGuard() {
  g_interrupted = false;
  previous_ = std::signal(SIGINT, on_sigint);
}

InterruptGuard::~InterruptGuard() {
  std::signal(SIGINT, previous_);
  g_output_tmp[0] = '\0';
}

bool interrupted() { return g_interrupted.load(); }

void remove_on_second_interrupt(const std::string& path) {
  if (path.size() >= sizeof g_output_tmp) return;
  std::copy(path.begin(), path.end(), g_output_tmp);
  g_output_tmp[path.size()] = '\0';
}

}  // namespace convbench

// Ctrl-C (SIGINT) and SIGTERM during a run.
#include "interrupt.hpp"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdint>
#include <ctime>

namespace convbench {
namespace {

std::atomic<int> g_signal{0};  ///< the first SIGINT or SIGTERM since the guard was installed; 0: none
std::atomic<int64_t> g_first_signal_ns{0};
/// The --output temporary file, removed by a second signal (no destructor runs then); empty when none.
char g_output_tmp[4096] = {};

/// The first signal asks the run to stop after the current timed run; a second one, a second or more
/// later, ends the process at once by that signal. (Tools such as `timeout` send the signal to the process
/// and to its group, so two can arrive together; they count as one.)
extern "C" void on_stop_signal(int sig) {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);  // async-signal-safe
  const int64_t now = int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
  int none = 0;
  if (g_signal.compare_exchange_strong(none, sig)) {
    g_first_signal_ns = now;
  } else if (now - g_first_signal_ns > 1000000000) {
    if (g_output_tmp[0]) unlink(g_output_tmp);  // async-signal-safe
    std::signal(sig, SIG_DFL);
    std::raise(sig);
  }
}

}  // namespace

InterruptGuard::InterruptGuard() {
  g_signal = 0;
  previous_int_ = std::signal(SIGINT, on_stop_signal);
  previous_term_ = std::signal(SIGTERM, on_stop_signal);
}

InterruptGuard::~InterruptGuard() {
  std::signal(SIGINT, previous_int_);
  std::signal(SIGTERM, previous_term_);
  g_output_tmp[0] = '\0';
}

bool interrupted() { return g_signal.load() != 0; }

ExitCode interruption_code() { return g_signal.load() == SIGTERM ? ExitCode::terminated : ExitCode::interrupted; }

std::string interruption_name() { return g_signal.load() == SIGTERM ? "stopped by SIGTERM" : "interrupted"; }

void remove_on_second_interrupt(const std::string& path) {
  if (path.size() >= sizeof g_output_tmp) return;
  std::copy(path.begin(), path.end(), g_output_tmp);
  g_output_tmp[path.size()] = '\0';
}

}  // namespace convbench

// Ctrl-C (SIGINT), SIGTERM and SIGHUP during a run, and SIGPIPE's clean-up.
#include "interrupt.hpp"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdint>
#include <ctime>

namespace convbench {
namespace {

std::atomic<int> g_signal{0};  ///< the first stop signal since the guard was installed; 0: none
std::atomic<int64_t> g_first_signal_ns{0};
/// The --output temporary file, removed by a second signal (no destructor runs then); empty when none.
char g_output_tmp[4096] = {};

/// Removes the --output temporary file (no destructor runs after this) and ends the process by `sig`: a
/// second stop signal, and SIGPIPE, whose reader went away (`convbench ... | head`), as any pipeline stage ends.
extern "C" void remove_output_and_end_by(int sig) {
  if (g_output_tmp[0]) unlink(g_output_tmp);  // async-signal-safe
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

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
    remove_output_and_end_by(sig);
  }
}

/// Installs `handler` for `sig` unless the process started with `sig` ignored; returns what to restore.
void (*handle_unless_ignored(int sig, void (*handler)(int)))(int) {
  struct sigaction now {};
  sigaction(sig, nullptr, &now);  // asks, changes nothing
  return now.sa_handler == SIG_IGN ? SIG_IGN : std::signal(sig, handler);
}

}  // namespace

InterruptGuard::InterruptGuard() {
  g_signal = 0;
  previous_int_ = std::signal(SIGINT, on_stop_signal);
  previous_term_ = std::signal(SIGTERM, on_stop_signal);
  // A hangup (the terminal or ssh session closed) keeps the records too, but `nohup` ignores SIGHUP so
  // that the run goes on: an inherited ignore stands. So does an ignored SIGPIPE: a write to a closed pipe
  // then fails, and the run goes on, keeps its --output file and ends with exit 2 (results lost on stdout).
  previous_hup_ = handle_unless_ignored(SIGHUP, on_stop_signal);
  previous_pipe_ = handle_unless_ignored(SIGPIPE, remove_output_and_end_by);
}

InterruptGuard::~InterruptGuard() {
  std::signal(SIGINT, previous_int_);
  std::signal(SIGTERM, previous_term_);
  std::signal(SIGHUP, previous_hup_);
  std::signal(SIGPIPE, previous_pipe_);
  g_output_tmp[0] = '\0';
}

bool interrupted() { return g_signal.load() != 0; }

ExitCode interruption_code() {
  const int sig = g_signal.load();
  return sig == SIGTERM ? ExitCode::terminated : sig == SIGHUP ? ExitCode::hangup : ExitCode::interrupted;
}

std::string interruption_name() {
  const int sig = g_signal.load();
  return sig == SIGTERM ? "stopped by SIGTERM" : sig == SIGHUP ? "stopped by SIGHUP" : "interrupted";
}

void remove_on_second_interrupt(const std::string& path) {
  if (path.size() >= sizeof g_output_tmp) return;
  std::copy(path.begin(), path.end(), g_output_tmp);
  g_output_tmp[path.size()] = '\0';
}

}  // namespace convbench

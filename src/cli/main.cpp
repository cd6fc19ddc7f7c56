// Entry point: parse, run the command, and print every error as one line with its documented exit code.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <variant>

#include "command_line.hpp"
#include "convbench/error.hpp"
#include "convbench/system.hpp"
#include "run.hpp"

namespace {

using namespace convbench;

/// Runs the parsed command; stdout gets data, stderr progress and warnings.
Outcome run(const Command& command) {
  struct Visitor {
    Outcome operator()(const RunOptions& o) const { return run_benchmarks(o, std::cout, std::cerr); }
    Outcome operator()(const CheckOptions& o) const { return run_check(o, std::cout); }
    Outcome operator()(const CompareOptions& o) const { return run_compare(o, std::cout); }
    Outcome operator()(const FleetOptions& o) const { return run_fleet(o, std::cout, std::cerr); }
    Outcome operator()(const ReportOptions& o) const { return run_report(o); }
    Outcome operator()(const PeakOptions& o) const { return run_peak(o, std::cout, std::cerr); }
    Outcome operator()(const TextReply& t) const {
      std::cout << t.text;
      return {};
    }
  };
  return std::visit(Visitor{}, command);
}

int fail(ExitCode code, const std::string& message) {
  std::cerr << "convbench: error: " << message << '\n';
  return static_cast<int>(code);
}

/// Flushes stdout; why data written there was lost (a full disk, a closed descriptor), or "" when none was.
/// Data on stdout is the results of a pipeline: losing it must not end in exit 0. An earlier failed write left
/// only its mark, so the reason is this last flush's, or what stdout_write_error() finds now.
std::string stdout_lost() {
  std::cout.flush();
  errno = 0;
  const int flushed = std::fflush(stdout);
  const int err = errno;
  if (std::cout.good() && flushed == 0 && !std::ferror(stdout)) return "";
  if (flushed != 0 && err != 0) return std::strerror(err);
  const std::string now = stdout_write_error();
  return now.empty() ? "a write failed" : now;
}

}  // namespace

int main(int argc, char** argv) {
  hold_closed_standard_descriptors();
  phase_mark("main");
  try {
    const Outcome outcome = run(parse_command_line(argc, argv));
    int code = outcome.error.empty() ? static_cast<int>(outcome.code) : fail(outcome.code, outcome.error);
    if (const std::string lost = stdout_lost(); !lost.empty()) {
      const int failed = fail(ExitCode::usage, "the results could not be written to standard output (" + lost + ")");
      if (code == 0) code = failed;
    }
    if (outcome.skip_gpu_teardown) {
      // Every file convbench writes is committed or closed by now; only the standard streams hold output.
      std::cout.flush();
      std::cerr.flush();
      std::fflush(nullptr);
      phase_mark("exit (_Exit)");
      std::_Exit(code);
    }
    phase_mark("exit");
    return code;
  } catch (const Error& e) {
    return fail(e.code(), e.what());
  } catch (const std::bad_alloc&) {
    return fail(ExitCode::out_of_memory, "out of host memory");
  } catch (const std::exception& e) {
    std::cerr << "convbench: internal error: " << e.what() << '\n';
    return static_cast<int>(ExitCode::internal);
  }
}

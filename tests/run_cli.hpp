// Runs the real convbench binary for end-to-end tests and captures its stdout, stderr, exit code and time.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace convbench::testing {

struct CliResult {
  int code = -1;
  std::string out, err;
  double seconds = 0;
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// The binary under test: $CONVBENCH_BINARY (for staged copies on another machine), else the build's.
inline std::string convbench_binary() {
  const char* env = std::getenv("CONVBENCH_BINARY");
  return env ? env : CONVBENCH_BINARY;
}

/// Runs `convbench ARGS` through the shell (so ARGS may hold redirections and pipes before it, via
/// `prefix`), with stdin from /dev/null unless `prefix` feeds it.
inline CliResult run_cli(const std::string& args, const std::string& prefix = "") {
  // ctest runs tests in parallel processes: give each call its own files.
  static int calls = 0;
  const std::string tag = ::testing::TempDir() + "/cb_" + std::to_string(getpid()) + "_" + std::to_string(++calls);
  const std::string out = tag + ".out", err = tag + ".err";
  const std::string cmd =
      prefix + convbench_binary() + " " + args + " >" + out + " 2>" + err + (prefix.empty() ? " </dev/null" : "");
  const auto t0 = std::chrono::steady_clock::now();
  const int status = std::system(cmd.c_str());
  CliResult r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = slurp(out);
  r.err = slurp(err);
  std::remove(out.c_str());
  std::remove(err.c_str());
  return r;
}

/// Text with every line break, and the indent after it, turned into one space: wrapped table lines compare
/// equal to the unwrapped text they came from.
inline std::string flattened(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\n') {
      out += s[i];
      continue;
    }
    out += ' ';
    while (i + 1 < s.size() && s[i + 1] == ' ') ++i;
  }
  return out;
}

/// Whether `s` holds `what`, as printed or with the table's wrapped lines joined.
inline bool has(const std::string& s, const std::string& what) {
  return s.find(what) != std::string::npos || flattened(s).find(flattened(what)) != std::string::npos;
}

/// True when every line of `err` is a measurement warning (they depend on the machine's noise).
inline bool only_warnings(const std::string& err) {
  std::istringstream in(err);
  for (std::string line; std::getline(in, line);)
    if (line.rfind("convbench: warning: ", 0) != 0) return false;
  return true;
}

}  // namespace convbench::testing

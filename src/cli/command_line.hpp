// The command line: the CLI11 definition of every command, and the one parse that turns argv into the
// command to run with its validated options.
#pragma once

#include <string>
#include <variant>

#include "check.hpp"
#include "compare.hpp"
#include "fleet.hpp"
#include "report_command.hpp"
#include "peak.hpp"
#include "run_command.hpp"

namespace convbench {

/// Text to print on stdout before exiting 0: help, the versions, the suite list.
struct TextReply {
  std::string text;
};

/// What to do: a benchmark run, `check`, `compare`, `peak`, `fleet`, or print a text.
using Command =
    std::variant<RunOptions, CheckOptions, CompareOptions, PeakOptions, FleetOptions, ReportOptions, TextReply>;

/// Parses and validates argv. Throws UsageError with a one-line message on any bad input.
Command parse_command_line(int argc, const char* const* argv);

}  // namespace convbench

// The command line: every command declares its own flags; this file only assembles them and dispatches.
#include "command_line.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "check_command.hpp"
#include "compare_command.hpp"
#include "convbench/backend.hpp"
#include "convbench/error.hpp"
#include "peak_command.hpp"
#include "suites_command.hpp"

namespace convbench {

Command parse_command_line(int argc, const char* const* argv) {
  CLI::App app(
      "convbench: how much faster does a 2-D convolution run on the GPU (cuDNN) than on the CPU (oneDNN)?\n"
      "With no arguments it runs the seed experiment: 32 filters of 7x7 over 100 images of 100x100x3.",
      "convbench");
  app.footer(exit_code_help());
  app.get_formatter()->column_width(34);
  RunFlags run;
  declare_run_flags(app, run);
  CheckFlags check;
  CompareFlags compare;
  PeakFlags peak;
  CLI::App* check_cmd = declare_check(app, check);
  CLI::App* suites_cmd = declare_suites(app);
  CLI::App* compare_cmd = declare_compare(app, compare);
  CLI::App* peak_cmd = declare_peak(app, peak);
  app.require_subcommand(0, 1);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    const CLI::App* sub = &app;
    for (const CLI::App* c : {check_cmd, compare_cmd, suites_cmd, peak_cmd})
      if (c->parsed()) sub = c;
    return TextReply{sub->help()};
  } catch (const CLI::ParseError& e) {
    std::string msg = e.what();
    if (const auto nl = msg.find('\n'); nl != std::string::npos) msg.resize(nl);
    throw UsageError(msg + " (see convbench --help)");
  }
  if (run.version) return TextReply{fmt::format("convbench {}\n{}", CONVBENCH_VERSION, library_versions())};
  if (suites_cmd->parsed()) return TextReply{suites_listing()};
  if (peak_cmd->parsed()) return to_peak_options(peak);
  if (check_cmd->parsed()) return to_check_options(check);
  if (compare_cmd->parsed()) return to_compare_options(compare);
  return to_run_options(run, app, argc, argv);
}

}  // namespace convbench

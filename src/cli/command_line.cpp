// The command line: every command declares its own flags; this file only assembles them and dispatches.
#include "command_line.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "check_command.hpp"
#include "compare_command.hpp"
#include "fleet_command.hpp"
#include "report_command.hpp"
#include "convbench/backend.hpp"
#include "convbench/error.hpp"
#include "convbench/text.hpp"
#include "help_format.hpp"
#include "peak_command.hpp"
#include "suites_command.hpp"

namespace convbench {
namespace {

constexpr const char* kCommands[] = {"check", "suites", "compare", "peak", "fleet", "report"};

/// "convbench" or "convbench <subcommand>".
std::string command_name(const CLI::App& where) {
  return where.get_parent() ? "convbench " + where.get_name() : "convbench";
}

/// A positional word with no digit is not a descriptor (every descriptor has sizes): a mistyped command.
void reject_unknown_command(const std::string& word) {
  if (word.empty() || word.find_first_of("0123456789") != std::string::npos) return;
  const std::string near = closest(word, {std::begin(kCommands), std::end(kCommands)});
  if (!near.empty()) throw UsageError(fmt::format("unknown command '{}'; did you mean {}?", word, near));
  throw UsageError(fmt::format(
      "unknown command '{}'; the commands are check, suites, compare, peak, fleet and report, and a problem "
      "descriptor has "
      "sizes, e.g. mb100ic3ih100oc32kh7",
      word));
}

}  // namespace

Command parse_command_line(int argc, const char* const* argv) {
  CLI::App app(
      "convbench: how much faster does a 2-D convolution run on the GPU (cuDNN) than on the CPU (oneDNN)?\n"
      "With no arguments it runs the seed experiment: 32 filters of 7x7 over 100 images of 100x100x3.",
      "convbench");
  app.formatter(make_help_formatter());
  RunFlags run;
  declare_run_flags(app, run);
  CheckFlags check;
  CompareFlags compare;
  PeakFlags peak;
  CLI::App* check_cmd = declare_check(app, check);
  CLI::App* suites_cmd = declare_suites(app);
  CLI::App* compare_cmd = declare_compare(app, compare);
  FleetFlags fleet;
  CLI::App* fleet_cmd = declare_fleet(app, fleet);
  ReportFlags report;
  CLI::App* report_cmd = declare_report(app, report);
  CLI::App* peak_cmd = declare_peak(app, peak);
  app.require_subcommand(0, 1);
  // The exit-code table once, in the main help; each command's help points to it.
  app.footer(exit_code_help());
  for (CLI::App* c : {check_cmd, suites_cmd, compare_cmd, peak_cmd, fleet_cmd, report_cmd})
    c->footer("Exit codes: see convbench --help.");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    const CLI::App* sub = &app;
    for (const CLI::App* c : {check_cmd, compare_cmd, suites_cmd, peak_cmd, fleet_cmd, report_cmd})
      if (c->parsed()) sub = c;
    return TextReply{sub->help()};
  } catch (const CLI::ParseError& e) {
    const CLI::App* where = &app;
    for (const CLI::App* c : {check_cmd, compare_cmd, suites_cmd, peak_cmd, fleet_cmd, report_cmd})
      if (c->parsed()) where = c;
    const std::string who = command_name(*where);
    throw UsageError(explain_parse_error(e, *where, who, "see " + who + " --help", {argv + 1, argv + argc}));
  }
  reject_unknown_command(run.problem.descriptor);
  if (run.version) return TextReply{fmt::format("convbench {}\n{}", CONVBENCH_VERSION, library_versions())};
  if (suites_cmd->parsed()) return TextReply{suites_listing()};
  if (peak_cmd->parsed()) return to_peak_options(peak);
  if (check_cmd->parsed()) return to_check_options(check);
  if (compare_cmd->parsed()) return to_compare_options(compare);
  if (fleet_cmd->parsed()) return to_fleet_options(fleet);
  if (report_cmd->parsed()) return to_report_options(report);
  return to_run_options(run, app, argc, argv);
}

}  // namespace convbench

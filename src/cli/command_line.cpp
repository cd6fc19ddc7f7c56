// The command line: every command declares its own flags; this file only assembles them and dispatches.
#include "command_line.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "check_command.hpp"
#include "compare_command.hpp"
#include "convbench/backend.hpp"
#include "convbench/error.hpp"
#include "convbench/text.hpp"
#include "help_format.hpp"
#include "peak_command.hpp"
#include "suites_command.hpp"

namespace convbench {
namespace {

constexpr const char* kCommands[] = {"check", "suites", "compare", "peak"};

/// "convbench" or "convbench <subcommand>".
std::string command_name(const CLI::App& where) {
  return where.get_parent() ? "convbench " + where.get_name() : "convbench";
}

/// Every long flag name `where` accepts.
std::vector<std::string> flag_names(const CLI::App& where) {
  std::vector<std::string> names;
  for (const CLI::Option* o : where.get_options())
    for (const std::string& n : o->get_lnames()) names.push_back("--" + n);
  return names;
}

/// The values given to `flag` on the command line, quoted and joined: "'2', then '3'".
std::string values_given(const std::string& flag, int argc, const char* const* argv) {
  std::string out;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    std::string v;
    if (a == flag && i + 1 < argc) {
      v = argv[++i];
    } else if (a.rfind(flag + "=", 0) == 0) {
      v = a.substr(flag.size() + 1);
    } else {
      continue;
    }
    out += (out.empty() ? "'" : ", then '") + v + "'";
  }
  return out;
}

/// CLI11's own messages rewritten in the project's one form: what was wrong, then what is allowed.
std::string explain(const CLI::ParseError& e, const CLI::App& where, int argc, const char* const* argv) {
  std::string msg = e.what();
  if (const auto nl = msg.find('\n'); nl != std::string::npos) msg.resize(nl);
  const std::string cmd = command_name(where);
  if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
    // "The following argument(s) was/were not expected: X Y"
    std::string first = msg.substr(msg.find(": ") + 2);
    first = first.substr(0, first.find(' '));
    if (first.rfind("-", 0) == 0) {
      const std::string flag = first.substr(0, first.find('='));
      const std::string near = closest(flag, flag_names(where));
      return fmt::format("{}: not a flag of {}; {}", flag, cmd,
                         near.empty() ? "see " + cmd + " --help" : "did you mean " + near + "?");
    }
    if (where.get_name() == "compare")
      return fmt::format("compare: '{}' is one file too many; compare takes two, BASE and NEW", first);
    return fmt::format("'{}' is not expected here; see {} --help", first, cmd);
  }
  if (dynamic_cast<const CLI::RequiredError*>(&e) != nullptr && where.get_name() == "compare")
    return fmt::format("compare: needs two result files, BASE and NEW; {}",
                       msg.rfind("BASE", 0) == 0 ? "none was given" : "only BASE was given");
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&e) != nullptr) {
    const std::string flag = msg.substr(0, msg.find(':'));
    if (msg.find("At Most") != std::string::npos)
      return fmt::format("{}: given more than once ({}); give it once", flag, values_given(flag, argc, argv));
    if (msg.find("missing") != std::string::npos) {
      const CLI::Option* o = where.get_option_no_throw(flag);
      return fmt::format("{}: no value given; expected {}", flag, o ? o->get_type_name() : "a value");
    }
  }
  return msg + "; see " + cmd + " --help";
}

/// A positional word with no digit is not a descriptor (every descriptor has sizes): a mistyped command.
void reject_unknown_command(const std::string& word) {
  if (word.empty() || word.find_first_of("0123456789") != std::string::npos) return;
  const std::string near = closest(word, {std::begin(kCommands), std::end(kCommands)});
  if (!near.empty()) throw UsageError(fmt::format("unknown command '{}'; did you mean {}?", word, near));
  throw UsageError(fmt::format(
      "unknown command '{}'; the commands are check, suites, compare and peak, and a problem descriptor has "
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
  CLI::App* peak_cmd = declare_peak(app, peak);
  app.require_subcommand(0, 1);
  // The exit-code table once, in the main help; each command's help points to it.
  app.footer(exit_code_help());
  for (CLI::App* c : {check_cmd, suites_cmd, compare_cmd, peak_cmd})
    c->footer("Exit codes: see convbench --help.");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    const CLI::App* sub = &app;
    for (const CLI::App* c : {check_cmd, compare_cmd, suites_cmd, peak_cmd})
      if (c->parsed()) sub = c;
    return TextReply{sub->help()};
  } catch (const CLI::ParseError& e) {
    const CLI::App* where = &app;
    for (const CLI::App* c : {check_cmd, compare_cmd, suites_cmd, peak_cmd})
      if (c->parsed()) where = c;
    throw UsageError(explain(e, *where, argc, argv));
  }
  reject_unknown_command(run.problem.descriptor);
  if (run.version) return TextReply{fmt::format("convbench {}\n{}", CONVBENCH_VERSION, library_versions())};
  if (suites_cmd->parsed()) return TextReply{suites_listing()};
  if (peak_cmd->parsed()) return to_peak_options(peak);
  if (check_cmd->parsed()) return to_check_options(check);
  if (compare_cmd->parsed()) return to_compare_options(compare);
  return to_run_options(run, app, argc, argv);
}

}  // namespace convbench

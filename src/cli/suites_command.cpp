// `convbench suites`: the subcommand and the listing it prints.
#include "suites_command.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdlib>

#include "convbench/error.hpp"
#include "convbench/suites.hpp"
#include "convbench/system.hpp"
#include "flags.hpp"

namespace convbench {

CLI::App* declare_suites(CLI::App& app) { return app.add_subcommand("suites", "List the built-in problem suites."); }

std::string suites_listing() {
  std::string s = "Built-in suites (run one with --suite NAME):\n";
  for (const Suite& suite : suites())
    s += fmt::format("  {:<28} {:>4} problems  {}\n", suite.name, suite.entries.size(), suite.description);
  return s;
}

}  // namespace convbench

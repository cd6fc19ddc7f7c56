// `convbench suites`: the subcommand and the listing it prints.
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace convbench {

CLI::App* declare_suites(CLI::App& app);
/// The text `convbench suites` prints.
std::string suites_listing();

}  // namespace convbench

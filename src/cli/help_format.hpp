// --help layout: lines within 100 columns, "Usage: convbench <command> ..." for every command, and
// positionals listed by name alone.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>

namespace convbench {

/// The formatter every command's help uses; set it on the main app before adding subcommands.
std::shared_ptr<CLI::Formatter> make_help_formatter();

}  // namespace convbench

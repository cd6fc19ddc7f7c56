// `convbench report FILE... --html OUT`: the records of one or more files as one self-contained HTML page.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "outcome.hpp"

namespace CLI {
class App;
}

namespace convbench {

struct ReportOptions {
  std::vector<std::string> files;  ///< result files; "-" is stdin
  std::string html;                ///< the page to write (atomically)
};

struct ReportFlags {
  std::vector<std::string> files;
  std::string html;
};
CLI::App* declare_report(CLI::App& app, ReportFlags& f);
ReportOptions to_report_options(const ReportFlags& f);

/// Reads the records, adds the fleet chart when they come from more than one node or GPU, writes the page.
Outcome run_report(const ReportOptions& o);

}  // namespace convbench

// `convbench compare BASE NEW`: its flags and their conversion to CompareOptions.
#include "compare_command.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdlib>

#include "convbench/error.hpp"
#include "convbench/suites.hpp"
#include "convbench/system.hpp"
#include "flags.hpp"

namespace convbench {

CLI::App* declare_compare(CLI::App& app, CompareFlags& f) {
  CLI::App* compare = app.add_subcommand(
      "compare",
      "Compare two result files (json or jsonl) problem by problem; exit 8 when any problem slowed by "
      "more than --threshold beyond its measured noise.");
  compare->add_option("BASE", f.base, "the baseline result file, or - for stdin")->required()->type_name("BASE");
  compare->add_option("NEW", f.next, "the new result file, or - for stdin (not both)")->required()->type_name("NEW");
  add_flags(*compare, {{"--threshold", &f.threshold, nullptr,
                        "slowdown tolerated beyond the noise, as a fraction (default 0.05)", "FRACTION"},
                       {"--noise-floor", &f.noise_floor, nullptr,
                        "drift between runs that one run cannot see, added to every problem's noise (default 0.02)",
                        "FRACTION"},
                       {"--device", &f.device, nullptr, "which device's times to compare (default all)", "cpu|gpu|all"},
                       {"--format", &f.format, nullptr, "text or json (default text)", "text|json"}});
  return compare;
}

CompareOptions to_compare_options(const CompareFlags& f) {
  CompareOptions c;
  c.base = f.base;
  c.next = f.next;
  if (c.base == "-" && c.next == "-")
    throw UsageError("compare: BASE and NEW cannot both be - (standard input); it can be read once");
  c.threshold = parse_fraction("--threshold", f.threshold, 10);
  c.noise_floor = parse_fraction("--noise-floor", f.noise_floor, 1);
  c.device = parse_device(f.device);
  if (f.format != "text" && f.format != "json") throw UsageError("--format", f.format, "expected text or json");
  c.json = f.format == "json";
  return c;
}

}  // namespace convbench

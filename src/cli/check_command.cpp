// `convbench check`: its flags and their conversion to CheckOptions.
#include "check_command.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdlib>

#include "convbench/error.hpp"
#include "convbench/suites.hpp"
#include "convbench/system.hpp"
#include "flags.hpp"

namespace convbench {

CLI::App* declare_check(CLI::App& app, CheckFlags& f) {
  return add_command(
      app, "check",
      "Is there a usable NVIDIA GPU for cuDNN work? Probes the driver, device, cuDNN and architecture, "
      "runs a tiny convolution and checks its result; exit code 0 or the failure's own code (10-18).",
      {{"--all", nullptr, &f.all, "list every GPU and the CPU (model, cores, oneDNN ISA and version)"},
       {"--format", &f.format, nullptr, "text or json (default text)", "text|json"},
       {"--timeout", &f.timeout, nullptr, "give up after this many seconds, exit code 17 (default 5)", "SECONDS"},
       {"--gpu", &f.gpu, nullptr,
        "index of the GPU to check, or all: each in turn, the exit code the highest failing one (default 0)",
        "N|all"}});
}

CheckOptions to_check_options(const CheckFlags& f) {
  CheckOptions c;
  c.all = f.all;
  if (f.format != "text" && f.format != "json") throw UsageError("--format", f.format, "expected text or json");
  c.json = f.format == "json";
  c.timeout_s = parse_seconds("--timeout", f.timeout);
  c.every_gpu = f.gpu == "all";
  if (!c.every_gpu) c.gpu = static_cast<int>(parse_integer("--gpu", f.gpu, 0, 1023));
  return c;
}

}  // namespace convbench

// Entry point: parse, run, and map every error to its one-line message and documented exit code.
#include <iostream>

#include "app.hpp"
#include "check.hpp"
#include "compare.hpp"
#include "options.hpp"
#include "peak.hpp"
#include "convbench/error.hpp"

int main(int argc, char** argv) {
  using convbench::ExitCode;
  try {
    const convbench::ParsedCommandLine cmd = convbench::parse_command_line(argc, argv);
    if (cmd.check) return static_cast<int>(convbench::run_check(*cmd.check, std::cout, std::cerr));
    if (cmd.compare) return static_cast<int>(convbench::run_compare(*cmd.compare, std::cout, std::cerr));
    if (cmd.peak) return static_cast<int>(convbench::run_peak(*cmd.peak, std::cout, std::cerr));
    if (!cmd.options) {
      std::cout << cmd.text;
      return 0;
    }
    return static_cast<int>(convbench::run_benchmark(*cmd.options, std::cout, std::cerr));
  } catch (const convbench::Error& e) {
    std::cerr << "convbench: error: " << e.what() << '\n';
    return static_cast<int>(e.code());
  } catch (const std::bad_alloc&) {
    std::cerr << "convbench: error: out of host memory\n";
    return static_cast<int>(ExitCode::out_of_memory);
  } catch (const std::exception& e) {
    std::cerr << "convbench: internal error: " << e.what() << '\n';
    return static_cast<int>(ExitCode::internal);
  }
}

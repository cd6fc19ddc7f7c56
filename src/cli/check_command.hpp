// `convbench check`: its flags and their conversion to CheckOptions.
#pragma once

#include <string>

#include "check.hpp"

namespace CLI {
class App;
}

namespace convbench {

struct CheckFlags {
  bool all = false;
  std::string format = "text", timeout = "5", gpu = "0";
};
CLI::App* declare_check(CLI::App& app, CheckFlags& f);
CheckOptions to_check_options(const CheckFlags& f);

}  // namespace convbench

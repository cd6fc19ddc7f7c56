// Built-in problem suites, as descriptors (see convbench/descriptor.hpp).
#pragma once

#include <string>
#include <vector>

namespace convbench {

struct SuiteEntry {
  std::string label;       ///< e.g. "training #12" or "res3 3x3"
  std::string descriptor;  ///< e.g. "mb8ic64ih54iw54oc64kh3kw3sh1sw1ph1pw1"
};

struct Suite {
  std::string name;
  std::string description;
  std::vector<SuiteEntry> entries;
};

/// Every built-in suite: deepbench-training, deepbench-inference-server, deepbench-inference-device, resnet50.
const std::vector<Suite>& suites();
/// The suite called `name`, or nullptr.
const Suite* find_suite(const std::string& name);

}  // namespace convbench

// The flags that describe a problem, shared by the command line and the lines of a problem list.
#pragma once

#include <istream>
#include <string>
#include <vector>

#include "convbench/problem.hpp"

namespace CLI {
class App;
}

namespace convbench {

/// The problem flags as given (text); the command line's values are the defaults of every problem-list line.
struct ProblemFlags {
  std::string batch = "100", input = "100x100x3", filter = "32x7x7", stride = "1", padding = "valid", dilation = "1",
              groups = "1", layout = "nhwc", dtype = "f32", descriptor;
  bool batch_given = false;  ///< --batch was on the command line: a descriptor line without `mb` takes it
};

/// A problem with where it came from: a suite entry, "file:line", or empty for the command line.
struct LabeledProblem {
  std::string label;
  Problem problem;
};

void add_problem_flags(CLI::App& app, ProblemFlags& f);
/// --batch's value, checked.
int64_t parse_batch(const ProblemFlags& fl);
/// Whether any shape flag (--batch ... --groups) was given explicitly; with `but_batch`, any but --batch.
bool any_shape_flag(const CLI::App& app, bool but_batch = false);
/// The problem the flags describe; `shape_flags_given` says whether any shape flag was set explicitly.
Problem resolve_problem(const ProblemFlags& fl, bool shape_flags_given);

/// Reads a problem list: one problem per line, as flags, a descriptor or a DeepBench tuple; `#` and `//`
/// start a comment. Errors name `name:line`. Throws UsageError (or the error's own code) on the first bad
/// line, or when empty.
std::vector<LabeledProblem> read_problem_list(std::istream& in, const std::string& name, const ProblemFlags& defaults);

}  // namespace convbench

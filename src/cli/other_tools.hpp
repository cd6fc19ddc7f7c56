// The flags of the tools convbench's users come from (nvbench, hyperfine, google/benchmark, benchdnn,
// MIOpenDriver). Given to convbench, such a flag gets a parse error that says how convbench spells it,
// instead of a near-miss guess ("--style: did you mean --dtype?").
#pragma once

#include <string>
#include <vector>

namespace convbench {

/// How convbench spells `flag`, a flag of another benchmark tool, as the end of a parse error: "nvbench's
/// --devices 0 is --gpu 0 in convbench (...)". `args` are the words given; a flag of MIOpenDriver's conv, in
/// what reads as its command line, is answered with the whole line rewritten for convbench, MIOpenDriver's
/// defaults filled in; a usual one-letter flag (-v, -q, -o) gets convbench's long one. Empty when `flag` is no
/// other tool's flag that this knows. In a problem list's line (`line`), only MIOpenDriver's conv line is
/// answered, as a line's shape flags.
std::string other_tool_hint(const std::string& flag, const std::vector<std::string>& args, bool line = false);

}  // namespace convbench

// Value parsers shared by every subcommand: each turns one flag's text into a value or throws UsageError
// naming the flag, the text given and what is allowed. And the exit-code table of --help.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "convbench/backend.hpp"
#include "convbench/problem.hpp"

namespace CLI {
class App;
class ParseError;
}

namespace convbench {

enum class DeviceSelection { all, cpu, gpu };

/// Decimal digits only (no sign, no spaces) that fit in 64 bits.
bool parse_unsigned(const std::string& text, uint64_t& v);
int64_t parse_integer(const std::string& flag, const std::string& text, int64_t lo, int64_t hi);
/// "AxBxC…" with one of the allowed part counts; every part in [lo, hi].
std::vector<int64_t> parse_dims(const std::string& flag, const std::string& text, const std::vector<size_t>& counts,
                                const std::string& shape, int64_t lo, int64_t hi);
/// The dtype `text` names in any case: convbench's word, or PyTorch's, TensorFlow's and NumPy's name for it
/// (float32, fp32, float16, fp16, half, bfloat16); empty for anything else.
std::optional<DType> dtype_named(const std::string& text);
DType parse_dtype(const std::string& text);
Layout parse_layout(const std::string& text);
DeviceSelection parse_device(const std::string& text);
AlgoSearch parse_algo(const std::string& text);
/// A fraction from 0 to `most` (e.g. 0.05 for 5%).
double parse_fraction(const char* flag, const std::string& text, double most);
/// Seconds, greater than 0 and at most 600.
double parse_seconds(const std::string& flag, const std::string& text);

/// One flag of a command, as a row of its flag table: the name, where its value goes (text for an option,
/// a bool for a switch), the help text and the form of the value (empty for a switch).
struct FlagSpec {
  const char* name;
  std::string* text = nullptr;
  bool* on = nullptr;
  std::string help;
  const char* form = "";
};
/// Declares every row of `table` on `app`. The lower-case words of an option's form ("nhwc|nchw", the "all"
/// of "N|all") are read in any case (`--layout NCHW`); a form that takes a PATH is read as given.
void add_flags(CLI::App& app, const std::vector<FlagSpec>& table);
/// A subcommand of `app` with its description and flag table.
CLI::App* add_command(CLI::App& app, const char* name, const char* description, const std::vector<FlagSpec>& table);

/// The name of the CLI::App that parses one line of a problem list: its errors answer other tools' shape flags
/// as a line would hold them.
inline constexpr const char* kProblemLineApp = "problem-line";

/// CLI11's parse errors in the project's one form: what was wrong, then a suggestion ("did you mean
/// --batch?") or `hint`. `who` names what was parsed ("convbench", "convbench check", "a problem line");
/// `args` are the words given, in order.
std::string explain_parse_error(const CLI::ParseError& e, const CLI::App& where, const std::string& who,
                                const std::string& hint, const std::vector<std::string>& args);

/// Exit-code table printed by --help and documented in README.md.
const char* exit_code_help();

}  // namespace convbench

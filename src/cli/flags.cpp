// The value parsers: one message form for every bad value, `<flag>: '<given>' is not valid; <allowed>`.
#include "flags.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <optional>
#include <sstream>

#include "convbench/error.hpp"
#include "convbench/text.hpp"
#include "other_tools.hpp"

namespace convbench {
namespace {

std::string whole(int64_t lo, int64_t hi) { return fmt::format("expected a whole number from {} to {}", lo, hi); }

/// The extra word to name, from CLI11's space-separated list: the first unknown flag (its value is then an
/// extra too, and the flag is what to fix), else the extra the user wrote first; CLI11 lists them in its
/// own order (`--output x.json` on a problem line came out as "x.json --output").
std::string first_extra(const std::string& list, const std::vector<std::string>& args) {
  std::vector<std::string> extras;
  std::istringstream words(list);
  for (std::string w; words >> w;) extras.push_back(w);
  if (extras.empty()) return list;
  const auto rank = [&](const std::string& x) {
    return std::pair(x.size() > 1 && x[0] == '-' ? 0 : 1, std::find(args.begin(), args.end(), x) - args.begin());
  };
  return *std::min_element(extras.begin(), extras.end(),
                           [&](const std::string& a, const std::string& b) { return rank(a) < rank(b); });
}

/// The choice words of a form, its lower-case alternatives ("nhwc|nchw", the "all" of "N|all"); none for a
/// form that takes a path ("PATH|off"), where any other spelling is a file's name.
std::vector<std::string> choice_words(const std::string& form) {
  std::vector<std::string> words;
  if (form.find("PATH") != std::string::npos) return words;
  size_t start = 0;
  while (start <= form.size()) {
    const size_t bar = std::min(form.find('|', start), form.size());
    const std::string w = form.substr(start, bar - start);
    if (!w.empty() && std::islower(static_cast<unsigned char>(w[0])) &&
        w.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789") == std::string::npos)
      words.push_back(w);
    start = bar + 1;
  }
  return words;
}

/// `text` as the choice word it spells in any case (NCHW is nchw, as TensorFlow and cuDNN write it), or
/// `text` unchanged, so that a refusal quotes what was typed.
std::string fold_case(const std::string& text, const std::vector<std::string>& words) {
  const std::string folded = lower_case(text);
  for (const std::string& w : words)
    if (w == folded) return w;
  return text;
}

}  // namespace

void add_flags(CLI::App& app, const std::vector<FlagSpec>& table) {
  for (const FlagSpec& f : table) {
    if (f.on) {
      app.add_flag(f.name, *f.on, f.help);
      continue;
    }
    CLI::Option* o = app.add_option(f.name, *f.text, f.help)->type_name(f.form);
    if (std::vector<std::string> words = choice_words(f.form); !words.empty())
      o->transform([words](const std::string& v) { return fold_case(v, words); });
  }
}

CLI::App* add_command(CLI::App& app, const char* name, const char* description, const std::vector<FlagSpec>& table) {
  CLI::App* command = app.add_subcommand(name, description);
  add_flags(*command, table);
  return command;
}

namespace {

/// Every long flag name `where` accepts.
std::vector<std::string> flag_names(const CLI::App& where) {
  std::vector<std::string> names;
  for (const CLI::Option* o : where.get_options())
    for (const std::string& n : o->get_lnames()) names.push_back("--" + n);
  return names;
}

/// The values given to a flag by any of its `names` among `args`, quoted and joined: "'2', then '3'".
std::string values_given(const std::vector<std::string>& names, const std::vector<std::string>& args) {
  std::string out;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    for (const std::string& flag : names) {
      std::string v;
      if (a == flag && i + 1 < args.size()) {
        v = args[++i];
      } else if (a.rfind(flag + "=", 0) == 0) {
        v = a.substr(flag.size() + 1);
      } else {
        continue;
      }
      out += (out.empty() ? "'" : ", then '") + v + "'";
      break;
    }
  }
  return out;
}

}  // namespace

std::string explain_parse_error(const CLI::ParseError& e, const CLI::App& where, const std::string& who,
                                const std::string& hint, const std::vector<std::string>& args) {
  std::string msg = e.what();
  if (const auto nl = msg.find('\n'); nl != std::string::npos) msg.resize(nl);
  if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
    // "The following argument(s) was/were not expected: X Y"
    const std::string first = first_extra(msg.substr(msg.find(": ") + 2), args);
    if (first.size() > 1 && first[0] == '-') {
      const std::string flag = first.substr(0, first.find('='));
      // Another tool's flag given to convbench itself: say how convbench spells it, rather than guess a typo.
      const bool top = where.get_parent() == nullptr && where.get_name() == "convbench";
      const bool line = where.get_name() == kProblemLineApp;
      if (const std::string other = top || line ? other_tool_hint(flag, args, line) : ""; !other.empty())
        return fmt::format("{}: not a flag of {}; {}", flag, who, other);
      const std::string near = closest(flag, flag_names(where));
      return fmt::format("{}: not a flag of {}; {}", flag, who, near.empty() ? hint : "did you mean " + near + "?");
    }
    if (where.get_name() == "compare")
      return fmt::format("compare: '{}' is one file too many; compare takes two, BASE and NEW", first);
    return fmt::format("'{}' is not expected here; {}", first, hint);
  }
  if (dynamic_cast<const CLI::RequiredError*>(&e) != nullptr) {
    if (where.get_name() == "compare")
      return fmt::format("compare: needs two result files, BASE and NEW; {}",
                         msg.rfind("BASE", 0) == 0 ? "none was given" : "only BASE was given");
    // "FILES is required" or "--html is required": say what it is, from its help.
    const std::string name = msg.substr(0, msg.find(" is required"));
    if (const CLI::Option* o = where.get_option_no_throw(name); o != nullptr && name != msg) {
      if (o->get_lnames().empty() && o->get_snames().empty())
        return fmt::format("{}: needs {}: {}; none was given", where.get_name(), name, o->get_description());
      return fmt::format("{} {} is required: {}; {}", name, o->get_type_name(), o->get_description(), hint);
    }
  }
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&e) != nullptr) {
    const std::string flag = msg.substr(0, msg.find(':'));
    // CLI11 2.1 to 2.4 say "At Most 1 required but received 2", 2.5 and later "At most ..."
    if (msg.find("At Most") != std::string::npos || msg.find("At most") != std::string::npos) {
      std::vector<std::string> names{flag};  // and its other names (report's --html is also --output)
      if (const CLI::Option* o = where.get_option_no_throw(flag))
        for (const std::string& n : o->get_lnames())
          if ("--" + n != flag) names.push_back("--" + n);
      return fmt::format("{}: given more than once ({}); give it once", flag, values_given(names, args));
    }
    if (msg.find("missing") != std::string::npos) {
      const CLI::Option* o = where.get_option_no_throw(flag);
      return fmt::format("{}: no value given; expected {}", flag, o ? o->get_type_name() : "a value");
    }
  }
  return msg + "; " + hint;
}


bool parse_unsigned(const std::string& text, uint64_t& v) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  return ec == std::errc() && end == text.data() + text.size();
}

int64_t parse_integer(const std::string& flag, const std::string& text, int64_t lo, int64_t hi) {
  uint64_t v = 0;
  if (!parse_unsigned(text, v) || v < static_cast<uint64_t>(lo) || v > static_cast<uint64_t>(hi))
    throw UsageError(flag, text, whole(lo, hi));
  return static_cast<int64_t>(v);
}

std::vector<int64_t> parse_dims(const std::string& flag, const std::string& text, const std::vector<size_t>& counts,
                                const std::string& shape, int64_t lo, int64_t hi) {
  std::vector<int64_t> parts;
  size_t start = 0;
  const auto bad = [&] {
    return UsageError(flag, text, fmt::format("expected {}, whole numbers from {} to {} joined by 'x'", shape, lo, hi));
  };
  while (true) {
    const size_t end = text.find('x', start);
    const std::string part = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    try {
      parts.push_back(parse_integer(flag, part, lo, hi));
    } catch (const UsageError&) {
      throw bad();
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  if (std::find(counts.begin(), counts.end(), parts.size()) == counts.end()) throw bad();
  return parts;
}

std::optional<DType> dtype_named(const std::string& text) {
  const std::string t = lower_case(text);
  if (const auto d = dtype_from_string(t)) return d;
  // PyTorch's, TensorFlow's and NumPy's names (torch.float16, tf.bfloat16, np.float32), and the usual short ones.
  static const std::pair<const char*, DType> kAliases[] = {{"float32", DType::f32}, {"fp32", DType::f32},
                                                           {"float16", DType::f16}, {"fp16", DType::f16},
                                                           {"half", DType::f16},    {"bfloat16", DType::bf16}};
  for (const auto& [name, d] : kAliases)
    if (t == name) return d;
  return std::nullopt;
}

DType parse_dtype(const std::string& text) {
  if (const auto d = dtype_named(text)) return *d;
  throw UsageError("--dtype", text, "expected f32, tf32, bf16 or f16");
}

Layout parse_layout(const std::string& text) {
  if (text == "nhwc") return Layout::nhwc;
  if (text == "nchw") return Layout::nchw;
  throw UsageError("--layout", text, "expected nhwc or nchw");
}

AlgoSearch parse_algo(const std::string& text) {
  if (text == "auto") return AlgoSearch::automatic;
  if (text == "heuristic") return AlgoSearch::heuristic;
  if (text == "exhaustive") return AlgoSearch::exhaustive;
  throw UsageError("--algo", text, "expected auto, heuristic or exhaustive");
}

double parse_fraction(const char* flag, const std::string& text, double most) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !(v >= 0) || v > most)
    throw UsageError(flag, text, fmt::format("expected a fraction from 0 to {}, e.g. 0.05 for 5%", most));
  return v;
}

double parse_seconds(const std::string& flag, const std::string& text) {
  char* end = nullptr;
  const double v =
      text.empty() || text.find_first_not_of("0123456789.") != std::string::npos ? -1 : std::strtod(text.c_str(), &end);
  if (v <= 0 || v > 600 || end != text.c_str() + text.size())
    throw UsageError(flag, text, "expected seconds, a number greater than 0 and at most 600");
  return v;
}

DeviceSelection parse_device(const std::string& text) {
  if (text == "all") return DeviceSelection::all;
  if (text == "cpu") return DeviceSelection::cpu;
  if (text == "gpu") return DeviceSelection::gpu;
  // nvbench's --device takes a GPU's index; convbench's --gpu does.
  const bool index = !text.empty() && text.find_first_not_of("0123456789,") == std::string::npos;
  throw UsageError("--device", text,
                   index ? fmt::format("expected cpu, gpu or all; a GPU by its index is --gpu {}", text)
                         : "expected cpu, gpu or all");
}

const char* exit_code_help() {
  return "Exit codes:\n"
         "  0    success (a GPU that is absent but not asked for is reported, not an error)\n"
         "  1    internal error (a bug: please report it)\n"
         "  2    bad command line or setting, or impossible problem\n"
         "  3    not enough host or GPU memory for the problem\n"
         "  4    no requested backend can run this dtype or problem\n"
         "  5    --device gpu asked for, but no usable GPU was found\n"
         "  6    verification failed: an output disagrees with the reference or the other device\n"
         "  7    oneDNN, CUDA or cuDNN failed while running (in a list: the others still run and are kept)\n"
         "  8    (compare) a problem slowed down by more than --threshold beyond its noise, or failed in new\n"
         "  9    (compare, fleet) nothing was compared: no record to compare on that --device\n"
         "  10   (check, --require-gpu) no NVIDIA driver: libcuda.so.1 cannot be loaded\n"
         "  11   (check, --require-gpu) NVIDIA device nodes missing (a container started without GPU access)\n"
         "  12   (check, --require-gpu) the NVIDIA driver is too old for this CUDA runtime\n"
         "  13   (check, --require-gpu) no CUDA device, or not the one asked for\n"
         "  14   (check, --require-gpu) cuDNN 9 missing or too old\n"
         "  15   (check, --require-gpu) architecture not supported: this build has no code for the GPU\n"
         "  16   (check) the tiny convolution failed or gave a wrong result\n"
         "  17   (check) the check did not finish within --timeout\n"
         "  18   (check, --require-gpu) any other CUDA error\n"
         "  19   (fleet, --fail-on-straggler) a straggler GPU or node; fleet also: a failure, a missing node\n"
         "  129  stopped by SIGHUP (the terminal closed; not under nohup): as 130\n"
         "  130  interrupted (Ctrl-C): records already written are kept, and a summary is printed\n"
         "  143  stopped by SIGTERM (Slurm's time limit, scancel): as 130\n";
}

}  // namespace convbench

// Each other tool's flag and convbench's spelling of it. MIOpenDriver's conv flags are one letter each and
// come as a whole command line, so they get the whole line rewritten; the rest get one flag's answer.
#include "other_tools.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "convbench/text.hpp"

namespace convbench {
namespace {

/// The value given to the flag at `args[i]`: after '=' in the same word, or the next word (a lone "-"
/// included, which some tools read as stdout); empty when there is none.
std::string value_at(const std::vector<std::string>& args, size_t i) {
  if (const size_t eq = args[i].find('='); eq != std::string::npos) return args[i].substr(eq + 1);
  if (i + 1 < args.size() && (args[i + 1].empty() || args[i + 1][0] != '-' || args[i + 1] == "-")) return args[i + 1];
  return "";
}

/// Where `flag` stands among `args`, as itself or as `flag=value`.
size_t position_of(const std::string& flag, const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i)
    if (args[i] == flag || args[i].rfind(flag + "=", 0) == 0) return i;
  return args.size();
}

// ---- MIOpenDriver conv ----

/// One of MIOpenDriver conv's flags: its letter, its long name and its default there.
struct MiopenFlag {
  char letter;
  const char* name;
  const char* fallback;
};
constexpr MiopenFlag kMiopen[] = {
    {'n', "batchsize", "100"},
    {'c', "in_channels", "3"},
    {'H', "in_h", "32"},
    {'W', "in_w", "32"},
    {'k', "out_channels", "32"},
    {'y', "fil_h", "3"},
    {'x', "fil_w", "3"},
    {'p', "pad_h", "0"},
    {'q', "pad_w", "0"},
    {'u', "conv_stride_h", "1"},
    {'v', "conv_stride_w", "1"},
    {'l', "dilation_h", "1"},
    {'j', "dilation_w", "1"},
    {'g', "group_count", "1"},
    {'I', "in_layout", "NCHW"},
    {'z', "pad_mode", "default"},
    // By letter only: their long names (--time, --mode...) are too common to be taken for MIOpenDriver's.
    {'i', "", "10"},
    {'s', "", "0"},
    {'V', "", "1"},
    {'F', "", "0"},
    {'m', "", "conv"},
    {'t', "", "0"},
    {'w', "", "0"},
    {'P', "", "1"},
};

/// The letter of MIOpenDriver's flag `word` (`-n`, or `--batchsize` by its long name), or 0.
char miopen_letter(const std::string& word) {
  for (const MiopenFlag& f : kMiopen) {
    if (word == std::string("-") + f.letter) return f.letter;
    if (*f.name != '\0' && word.rfind("--", 0) == 0 && word.substr(2, word.find('=') - 2) == f.name) return f.letter;
  }
  return 0;
}

/// Whether `a` is MIOpenDriver itself, by name or path.
bool miopen_driver_word(const std::string& a) {
  return a == "MIOpenDriver" || (a.size() > 13 && a.substr(a.size() - 13) == "/MIOpenDriver");
}

/// Whether `a` is one of MIOpenDriver's conv commands: conv, convfp16, convbfp16, convint8...
bool miopen_conv_word(const std::string& a) {
  return a.rfind("conv", 0) == 0 && a != "convbench" &&
         a.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789") == std::string::npos;
}

/// Whether `args` read as MIOpenDriver's conv command line rather than a lone short flag meant otherwise
/// (-v for verbose, -q for quiet): its command word, one of its long names, or two of its shape letters with
/// whole numbers.
bool looks_like_miopen(const std::vector<std::string>& args) {
  std::string shape_letters;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const char letter = miopen_letter(a);
    if (miopen_driver_word(a) || miopen_conv_word(a) || (letter != 0 && a.rfind("--", 0) == 0)) return true;
    if (letter == 0 || std::string("ncHWkyxpquvljg").find(letter) == std::string::npos ||
        shape_letters.find(letter) != std::string::npos)
      continue;
    const std::string v = value_at(args, i);
    if (!v.empty() && v.find_first_not_of("0123456789") == std::string::npos) shape_letters += letter;
  }
  return shape_letters.size() >= 2;
}

/// "a" when both are equal, else "axb": how convbench writes a pair of per-axis sizes.
std::string per_axis(const std::string& a, const std::string& b) { return a == b ? a : a + "x" + b; }

/// MIOpenDriver's conv command line in `args`, written for convbench, with MIOpenDriver's defaults for
/// what it does not give (they differ from convbench's: 32x32 images, 3x3 filters, NCHW). As a problem
/// line (`line`): its shape flags alone; what applies to the whole run goes to the command line.
std::string rewrite_miopen(const std::vector<std::string>& args, bool line) {
  std::map<char, std::string> given;
  std::vector<std::string> rest, unmatched;
  std::string dtype;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "convfp16" || a == "convbfp16") {
      dtype = a == "convfp16" ? "f16" : "bf16";
      continue;
    }
    if (a == "conv" || miopen_driver_word(a)) continue;
    const bool single = a.size() == 2 && a[0] == '-' && a[1] != '-';
    if (const char letter = miopen_letter(a); letter != 0 || single) {
      std::string v = value_at(args, i);
      if (a.find('=') == std::string::npos && !v.empty()) ++i;
      if (letter != 0 && !v.empty()) {
        given[letter] = v;
      } else {
        unmatched.push_back(v.empty() ? a : a + " " + v);
      }
      continue;
    }
    if (miopen_conv_word(a)) {
      unmatched.push_back(a);  // convint8, convfp8...: a data type convbench does not have
      continue;
    }
    rest.push_back(a);  // convbench's own flags and values, as given
  }
  const auto at = [&](char letter) {
    if (const auto g = given.find(letter); g != given.end()) return g->second;
    for (const MiopenFlag& f : kMiopen)
      if (f.letter == letter) return std::string(f.fallback);
    return std::string();
  };
  // A flag whose value changes what MIOpenDriver measures into something convbench does not measure.
  const auto unmatched_unless = [&](char letter, std::initializer_list<const char*> fine) {
    const std::string v = at(letter);
    if (std::none_of(fine.begin(), fine.end(), [&](const char* f) { return v == f; }))
      unmatched.push_back(fmt::format("-{} {}", letter, v));
  };
  unmatched_unless('F', {"0", "1"});  // 0 is forward, backward data and weights; convbench times the forward one
  unmatched_unless('m', {"conv"});
  unmatched_unless('z', {"default", "valid"});
  std::string layout = lower_case(at('I'));
  if (layout != "nchw" && layout != "nhwc") unmatched.push_back("-I " + at('I')), layout = "nchw";

  std::string out = fmt::format("--batch {} --input {}x{}x{} --filter {}x{}x{}", at('n'), at('H'), at('W'), at('c'),
                                at('k'), at('y'), at('x'));
  if (const std::string s = per_axis(at('u'), at('v')); s != "1") out += " --stride " + s;
  if (const std::string p = per_axis(at('p'), at('q')); p != "0" && at('z') != "valid") out += " --padding " + p;
  if (const std::string d = per_axis(at('l'), at('j')); d != "1") out += " --dilation " + d;
  if (at('g') != "1") out += " --groups " + at('g');
  if (std::find(rest.begin(), rest.end(), "--layout") == rest.end()) out += " --layout " + layout;
  if (!dtype.empty()) out += " --dtype " + dtype;
  std::string run;  // flags of the whole run, not of one problem
  if (at('i') != "10") run += " --runs " + at('i');
  if (at('s') != "0") run += " --algo exhaustive";
  if (at('V') == "0") run += " --no-verify";
  for (const std::string& r : rest) (line ? out : run) += " " + r;
  std::string text = line ? "these are MIOpenDriver conv's flags; as a problem line: " + out
                          : "these are MIOpenDriver conv's flags; in convbench: convbench " + out + run;
  if (line && !run.empty()) text += fmt::format("; with{} on the command line", run);
  if (!unmatched.empty()) {
    std::string list;
    for (const std::string& u : unmatched) list += (list.empty() ? "" : ", ") + u;
    text += fmt::format(" (convbench times forward inference only, and has nothing for {})", list);
  }
  return text;
}

// ---- one flag at a time ----

/// A flag of another tool: its name there, the tool, the name of its value ("" when it takes none or the
/// value does not carry over), and convbench's spelling with `{}` for the value, or, when convbench needs
/// none, why.
struct OtherFlag {
  const char* flag;
  const char* tool;
  const char* value;
  const char* ours;
  const char* note = "";
};
constexpr OtherFlag kOthers[] = {
    // The usual one-letter flags of command-line tools, outside a MIOpenDriver command line.
    {"-v", "", "", "--verbose"},
    {"-q", "", "", "--quiet"},
    {"-V", "", "", "--version"},
    {"-o", "", "FILE", "--output {}"},
    {"-w", "hyperfine", "N", "--warmup {}"},
    {"-r", "hyperfine", "N", "--runs {}"},
    {"-m", "hyperfine", "N", "--runs {}"},
    {"-M", "hyperfine", "N", "--runs {}"},
    {"-d", "nvbench", "N", "--gpu {}"},
    {"--devices", "nvbench", "N", "--gpu {}", "--device picks cpu, gpu or all"},
    {"--json", "nvbench", "FILE", "--format json --output {}"},
    {"--csv", "nvbench", "FILE", "--format csv --output {}"},
    {"--md", "nvbench", "FILE", "--format markdown --output {}"},
    {"--min-samples", "nvbench", "N", "--runs {}"},
    {"--export-json", "hyperfine", "FILE", "--format json --output {}"},
    {"--export-csv", "hyperfine", "FILE", "--format csv --output {}"},
    {"--export-markdown", "hyperfine", "FILE", "--format markdown --output {}"},
    {"--min-runs", "hyperfine", "N", "--runs {}"},
    {"--max-runs", "hyperfine", "N", "--runs {}"},
    {"--style", "hyperfine", "", "",
     "is not needed: convbench draws its progress bar only on a terminal, and --quiet leaves only data and errors"},
    {"--benchmark_format", "google/benchmark", "FORMAT", "--format {}"},
    {"--benchmark_out", "google/benchmark", "FILE", "--output {}"},
    {"--benchmark_repetitions", "google/benchmark", "N", "--rounds {}"},
    {"--mb", "benchdnn", "N", "--batch {}"},
    {"--dt", "benchdnn", "", "--dtype f32|tf32|bf16|f16"},
    {"--cfg", "benchdnn", "", "--dtype f32|tf32|bf16|f16"},
    {"--stag", "benchdnn", "", "--layout nhwc|nchw", "the weights follow it"},
    {"--wtag", "benchdnn", "", "--layout nhwc|nchw", "the weights follow it"},
    {"--dtag", "benchdnn", "", "--layout nhwc|nchw", "the weights follow it"},
    {"--dir", "benchdnn", "", "", "is not needed: convbench measures forward inference (FWD_I) only"},
    {"--mode", "benchdnn", "", "",
     "is not needed: convbench always measures and, unless --no-verify, checks correctness"},
    {"--conv", "benchdnn", "", "",
     "is not needed: convbench runs convolutions only; give the descriptor alone, e.g. convbench "
     "mb100ic3ih100oc32kh7"},
};

}  // namespace

std::string other_tool_hint(const std::string& flag, const std::vector<std::string>& args, bool line) {
  if (miopen_letter(flag) != 0 && looks_like_miopen(args)) return rewrite_miopen(args, line);
  // On a problem line one flag's answer misleads: benchdnn's --mb beside a descriptor is not --batch there.
  if (line) return "";
  for (const OtherFlag& o : kOthers) {
    if (flag != o.flag) continue;
    const std::string whose = *o.tool == '\0' ? std::string() : o.tool + std::string("'s ");
    if (*o.ours == '\0') return fmt::format("{}{} {}", whose, o.flag, o.note);
    const std::string ours(o.ours);
    const size_t slot = ours.find("{}");
    std::string text;
    if (slot == std::string::npos) {
      text = fmt::format("{}{} is {} in convbench", whose, o.flag, ours);
    } else {
      const size_t i = position_of(flag, args);
      std::string v = i < args.size() ? value_at(args, i) : "";
      if (v.empty()) v = o.value;
      text = fmt::format("{}{} {} is {}{}{} in convbench", whose, o.flag, v, ours.substr(0, slot), v,
                         ours.substr(slot + 2));
    }
    return *o.note == '\0' ? text : text + " (" + o.note + ")";
  }
  if (flag.size() == 2 && flag[0] == '-' && flag[1] != '-')
    return "its only one-letter flag is -h; see convbench --help";
  return "";
}

}  // namespace convbench

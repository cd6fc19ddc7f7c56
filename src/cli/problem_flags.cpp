// Problem flags: declared once, resolved to a validated Problem, and read line by line from problem lists.
#include "problem_flags.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>
#include <limits>
#include <sstream>

#include "convbench/descriptor.hpp"
#include "convbench/error.hpp"
#include "convbench/text.hpp"
#include "convbench/text_input.hpp"
#include "flags.hpp"

namespace convbench {
namespace {

constexpr int64_t kMaxSize = std::numeric_limits<int32_t>::max();

/// TensorFlow's SAME padding: the output has ceil(in / stride) positions; an odd total puts the extra
/// row or column after the image.
void same_padding(int64_t in, int64_t filter, int64_t stride, int64_t dil, int64_t& before, int64_t& after) {
  const int64_t out = (in + stride - 1) / stride;
  const int64_t total = std::max<int64_t>(total_padding(in, out, filter, stride, dil), 0);
  before = total / 2;
  after = total - before;
}

std::vector<std::string> split_words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

constexpr const char* kShapeFlags[] = {"--batch",   "--input",    "--filter", "--stride",
                                       "--padding", "--dilation", "--groups"};

}  // namespace

void add_problem_flags(CLI::App& app, ProblemFlags& f) {
  add_flags(app, {{"--batch", &f.batch, nullptr, "batch size N (default 100)", "N"},
                  {"--input", &f.input, nullptr, "image height, width, channels (default 100x100x3)", "HxWxC"},
                  {"--filter", &f.filter, nullptr,
                   "K filters of RxS; a trailing C must match the input's C/groups (default 32x7x7)", "KxRxS[xC]"},
                  {"--stride", &f.stride, nullptr, "stride (default 1)", "S|SHxSW"},
                  {"--padding", &f.padding, nullptr,
                   "valid (none), same (output = ceil(input/stride), TensorFlow style), P, PHxPW or PTxPBxPLxPR "
                   "(default valid)",
                   "valid|same|P"},
                  {"--dilation", &f.dilation, nullptr, "dilation, 1 = none (default 1)", "D|DHxDW"},
                  {"--groups", &f.groups, nullptr, "groups; channels and filters must divide by it (default 1)", "G"},
                  {"--layout", &f.layout, nullptr, "memory layout; weights follow it as KRSC or KCRS (default nhwc)",
                   "nhwc|nchw"},
                  {"--dtype", &f.dtype, nullptr,
                   "the data type; each device runs its best mode for it: f32 = strict FP32, tf32 = TF32 tensor cores "
                   "on the GPU, bf16, f16 (default f32)",
                   "f32|tf32|bf16|f16"},
                  {"descriptor", &f.descriptor, nullptr,
                   "the problem as a benchdnn descriptor, e.g. mb100ic3ih100oc32kh7, or a DeepBench tuple, e.g. "
                   "700,161,1,4,32,20,5,0,0,2,2 (instead of the shape flags)",
                   "DESCRIPTOR"}});
}

int64_t parse_batch(const ProblemFlags& fl) {
  try {
    return parse_integer("--batch", fl.batch, 1, kMaxSize);
  } catch (const UsageError& e) {
    // benchdnn's --batch names a file of problems, convbench's is the batch size.
    std::error_code ec;
    if (std::filesystem::is_regular_file(fl.batch, ec))
      throw UsageError(std::string(e.what()) + "; benchdnn's --batch=FILE is --problems FILE in convbench");
    throw;
  }
}

bool any_shape_flag(const CLI::App& app, bool but_batch) {
  for (const char* f : kShapeFlags)
    if (app.count(f) > 0 && !(but_batch && std::string(f) == "--batch")) return true;
  return false;
}

/// The problem the flags describe; `shape_flags_given` says whether any shape flag was set explicitly.
Problem resolve_problem(const ProblemFlags& fl, bool shape_flags_given) {
  const Layout layout = parse_layout(fl.layout);
  const DType dtype = parse_dtype(fl.dtype);
  if (!fl.descriptor.empty()) {
    if (shape_flags_given)
      throw UsageError(
          fmt::format("descriptor '{}' and shape flags (--batch, --input, --filter, --stride, --padding, "
                      "--dilation, --groups) cannot be combined; give one or the other",
                      fl.descriptor));
    if (looks_like_deepbench(fl.descriptor)) return parse_deepbench(fl.descriptor, dtype, layout);
    return parse_descriptor(fl.descriptor, dtype, layout, fl.batch_given ? parse_batch(fl) : 2);
  }
  Problem p;
  p.layout = layout;
  p.dtype = dtype;
  p.n = parse_batch(fl);
  const auto in = parse_dims("--input", fl.input, {3}, "HxWxC", 1, kMaxSize);
  p.h = in[0], p.w = in[1], p.c = in[2];
  const auto f = parse_dims("--filter", fl.filter, {3, 4}, "KxRxS or KxRxSxC", 1, kMaxSize);
  p.k = f[0], p.r = f[1], p.s = f[2];
  const auto st = parse_dims("--stride", fl.stride, {1, 2}, "S or SHxSW", 1, kMaxSize);
  p.stride_h = st[0], p.stride_w = st.back();
  const auto dl = parse_dims("--dilation", fl.dilation, {1, 2}, "D or DHxDW", 1, kMaxSize);
  p.dil_h = dl[0], p.dil_w = dl.back();
  p.groups = parse_integer("--groups", fl.groups, 1, kMaxSize);
  if (f.size() == 4 && (p.c % p.groups != 0 || f[3] != p.c / p.groups))
    throw UsageError(fmt::format("--filter: '{}' has {}, but the input has {} and {}, so the filter needs {}",
                                 fl.filter, counted(static_cast<size_t>(f[3]), "input channel", "input channels"),
                                 counted(static_cast<size_t>(p.c), "channel"),
                                 counted(static_cast<size_t>(p.groups), "group"),
                                 p.c % p.groups == 0 ? std::to_string(p.c / p.groups) : "C divisible by the groups"));
  if (fl.padding == "same") {
    same_padding(p.h, p.r, p.stride_h, p.dil_h, p.pad_top, p.pad_bottom);
    same_padding(p.w, p.s, p.stride_w, p.dil_w, p.pad_left, p.pad_right);
  } else if (fl.padding != "valid") {
    if (fl.padding.find_first_not_of("0123456789x") != std::string::npos)
      throw UsageError("--padding", fl.padding, "expected valid, same, P, PHxPW or PTxPBxPLxPR with whole numbers");
    const auto pd = parse_dims("--padding", fl.padding, {1, 2, 4}, "valid, same, P, PHxPW or PTxPBxPLxPR", 0, kMaxSize);
    if (pd.size() == 4) {
      p.pad_top = pd[0], p.pad_bottom = pd[1], p.pad_left = pd[2], p.pad_right = pd[3];
    } else {
      p.pad_top = p.pad_bottom = pd[0];
      p.pad_left = p.pad_right = pd.back();
    }
  }
  p.validate();
  return p;
}

std::vector<LabeledProblem> read_problem_list(std::istream& in, const std::string& name, const ProblemFlags& defaults) {
  std::vector<LabeledProblem> out;
  std::string line;
  LineReader lines(in, name);
  while (lines.next(line)) {
    const int number = lines.number();
    // A file saved by an editor that marks UTF-8 (Windows Notepad) starts with a byte order mark.
    if (number == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
    // '#' starts a comment, and so does '//', as in the C++ source DeepBench's problems are copied from.
    if (const size_t cut = std::min(line.find('#'), line.find("//")); cut != std::string::npos) line.resize(cut);
    std::vector<std::string> words = split_words(line);
    if (words.empty()) continue;
    const std::string where = fmt::format("{}:{}", name, number);
    try {
      if (looks_like_deepbench(line)) {  // spaces and all: one problem, not words for the flag parser
        ProblemFlags f = defaults;
        f.descriptor = line;
        out.push_back({where, resolve_problem(f, false)});
        continue;
      }
      CLI::App app("problem line", kProblemLineApp);
      ProblemFlags f = defaults;
      f.descriptor.clear();
      add_problem_flags(app, f);
      std::vector<std::string> reversed(words.rbegin(), words.rend());  // CLI11 takes a vector in reverse order
      try {
        app.parse(reversed);
      } catch (const CLI::ParseError& e) {
        throw UsageError(explain_parse_error(e, app, "a problem line",
                                             "a line takes only --batch, --input, --filter, --stride, --padding, "
                                             "--dilation, --groups, --layout and --dtype",
                                             words));
      }
      out.push_back({where, resolve_problem(f, any_shape_flag(app))});
    } catch (const Error& e) {
      throw Error(e.code(), fmt::format("{}: {}", where, e.what()));
    }
  }
  if (out.empty()) throw UsageError(fmt::format("--problems: '{}' lists no problems", name));
  return out;
}

}  // namespace convbench

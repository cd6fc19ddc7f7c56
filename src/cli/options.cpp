// CLI11 definitions → validated Options. Every value is parsed here with a message that names the flag,
// the value given and what is allowed.
#include "options.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <fstream>
#include <iostream>
#include <limits>
#include <random>
#include <sstream>

#include "convbench/descriptor.hpp"
#include "convbench/error.hpp"
#include "convbench/report.hpp"
#include "convbench/suites.hpp"
#include "convbench/system.hpp"
#include "convbench/tune_cache.hpp"

namespace convbench {
namespace {

constexpr int64_t kMaxSize = std::numeric_limits<int32_t>::max();

std::string whole(int64_t lo, int64_t hi) { return fmt::format("expected a whole number from {} to {}", lo, hi); }

/// TensorFlow's SAME padding: the output has ceil(in / stride) positions; an odd total puts the extra
/// row or column after the image.
void same_padding(int64_t in, int64_t filter, int64_t stride, int64_t dil, int64_t& before, int64_t& after) {
  const int64_t out = (in + stride - 1) / stride;
  const int64_t total = std::max<int64_t>(total_padding(in, out, filter, stride, dil), 0);
  before = total / 2;
  after = total - before;
}

/// Decimal digits only (no sign, no spaces) that fit in 64 bits.
bool parse_unsigned(const std::string& text, uint64_t& v) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

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

DType parse_dtype(const std::string& text) {
  if (const auto d = dtype_from_string(text)) return *d;
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
  throw UsageError("--device", text, "expected cpu, gpu or all");
}

const char* exit_code_help() {
  return "Exit codes:\n"
         "  0    success (a GPU that is absent but not asked for is reported, not an error)\n"
         "  1    internal error (a bug: please report it)\n"
         "  2    bad command line or impossible problem\n"
         "  3    not enough host or GPU memory for the problem\n"
         "  4    no requested backend can run this dtype or problem\n"
         "  5    --device gpu asked for, but no usable GPU was found\n"
         "  6    verification failed: an output disagrees with the reference or the other device\n"
         "  7    oneDNN, CUDA or cuDNN failed while running\n"
         "  8    (compare) a problem slowed down by more than --threshold beyond its noise\n"
         "  10   (check, --require-gpu) no NVIDIA driver: libcuda.so.1 cannot be loaded\n"
         "  11   (check, --require-gpu) NVIDIA device nodes missing, e.g. a container started without GPU access\n"
         "  12   (check, --require-gpu) the NVIDIA driver is too old for this CUDA runtime\n"
         "  13   (check, --require-gpu) no CUDA device, or not the one asked for\n"
         "  14   (check, --require-gpu) cuDNN 9 missing or too old\n"
         "  15   (check, --require-gpu) architecture not supported: this build has no code for the GPU\n"
         "  16   (check) the tiny convolution failed or gave a wrong result\n"
         "  17   (check) the check did not finish within --timeout\n"
         "  18   (check, --require-gpu) any other CUDA error\n"
         "  130  interrupted (Ctrl-C): records already written are kept, and a summary is printed\n";
}

namespace {

/// The flags that describe a problem, as given (strings), shared by the command line and problem files.
struct ProblemFlags {
  std::string batch = "100", input = "100x100x3", filter = "32x7x7", stride = "1", padding = "valid", dilation = "1",
              groups = "1", layout = "nhwc", dtype = "f32", descriptor;
};

constexpr const char* kShapeFlags[] = {"--batch",   "--input",    "--filter", "--stride",
                                       "--padding", "--dilation", "--groups"};

void add_problem_flags(CLI::App& app, ProblemFlags& f) {
  app.add_option("--batch", f.batch, "batch size N (default 100)")->type_name("N");
  app.add_option("--input", f.input, "image height, width, channels (default 100x100x3)")->type_name("HxWxC");
  app.add_option("--filter", f.filter,
                 "K filters of RxS; a trailing C must match the input's C/groups (default 32x7x7)")
      ->type_name("KxRxS[xC]");
  app.add_option("--stride", f.stride, "stride (default 1)")->type_name("S|SHxSW");
  app.add_option("--padding", f.padding,
                 "valid (none), same (output = ceil(input/stride), TensorFlow style), P, PHxPW or PTxPBxPLxPR "
                 "(default valid)")
      ->type_name("MODE|P");
  app.add_option("--dilation", f.dilation, "dilation, 1 = none (default 1)")->type_name("D|DHxDW");
  app.add_option("--groups", f.groups, "groups; channels and filters must divide by it (default 1)")->type_name("G");
  app.add_option("--layout", f.layout, "memory layout; weights follow it as KRSC or KCRS (default nhwc)")
      ->type_name("nhwc|nchw");
  app.add_option("--dtype", f.dtype,
                 "f32 = strict FP32, tf32 = FP32 data with TF32 tensor cores, bf16, f16 (accumulate in float) "
                 "(default f32)")
      ->type_name("f32|tf32|bf16|f16");
  app.add_option("descriptor", f.descriptor,
                 "the problem as a benchdnn descriptor, e.g. mb100ic3ih100oc32kh7 (instead of the shape flags)")
      ->type_name("DESCRIPTOR");
}

bool any_shape_flag(const CLI::App& app) {
  for (const char* f : kShapeFlags)
    if (app.count(f) > 0) return true;
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
    return parse_descriptor(fl.descriptor, dtype, layout);
  }
  Problem p;
  p.layout = layout;
  p.dtype = dtype;
  p.n = parse_integer("--batch", fl.batch, 1, kMaxSize);
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
    throw UsageError(
        fmt::format("--filter: '{}' has {} input channels, but the input has {} channels and {} group{}, "
                    "so the filter needs {}",
                    fl.filter, f[3], p.c, p.groups, p.groups == 1 ? "" : "s",
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

std::vector<std::string> split_words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

std::string suites_listing() {
  std::string s = "Built-in suites (run one with --suite NAME):\n";
  for (const Suite& suite : suites())
    s += fmt::format("  {:<28} {:>4} problems  {}\n", suite.name, suite.entries.size(), suite.description);
  return s;
}

}  // namespace

std::vector<LabeledProblem> read_problem_list(std::istream& in, const std::string& name,
                                              const ProblemDefaults& defaults) {
  std::vector<LabeledProblem> out;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (const auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::vector<std::string> words = split_words(line);
    if (words.empty()) continue;
    const std::string where = fmt::format("{}:{}", name, number);
    try {
      CLI::App app("problem line");
      ProblemFlags f{defaults.batch,    defaults.input,  defaults.filter, defaults.stride, defaults.padding,
                     defaults.dilation, defaults.groups, defaults.layout, defaults.dtype,  ""};
      add_problem_flags(app, f);
      std::reverse(words.begin(), words.end());  // CLI11 takes a vector in reverse order
      app.parse(words);
      out.push_back({where, resolve_problem(f, any_shape_flag(app))});
    } catch (const CLI::ParseError& e) {
      std::string msg = e.what();
      if (const auto nl = msg.find('\n'); nl != std::string::npos) msg.resize(nl);
      throw UsageError(fmt::format("{}: {}", where, msg));
    } catch (const Error& e) {
      throw Error(e.code(), fmt::format("{}: {}", where, e.what()));
    }
  }
  if (out.empty()) throw UsageError(fmt::format("--problems: '{}' lists no problems", name));
  return out;
}

ParsedCommandLine parse_command_line(int argc, const char* const* argv) {
  CLI::App app(
      "convbench: how much faster does a 2-D convolution run on the GPU (cuDNN) than on the CPU (oneDNN)?\n"
      "With no arguments it runs the seed experiment: 32 filters of 7x7 over 100 images of 100x100x3.",
      "convbench");
  app.footer(exit_code_help());
  app.get_formatter()->column_width(34);
  ProblemFlags pf;
  std::string runs = "10", warmup = "1", device = "all", threads, seed, algo = "auto", workspace_limit, gpu = "0",
              problems, suite, format = "table", output, input_data, weights_data, save_output, cache = "hot";
  std::string tune_cache = TuneCache::default_path(), cpu_dtype = "auto", fake_run_ms;
  bool no_verify = false, version = false, include_transfers = false, require_gpu = false, quiet = false,
       retune = false;
  add_problem_flags(app, pf);
  app.add_option("--runs", runs, "timed runs, all kept (default 10)")->type_name("N");
  app.add_option("--warmup", warmup, "untimed runs before timing, at least 1 (default 1)")->type_name("N");
  app.add_option("--device", device, "which backends run (default all)")->type_name("cpu|gpu|all");
  app.add_option("--cpu-dtype", cpu_dtype,
                 "force the CPU's mode: f32 (strict), tf32 (f32 data, bf16 math), bf16 or f16 (default auto: the "
                 "CPU's best mode for --dtype, see the README's pairing table)")
      ->type_name("auto|f32|tf32|bf16|f16");
  app.add_option("--threads", threads,
                 fmt::format("CPU threads (default: all physical cores, {} here)", physical_cores()))
      ->type_name("N");
  app.add_option("--seed", seed, "seed of the random-normal inputs (default: drawn at random and printed)")
      ->type_name("N");
  app.add_option("--gpu", gpu, "index of the GPU to use (default 0)")->type_name("N");
  app.add_option("--algo", algo,
                 "GPU engine choice: heuristic = cuDNN's first heuristic pick; exhaustive = time every config from "
                 "heuristics A, B and the fallback list and keep the fastest; auto = exhaustive (default auto)")
      ->type_name("auto|heuristic|exhaustive");
  app.add_option("--workspace-limit", workspace_limit,
                 "most GPU workspace an engine may use, in bytes (default: 90% of free GPU memory)")
      ->type_name("BYTES");
  app.add_option("--cache", cache,
                 "hot: caches stay warm between runs, as in ten back-to-back runs; cold: flush the GPU L2 (and the "
                 "CPU's last-level cache) before every run, outside the timing (default hot)")
      ->type_name("hot|cold");
  app.add_option("--tune-cache", tune_cache,
                 "GPU: file that keeps each problem's searched engine (default $XDG_CACHE_HOME/convbench/tuning.json "
                 "or ~/.cache/convbench/tuning.json); off: neither read nor written")
      ->type_name("PATH|off");
  // Hidden: scripted fake backends for end-to-end tests (each run sleeps MS milliseconds).
  app.add_option("--debug-fake-backends", fake_run_ms)->group("");
  app.add_flag("--retune", retune, "GPU: search the engine again even when the tuning cache has it, and overwrite it");
  app.add_flag("--include-transfers", include_transfers,
               "GPU: time the input upload and output download with every run (default: data stays on the device, "
               "as in the seed)");
  app.add_flag("--require-gpu", require_gpu,
               "fail with the exit code of `convbench check` (10-18) when the GPU cannot be used, instead of "
               "reporting the CPU alone");
  app.add_flag("--no-verify", no_verify, "skip comparing outputs with the float64 reference and across devices");
  app.add_option("--problems", problems,
                 "run every problem listed in FILE (- for stdin): one per line, flags or a descriptor; # comments; "
                 "the command line's problem flags are each line's defaults")
      ->type_name("FILE|-");
  app.add_option("--suite", suite, "run a built-in suite (see `convbench suites`)")->type_name("NAME");
  app.add_option("--format", format, "output format (default table)")->type_name("table|json|jsonl|csv");
  app.add_option("--output", output,
                 "write the records in --format to FILE, atomically (- = stdout); the table still goes to stdout "
                 "unless --quiet")
      ->type_name("FILE");
  app.add_flag("--quiet", quiet, "print nothing but data and errors: no table beside --output, no progress");
  app.add_option("--input-data", input_data, "read the input from a .npy file (float32 or float16, the layout's shape)")
      ->type_name("FILE");
  app.add_option("--weights-data", weights_data, "read the weights from a .npy file (KRSC for nhwc, KCRS for nchw)")
      ->type_name("FILE");
  app.add_option("--save-output", save_output,
                 "write each device's output to a float32 .npy file (FILE, or FILE with .cpu/.gpu before the "
                 "extension when both ran)")
      ->type_name("FILE");
  app.add_flag("--version", version, "print the versions of convbench and its libraries");

  CLI::App* check = app.add_subcommand(
      "check",
      "Is there a usable NVIDIA GPU for cuDNN work? Probes the driver, device, cuDNN and architecture, "
      "runs a tiny convolution and checks its result; exit code 0 or the failure's own code (10-18).");
  bool check_all = false;
  std::string check_format = "text", check_timeout = "5", check_gpu = "0";
  check->add_flag("--all", check_all, "list every GPU and the CPU (model, cores, oneDNN ISA and version)");
  check->add_option("--format", check_format, "text or json (default text)")->type_name("text|json");
  check->add_option("--timeout", check_timeout, "give up after this many seconds, exit code 17 (default 5)")
      ->type_name("SECONDS");
  check->add_option("--gpu", check_gpu, "index of the GPU to check (default 0)")->type_name("N");

  CLI::App* suites_cmd = app.add_subcommand("suites", "List the built-in problem suites.");

  CLI::App* compare = app.add_subcommand(
      "compare",
      "Compare two result files (json or jsonl) problem by problem; exit 8 when any problem slowed by "
      "more than --threshold beyond its measured noise.");
  std::string base, next, threshold = "0.05", compare_device = "all";
  compare->add_option("BASE", base, "the baseline result file")->required()->type_name("BASE");
  compare->add_option("NEW", next, "the new result file")->required()->type_name("NEW");
  compare->add_option("--threshold", threshold, "slowdown tolerated beyond the noise, as a fraction (default 0.05)")
      ->type_name("FRACTION");
  compare->add_option("--device", compare_device, "which device's times to compare (default all)")
      ->type_name("cpu|gpu|all");
  CLI::App* peak = app.add_subcommand(
      "peak",
      "Measure this machine's ceilings (CPU: oneDNN matmul f32/bf16 and copy bandwidth; GPU: cuDNN 1x1 "
      "convolution in every dtype and copy bandwidth) and cache them, so that results show the fraction "
      "of the ceiling they reach.");
  std::string peak_device = "all", peak_threads, peak_gpu = "0";
  peak->add_option("--device", peak_device, "which devices to measure (default all)")->type_name("cpu|gpu|all");
  peak->add_option("--threads", peak_threads, "CPU threads (default: all physical cores)")->type_name("N");
  peak->add_option("--gpu", peak_gpu, "index of the GPU (default 0)")->type_name("N");
  app.require_subcommand(0, 1);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    const CLI::App* sub = &app;
    for (const CLI::App* c : {check, compare, suites_cmd, peak})
      if (c->parsed()) sub = c;
    ParsedCommandLine help;
    help.text = sub->help();
    return help;
  } catch (const CLI::ParseError& e) {
    std::string msg = e.what();
    if (const auto nl = msg.find('\n'); nl != std::string::npos) msg.resize(nl);
    throw UsageError(msg + " (see convbench --help)");
  }
  ParsedCommandLine result;
  if (version) {
    result.text = fmt::format("convbench {}\n{}", CONVBENCH_VERSION, library_versions());
    return result;
  }
  if (suites_cmd->parsed()) {
    result.text = suites_listing();
    return result;
  }
  if (peak->parsed()) {
    PeakOptions po;
    po.device = parse_device(peak_device);
    if (!peak_threads.empty())
      po.backend.threads = static_cast<int>(parse_integer("--threads", peak_threads, 1, usable_cpus()));
    po.backend.gpu_index = static_cast<int>(parse_integer("--gpu", peak_gpu, 0, 1023));
    result.peak = po;
    return result;
  }
  if (check->parsed()) {
    CheckOptions c;
    c.all = check_all;
    if (check_format != "text" && check_format != "json")
      throw UsageError("--format", check_format, "expected text or json");
    c.json = check_format == "json";
    c.timeout_s = parse_seconds("--timeout", check_timeout);
    c.gpu = static_cast<int>(parse_integer("--gpu", check_gpu, 0, 1023));
    result.check = c;
    return result;
  }
  if (compare->parsed()) {
    CompareOptions c;
    c.base = base;
    c.next = next;
    char* end = nullptr;
    c.threshold = std::strtod(threshold.c_str(), &end);
    if (threshold.empty() || end != threshold.c_str() + threshold.size() || !(c.threshold >= 0) || c.threshold > 10)
      throw UsageError("--threshold", threshold, "expected a fraction from 0 to 10, e.g. 0.05 for 5%");
    c.device = parse_device(compare_device);
    result.compare = c;
    return result;
  }

  Options o;
  for (int i = 0; i < argc; ++i) o.argv.emplace_back(argv[i]);
  const bool shape_flags = any_shape_flag(app);
  if (!problems.empty() && !suite.empty()) throw UsageError("--problems and --suite cannot be combined; give one");
  if ((!problems.empty() || !suite.empty()) && !pf.descriptor.empty())
    throw UsageError(fmt::format("descriptor '{}' cannot be combined with {}", pf.descriptor,
                                 problems.empty() ? "--suite" : "--problems"));
  if (!suite.empty()) {
    const Suite* s = find_suite(suite);
    if (!s) {
      std::string names;
      for (const Suite& x : suites()) names += (names.empty() ? "" : ", ") + x.name;
      throw UsageError("--suite", suite, "expected one of " + names + " (see convbench suites)");
    }
    if (shape_flags)
      throw UsageError(
          "--suite: shape flags (--batch, --input, --filter, ...) cannot be combined with a suite; "
          "--dtype and --layout can");
    const DType d = parse_dtype(pf.dtype);
    const Layout l = parse_layout(pf.layout);
    for (const SuiteEntry& e : s->entries)
      o.problems.push_back({suite + " " + e.label, parse_descriptor(e.descriptor, d, l)});
  } else if (!problems.empty()) {
    const ProblemDefaults defaults{pf.batch,    pf.input,  pf.filter, pf.stride, pf.padding,
                                   pf.dilation, pf.groups, pf.layout, pf.dtype};
    if (problems == "-") {
      o.problems = read_problem_list(std::cin, "stdin", defaults);
    } else {
      std::ifstream in(problems);
      if (!in) throw UsageError("--problems", problems, "cannot open that file");
      o.problems = read_problem_list(in, problems, defaults);
    }
  } else {
    o.problems.push_back({"", resolve_problem(pf, shape_flags)});
  }
  o.harness.runs = static_cast<int>(parse_integer("--runs", runs, 1, 1000000));
  o.harness.warmup = static_cast<int>(parse_integer("--warmup", warmup, 1, 1000000));
  o.device = parse_device(device);
  if (cache != "hot" && cache != "cold") throw UsageError("--cache", cache, "expected hot or cold");
  o.harness.cache = cache == "cold" ? CacheMode::cold : CacheMode::hot;
  if (!threads.empty()) {
    const int cpus = usable_cpus();
    o.backend.threads = static_cast<int>(parse_integer("--threads", threads, 1, cpus));
  }
  if (!seed.empty()) {
    if (!parse_unsigned(seed, o.seed))
      throw UsageError("--seed", seed, "expected a whole number from 0 to 18446744073709551615");
  } else {
    std::random_device rd;
    o.seed = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  }
  o.backend.gpu_index = static_cast<int>(parse_integer("--gpu", gpu, 0, 1023));
  o.backend.algo = parse_algo(algo);
  if (!workspace_limit.empty())
    o.backend.workspace_limit =
        parse_integer("--workspace-limit", workspace_limit, 0, std::numeric_limits<int64_t>::max());
  o.backend.include_transfers = include_transfers;
  if (cpu_dtype != "auto") {
    o.cpu_dtype = dtype_from_string(cpu_dtype);
    if (!o.cpu_dtype) throw UsageError("--cpu-dtype", cpu_dtype, "expected auto, f32, tf32, bf16 or f16");
    if (o.device == DeviceSelection::gpu) throw UsageError("--cpu-dtype: has no effect with --device gpu");
  }
  if (tune_cache.empty()) throw UsageError("--tune-cache", tune_cache, "expected a file path or off");
  o.backend.tune_cache = tune_cache == "off" ? "" : tune_cache;
  o.backend.retune = retune;
  if (!fake_run_ms.empty())
    o.backend.fake_run_ms = static_cast<double>(parse_integer("--debug-fake-backends", fake_run_ms, 0, 3600000));
  if (retune && tune_cache == "off") throw UsageError("--retune: has nothing to overwrite with --tune-cache off");
  o.verify = !no_verify;
  o.require_gpu = require_gpu;
  if (require_gpu && o.device == DeviceSelection::cpu)
    throw UsageError("--require-gpu: cannot be combined with --device cpu");
  o.format = parse_format(format);
  o.output = output == "-" ? "" : output;
  o.quiet = quiet;
  o.input_data = input_data;
  o.weights_data = weights_data;
  o.save_output = save_output;
  if (o.problems.size() > 1)
    for (const auto& [flag, value] : {std::pair<const char*, const std::string&>{"--input-data", input_data},
                                      {"--weights-data", weights_data},
                                      {"--save-output", save_output}})
      if (!value.empty()) throw UsageError(fmt::format("{}: works with a single problem, not a list or suite", flag));
  result.options = std::move(o);
  return result;
}

}  // namespace convbench

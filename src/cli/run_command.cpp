// The default command's flags, and their conversion to RunOptions. Every value is parsed with a message
// that names the flag, the value given and what is allowed.
#include "run_command.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <random>

#include "convbench/descriptor.hpp"
#include "convbench/error.hpp"
#include "convbench/suites.hpp"
#include "convbench/system.hpp"
#include "convbench/tune_cache.hpp"

namespace convbench {

namespace {
void declare_problem_and_output_flags(CLI::App& app, RunFlags& f);
}  // namespace

void declare_run_flags(CLI::App& app, RunFlags& f) {
  f.tune_cache = TuneCache::default_path();
  add_problem_flags(app, f.problem);
  add_flags(
      app,
      {{"--runs", &f.runs, nullptr, "timed runs, all kept (default 10)", "N"},
       {"--rounds", &f.rounds, nullptr,
        "measure every problem N times, in turn, so that a slow spell of a shared machine hits one round, not "
        "all; records keep each round's median, which compare uses (default auto: 3 for several problems, 1 for "
        "one)",
        "N|auto"},
       {"--warmup", &f.warmup, nullptr, "untimed runs before timing, at least 1 (default 1)", "N"},
       {"--device", &f.device, nullptr, "which backends run (default all)", "cpu|gpu|all"},
       {"--cpu-dtype", &f.cpu_dtype, nullptr,
        "the CPU's mode: auto (default) is the mode for --dtype from the README's pairing table, the closest "
        "precision this CPU has, not always the fastest; fastest runs a short timed trial of each mode the table "
        "lists for --dtype that this CPU has and keeps the fastest; f32 (strict), tf32 (f32 data, bf16 math), "
        "bf16 or f16 force one",
        "auto|fastest|f32|tf32|bf16|f16"},
       {"--threads", &f.threads, nullptr,
        fmt::format("CPU threads (default: all physical cores, {} here)", physical_cores()), "N"},
       {"--seed", &f.seed, nullptr, "seed of the random-normal inputs (default: drawn at random and printed)", "N"},
       {"--gpu", &f.gpu, nullptr,
        "the GPU to use, or several in turn (all, or a list such as 0,2,3): the CPU runs once, and each GPU "
        "gets its own record and its deviation from the node's median GPU (default 0)",
        "N|all|N,N..."},
       {"--straggler-threshold", &f.straggler_threshold, nullptr,
        "with several GPUs: a GPU slower than the node's median GPU by more than this fraction plus its noise "
        "is a straggler (default 0.05)",
        "FRACTION"},
       {"--fail-on-straggler", nullptr, &f.fail_on_straggler,
        "with several GPUs: exit 19 when a GPU is a straggler (default: reported only)"},
       {"--algo", &f.algo, nullptr,
        "GPU engine choice: heuristic = cuDNN's first heuristic pick that runs; exhaustive = time every distinct "
        "config from heuristics A, B and the fallback list and keep the fastest; auto = the same over the first "
        "32 (default auto)",
        "auto|heuristic|exhaustive"},
       {"--workspace-limit", &f.workspace_limit, nullptr,
        "most GPU workspace an engine may use, in bytes (default: 90% of free GPU memory)", "BYTES"},
       {"--cache", &f.cache, nullptr,
        "hot: caches stay warm between runs, as in ten back-to-back runs; cold: flush the GPU L2 (and the CPU's "
        "last-level cache) before every run, outside the timing (default hot)",
        "hot|cold"},
       {"--tune-cache", &f.tune_cache, nullptr,
        "GPU: file that keeps each problem's searched engine (default $XDG_CACHE_HOME/convbench/tuning.json or "
        "~/.cache/convbench/tuning.json); off: neither read nor written",
        "PATH|off"},
       {"--retune", nullptr, &f.retune,
        "GPU: search the engine again even when the tuning cache has it, and "
        "overwrite it"},
       {"--include-transfers", nullptr, &f.include_transfers,
        "GPU: time the input upload and output download with every run (default: data stays on the device, as "
        "in the seed)"},
       {"--require-gpu", nullptr, &f.require_gpu,
        "fail with the exit code of `convbench check` (10-18) when the GPU cannot be used, instead of reporting "
        "the CPU alone"},
       {"--no-verify", nullptr, &f.no_verify, "skip comparing outputs with the float64 reference and across devices"},
       {"--no-memory-check", nullptr, &f.no_memory_check,
        "run a problem even when its estimated host memory exceeds what the system reports available (a VM "
        "whose memory grows as it is used reports less than it can give)"}});
  // Hidden: scripted fake backends for end-to-end tests (each run sleeps MS milliseconds), a failure they
  // throw (cpu|gpu:CODE:BATCH), and a meminfo file in place of /proc/meminfo for the memory check's tests.
  app.add_option("--debug-fake-backends", f.fake_run_ms)->group("");
  app.add_option("--debug-fake-gpus", f.fake_gpu_ms)->group("");
  app.add_option("--debug-fake-failure", f.fake_failure)->group("");
  app.add_option("--debug-meminfo", f.meminfo)->group("");
  declare_problem_and_output_flags(app, f);
}

namespace {

/// Where the problems come from and where the results go.
void declare_problem_and_output_flags(CLI::App& app, RunFlags& f) {
  add_flags(
      app,
      {{"--problems", &f.problems, nullptr,
        "run every problem listed in FILE (- for stdin): one per line, flags or a descriptor; # comments; "
        "the command line's problem flags are each line's defaults",
        "FILE|-"},
       {"--suite", &f.suite, nullptr,
        "run a built-in suite (see `convbench suites`); --batch, --dtype and --layout apply to each problem", "NAME"},
       {"--format", &f.format, nullptr, "output format; markdown: a table to paste into a pull request (default table)",
        "table|json|jsonl|csv|markdown"},
       {"--output", &f.output, nullptr,
        "write the records in --format to FILE (- = stdout): a regular file atomically, a device or pipe "
        "straight through; the table still goes to stdout unless --quiet",
        "FILE"},
       {"--quiet", nullptr, &f.quiet, "print nothing but data and errors: no table beside --output, no progress"},
       {"--verbose", nullptr, &f.verbose,
        "the table with every detail: ISA, affinity, FTZ/DAZ, run spread, setup times, roofline; a block per "
        "problem instead of a row"},
       {"--input-data", &f.input_data, nullptr,
        "read the input from a .npy file (float32, float64 or float16, the layout's shape)", "FILE"},
       {"--weights-data", &f.weights_data, nullptr, "read the weights from a .npy file (KRSC for nhwc, KCRS for nchw)",
        "FILE"},
       {"--save-output", &f.save_output, nullptr,
        "write each device's output to a float32 .npy file (FILE, or FILE with .cpu/.gpu before the "
        "extension when both ran, .cpu/.gpuN with several GPUs)",
        "FILE"},
       {"--version", nullptr, &f.version, "print the versions of convbench and its libraries"}});
}

}  // namespace

namespace {

/// The problems to run: a suite, a problem list, a descriptor or the shape flags.
std::vector<LabeledProblem> problems_from_flags(const RunFlags& f, const CLI::App& app) {
  std::vector<LabeledProblem> problems;
  const bool shape_flags = any_shape_flag(app);
  if (!f.problems.empty() && !f.suite.empty()) throw UsageError("--problems and --suite cannot be combined; give one");
  if ((!f.problems.empty() || !f.suite.empty()) && !f.problem.descriptor.empty())
    throw UsageError(fmt::format("descriptor '{}' cannot be combined with {}", f.problem.descriptor,
                                 f.problems.empty() ? "--suite" : "--problems"));
  if (!f.suite.empty()) {
    const Suite* s = find_suite(f.suite);
    if (!s) {
      std::string names;
      for (const Suite& x : suites()) names += (names.empty() ? "" : ", ") + x.name;
      throw UsageError("--suite", f.suite, "expected one of " + names + " (see convbench suites)");
    }
    if (any_shape_flag(app, true))
      throw UsageError(
          "--suite: shape flags (--input, --filter, ...) cannot be combined with a suite; --batch, --dtype and "
          "--layout can");
    const DType d = parse_dtype(f.problem.dtype);
    const Layout l = parse_layout(f.problem.layout);
    // --batch replaces every entry's batch, as benchdnn's --mb does for a batch file: the suite at batch 1.
    // (A plain value and a flag, not std::optional: GCC 12 warned that the optional's value "may be used
    // uninitialized" when built with CLI11 2.6, a known false positive.)
    const bool new_batch = app.count("--batch") > 0;
    const int64_t batch = new_batch ? parse_batch(f.problem) : 0;
    for (const SuiteEntry& e : s->entries) {
      LabeledProblem lp{f.suite + " " + e.label, parse_descriptor(e.descriptor, d, l)};
      if (new_batch) {
        lp.problem.n = batch;
        try {
          lp.problem.validate();
        } catch (const Error& err) {
          throw Error(err.code(), fmt::format("{}: {}", lp.label, err.what()));
        }
      }
      problems.push_back(std::move(lp));
    }
  } else if (!f.problems.empty()) {
    ProblemFlags defaults = f.problem;
    defaults.descriptor.clear();
    defaults.batch_given = app.count("--batch") > 0;
    if (f.problems == "-") {
      if (const std::string why = stdin_read_error(); !why.empty())
        throw UsageError(fmt::format("--problems: cannot read stdin: {}", why));
      // Typed at a terminal, the list would otherwise wait in silence for input it does not ask for.
      if (isatty(STDIN_FILENO) == 1 && !f.quiet)
        std::cerr << "convbench: reading problems from the terminal, one per line; Ctrl-D ends the list\n";
      problems = read_problem_list(std::cin, "stdin", defaults);
    } else {
      std::error_code ec;
      if (std::filesystem::is_directory(f.problems, ec))  // opens, but reads as nothing
        throw UsageError("--problems", f.problems, "it is a folder, not a file");
      std::ifstream in(f.problems);
      if (!in) throw UsageError("--problems", f.problems, "cannot open that file");
      problems = read_problem_list(in, f.problems, defaults);
    }
  } else {
    problems.push_back({"", resolve_problem(f.problem, shape_flags)});
  }
  return problems;
}

/// --gpu: "all" (empty: every GPU there is, counted when the run starts), or indices joined by commas.
std::vector<int> parse_gpu_list(const std::string& text) {
  if (text == "all") return {};
  std::vector<int> out;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    const std::string part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    uint64_t v = 0;
    if (!parse_unsigned(part, v) || v > 1023)
      throw UsageError("--gpu", text, "expected all, or GPU indices from 0 to 1023 joined by commas, e.g. 0,2,3");
    if (std::find(out.begin(), out.end(), static_cast<int>(v)) != out.end())
      throw UsageError("--gpu", text, "expected each GPU once");
    out.push_back(static_cast<int>(v));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

/// The GPU's options, and the test-only scripted backends.
void gpu_options(const RunFlags& f, RunOptions& o) {
  o.gpus = parse_gpu_list(f.gpu);
  o.backend.gpu_index = o.gpus.empty() ? 0 : o.gpus.front();
  o.straggler_threshold = parse_fraction("--straggler-threshold", f.straggler_threshold, 10);
  o.fail_on_straggler = f.fail_on_straggler;
  o.backend.algo = parse_algo(f.algo);
  if (!f.workspace_limit.empty())
    o.backend.workspace_limit =
        parse_integer("--workspace-limit", f.workspace_limit, 0, std::numeric_limits<int64_t>::max());
  o.backend.include_transfers = f.include_transfers;
  o.backend.tune_cache = f.tune_cache == "off" ? "" : f.tune_cache;
  o.backend.retune = f.retune;
  if (!f.fake_run_ms.empty())
    o.backend.fake_run_ms = static_cast<double>(parse_integer("--debug-fake-backends", f.fake_run_ms, 0, 3600000));
  if (!f.fake_gpu_ms.empty()) {
    for (const int64_t ms : parse_dims("--debug-fake-gpus", f.fake_gpu_ms, {1, 2, 3, 4, 5, 6, 7, 8}, "MSxMS...", 0,
                                       3600000))
      o.backend.fake_gpu_ms.push_back(static_cast<double>(ms));
    if (o.backend.fake_run_ms < 0) o.backend.fake_run_ms = o.backend.fake_gpu_ms.front();
  }
  if (!f.fake_failure.empty()) {
    const auto colon = f.fake_failure.find(':'), last = f.fake_failure.rfind(':');
    const std::string kind = f.fake_failure.substr(0, colon);
    if (colon == std::string::npos || colon == last || (kind != "cpu" && kind != "gpu"))
      throw UsageError("--debug-fake-failure", f.fake_failure, "give cpu|gpu:CODE:BATCH");
    const int64_t code =
        parse_integer("--debug-fake-failure", f.fake_failure.substr(colon + 1, last - colon - 1), 3, 7);
    if (!is_device_failure(static_cast<ExitCode>(code)))
      throw UsageError("--debug-fake-failure", f.fake_failure, "the code is 3 or 7");
    o.backend.fake_failure = {kind == "cpu" ? DeviceKind::cpu : DeviceKind::gpu, static_cast<ExitCode>(code),
                              parse_integer("--debug-fake-failure", f.fake_failure.substr(last + 1), 1, 1 << 30)};
  }
}

/// --seed's value, or one drawn from std::random_device when none was given.
uint64_t seed_of(const std::string& text) {
  uint64_t seed = 0;
  if (text.empty()) {
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) << 32) ^ rd();
  }
  if (!parse_unsigned(text, seed))
    throw UsageError("--seed", text, "expected a whole number from 0 to 18446744073709551615");
  return seed;
}

}  // namespace

RunOptions to_run_options(const RunFlags& f, const CLI::App& app, int argc, const char* const* argv) {
  RunOptions o;
  for (int i = 0; i < argc; ++i) o.argv.emplace_back(argv[i]);
  o.problems = problems_from_flags(f, app);
  o.suite = f.suite;
  o.harness.runs = static_cast<int>(parse_integer("--runs", f.runs, 1, 1000000));
  o.rounds = f.rounds == "auto" ? (o.problems.size() > 1 ? kAutoRounds : 1)
                                : static_cast<int>(parse_integer("--rounds", f.rounds, 1, 1000));
  o.harness.warmup = static_cast<int>(parse_integer("--warmup", f.warmup, 1, 1000000));
  o.device = parse_device(f.device);
  if (f.cache != "hot" && f.cache != "cold") throw UsageError("--cache", f.cache, "expected hot or cold");
  o.harness.cache = f.cache == "cold" ? CacheMode::cold : CacheMode::hot;
  if (!f.threads.empty()) {
    const int cpus = usable_cpus();
    o.backend.threads = static_cast<int>(parse_integer("--threads", f.threads, 1, cpus));
  }
  o.seed = seed_of(f.seed);
  gpu_options(f, o);
  if (f.cpu_dtype != "auto") {
    o.cpu_fastest = f.cpu_dtype == "fastest";
    if (!o.cpu_fastest) o.cpu_dtype = dtype_named(f.cpu_dtype);
    if (!o.cpu_fastest && !o.cpu_dtype)
      throw UsageError("--cpu-dtype", f.cpu_dtype, "expected auto, fastest, f32, tf32, bf16 or f16");
    if (o.device == DeviceSelection::gpu) throw UsageError("--cpu-dtype: has no effect with --device gpu");
  }
  if (f.tune_cache.empty() && app.count("--tune-cache") > 0)
    throw UsageError("--tune-cache", f.tune_cache, "expected a file path or off");
  // Without the flag, the default path is empty only when neither XDG_CACHE_HOME nor HOME is set.
  o.tune_cache_nowhere = f.tune_cache.empty();
  if (f.retune && o.tune_cache_nowhere)
    throw UsageError(
        "--retune: has nothing to overwrite: neither XDG_CACHE_HOME nor HOME is set, so the tuning "
        "cache is off (give --tune-cache FILE)");
  if (f.retune && f.tune_cache == "off") throw UsageError("--retune: has nothing to overwrite with --tune-cache off");
  if (o.device == DeviceSelection::cpu)
    for (const char* flag : {"--algo", "--workspace-limit", "--include-transfers", "--tune-cache", "--retune", "--gpu",
                             "--straggler-threshold", "--fail-on-straggler"})
      if (app.count(flag) > 0)
        o.warnings.push_back(fmt::format("{} applies to the GPU only; ignored with --device cpu", flag));
  // A straggler is a GPU slower than the others of the node: one GPU has none to be compared with.
  if (o.device != DeviceSelection::cpu && o.gpus.size() == 1)
    for (const char* flag : {"--straggler-threshold", "--fail-on-straggler"})
      if (app.count(flag) > 0)
        o.warnings.push_back(fmt::format(
            "{} compares several GPUs (--gpu all, or a list such as 0,1); ignored with the one GPU --gpu {}", flag,
            o.gpus.front()));
  o.verify = !f.no_verify;
  o.memory_check = !f.no_memory_check;
  if (!f.meminfo.empty()) o.meminfo = f.meminfo;
  o.require_gpu = f.require_gpu;
  if (f.require_gpu && o.device == DeviceSelection::cpu)
    throw UsageError("--require-gpu: cannot be combined with --device cpu");
  o.format = parse_format(f.format);
  o.output = f.output == "-" ? "" : expand_output_path(f.output);  // {host}, {rank}, {job}: a file per task
  o.quiet = f.quiet;
  o.verbose = f.verbose;
  o.input_data = f.input_data;
  o.weights_data = f.weights_data;
  o.save_output = f.save_output;
  o.problems_file = f.problems;
  if (o.problems.size() > 1)
    for (const auto& [flag, value] : {std::pair<const char*, const std::string&>{"--input-data", f.input_data},
                                      {"--weights-data", f.weights_data},
                                      {"--save-output", f.save_output}})
      if (!value.empty()) throw UsageError(fmt::format("{}: works with a single problem, not a list or suite", flag));
  return o;
}

}  // namespace convbench

// One invocation: for each problem, check memory, make (or read) the inputs, run each selected backend
// through the harness, verify, derive the speedup, and hand the record to the printers; then summarise.
#include "run.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <iostream>

#include "convbench/atomic_file.hpp"
#include "convbench/npy.hpp"
#include "convbench/numeric.hpp"
#include "convbench/pairing.hpp"
#include "convbench/registry.hpp"
#include "convbench/report.hpp"
#include "convbench/system.hpp"
#include "convbench/text.hpp"
#include "interrupt.hpp"

namespace convbench {
namespace {

using Clock = std::chrono::steady_clock;

std::string gib(double bytes) { return fmt::format("{:.1f} GiB", bytes / (1024.0 * 1024.0 * 1024.0)); }

void check_host_memory(const Problem& p, bool cpu, bool gpu) {
  const double need = estimate_host_bytes(p, cpu, gpu);
  const double have = static_cast<double>(available_memory_bytes());
  if (have > 0 && need > have)
    throw Error(ExitCode::out_of_memory,
                fmt::format("the problem needs about {} of host memory, but only {} is available ({})", gib(need),
                            gib(have), p.describe()));
}

/// The shape a .npy file must have for a tensor of `p` in its layout.
std::vector<int64_t> npy_shape(const Problem& p, const char* tensor) {
  if (std::string(tensor) == "input") return storage_shape(p.layout, p.n, p.c, p.h, p.w);
  if (std::string(tensor) == "weights") return storage_shape(p.layout, p.k, p.c / p.groups, p.r, p.s);
  return storage_shape(p.layout, p.n, p.k, p.out_h(), p.out_w());
}

std::string shape_text(const std::vector<int64_t>& s) {
  std::string t = "(";
  for (size_t i = 0; i < s.size(); ++i) t += (i ? ", " : "") + std::to_string(s[i]);
  return t + ")";
}

/// Replaces `values` with a .npy file's data after checking its shape, rounded to the problem's dtype.
void load_npy(const std::string& path, const char* flag, const Problem& p, const char* tensor,
              std::vector<float>& values) {
  NpyArray a = read_npy(path, flag);
  const auto want = npy_shape(p, tensor);
  if (a.shape != want)
    throw UsageError(fmt::format("{}: '{}' has shape {}, but the {} of this problem ({} layout) needs {}", flag, path,
                                 shape_text(a.shape), tensor, to_string(p.layout), shape_text(want)));
  for (float& x : a.data) x = round_to(p.dtype, x);
  values = std::move(a.data);
}

/// One warning on `err`: a single line for scripts; wrapped to the width of a terminal, continuation lines
/// indented, when a person reads it.
void warn(std::ostream& err, const std::string& text) {
  static const size_t columns = isatty(STDERR_FILENO) == 1 ? output_columns(STDERR_FILENO) : 0;
  const std::string line = "convbench: warning: " + text;
  err << (columns ? wrap(line, columns, "    ") : line) << '\n';
}

/// The cached ceilings, read once; a broken cache is reported once, on the run's error stream, and ignored
/// rather than failing a run.
const std::vector<Ceilings>& cached_ceilings(std::ostream& err) {
  static bool loaded = false;
  static std::vector<Ceilings> all;
  if (!loaded) {
    loaded = true;
    try {
      all = load_ceilings(ceilings_path());
    } catch (const Error& e) {
      warn(err, e.what());
    }
  }
  return all;
}

/// The mode `kind` runs for `requested` (the GPU: the requested dtype; the CPU: the first mode of
/// cpu_dtypes_to_try() it supports), or why none can run. `fallback` tells why a better CPU mode was passed over.
Support choose_mode(DeviceKind kind, Conv2D& backend, const RunOptions& o, Problem& p, std::string& fallback) {
  const std::vector<DType> modes =
      kind == DeviceKind::cpu ? cpu_dtypes_to_try(p.dtype, o.cpu_dtype) : std::vector<DType>{p.dtype};
  Support first;
  for (size_t i = 0; i < modes.size(); ++i) {
    Problem candidate = p;
    candidate.dtype = modes[i];
    const Support s = backend.supports(candidate);
    if (i == 0) first = s;
    if (!s.ok) continue;
    if (i > 0)
      fallback =
          fmt::format("{} instead of {}: {}", mode_name(kind, modes[i]), mode_name(kind, modes[0]), first.reason);
    p = candidate;
    return s;
  }
  return first;
}

/// Runs one device; returns the exit code to use if this device was explicitly requested and failed.
ExitCode run_device(DeviceKind kind, Availability& avail, const RunOptions& o, const Problem& requested,
                    const HostTensors& inputs, RunResult& r, std::ostream& err) {
  DeviceResult d;
  d.kind = kind;
  d.dtype = requested.dtype;
  ExitCode code = ExitCode::ok;
  Problem p = requested;
  std::string fallback;
  if (!avail.backend) {
    d.not_run_reason = avail.reason;
    code = avail.code;
  } else if (const Support s = choose_mode(kind, *avail.backend, o, p, fallback); !s.ok) {
    d.not_run_reason = "unsupported: " + s.reason;
    code = ExitCode::unsupported;
  } else {
    d.dtype = p.dtype;
    HarnessConfig cfg = o.harness;
    cfg.cancelled = [] { return interrupted(); };
    if (o.on_run) cfg.on_run = [&o, kind](int done, int total) { o.on_run(kind, done, total); };
    try {
      d.measurement = measure(*avail.backend, p, inputs, cfg);
      if (!fallback.empty()) d.measurement->prepare.details.emplace_back("mode", fallback);
      if (o.verify) {
        d.reference_check = check_against_reference(p, inputs, d.measurement->output, r.seed);
        d.reference_check->tolerance = device_tolerance(kind, p.dtype);
      }
      const Measurement& m = *d.measurement;
      const std::string key = ceiling_key(kind, m.device.name, m.prepare.threads);
      for (const Ceilings& c : cached_ceilings(err))
        if (c.device == key) d.roofline = roofline(p, m.stats.median, c);
      if (d.roofline)
        for (std::string& w : roofline_warnings(kind, *d.roofline)) d.measurement->warnings.push_back(std::move(w));
    } catch (const Error& e) {
      // A backend may only learn while preparing that it has no implementation for this problem.
      if (e.code() != ExitCode::unsupported) throw;
      d.not_run_reason = std::string("unsupported: ") + e.what();
      code = ExitCode::unsupported;
    }
  }
  r.devices.push_back(std::move(d));
  return code;
}

/// Progress on a terminal's stderr, one line that is redrawn and never wider than the terminal: for
/// several problems a bar, the count, an ETA and the label; within a problem, the device's timed runs.
class Progress {
 public:
  Progress(std::ostream& err, size_t total, bool enabled)
      : err_(err), total_(total), enabled_(enabled), columns_(output_columns(STDERR_FILENO)) {}
  void problem(size_t done, const std::string& label) {
    done_ = done;
    label_ = label;
    runs_.clear();
    draw();
  }
  void runs(DeviceKind kind, int done, int total) {
    runs_ = fmt::format("{}: run {} of {}", to_string(kind), done + 1, total);
    draw();
  }
  void clear() {
    if (enabled_) err_ << "\r\033[K" << std::flush;
  }

 private:
  void draw() {
    if (!enabled_) return;
    std::string text;
    if (total_ > 1) {
      const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
      const double eta = done_ ? elapsed / static_cast<double>(done_) * static_cast<double>(total_ - done_) : 0;
      const size_t filled = done_ * 20 / total_;
      text = fmt::format("[{}{}] {}/{} ETA {} {}", std::string(filled, '#'), std::string(20 - filled, '.'), done_,
                         total_, done_ ? fmt::format("{}m{:02}s", int(eta) / 60, int(eta) % 60) : "--", label_);
      if (!runs_.empty()) text += ", ";
    }
    text += runs_;
    // One column short of the width: a line that reaches the last column wraps on some terminals, and a
    // wrapped line is not erased by the next redraw.
    if (text.size() > columns_ - 1) text.resize(columns_ - 1);
    err_ << "\r\033[K" << text << std::flush;
  }

  std::ostream& err_;
  size_t total_;
  bool enabled_;
  size_t columns_;
  size_t done_ = 0;
  std::string label_, runs_;
  Clock::time_point start_ = Clock::now();
};

/// Checks the GPU output against the CPU output (at the less precise side's tolerance) and, when both ran
/// and everything verified, sets the speedup. Returns whether every check passed.
bool verify_and_compare(RunResult& r, const RunOptions& o, const HostTensors& inputs) {
  const Measurement* cpu = nullptr;
  const Measurement* gpu = nullptr;
  bool verified = true;
  double cross_tolerance = 0;
  for (const DeviceResult& d : r.devices) {
    if (!d.measurement) continue;
    (d.kind == DeviceKind::cpu ? cpu : gpu) = &*d.measurement;
    if (d.reference_check && !d.reference_check->ok()) verified = false;
    cross_tolerance = std::max(cross_tolerance, device_tolerance(d.kind, d.dtype));
  }
  if (cpu && gpu && o.verify) {
    Check c = compare_outputs(gpu->output, cpu->output, cross_tolerance);
    c.nonfinite_inputs = count_nonfinite(inputs);
    r.cross_check = c;
    verified = verified && c.ok();
  }
  if (cpu && gpu && verified) {
    r.speedup = speedup(cpu->stats, gpu->stats);
    r.speedup_uncertainty = speedup_uncertainty(cpu->stats, cpu->samples_ms.size(), gpu->stats, gpu->samples_ms.size());
  }
  return verified;
}

/// Writes each device's output to `path`, or, when both ran, to `path` with .cpu/.gpu before the extension.
void save_outputs(const RunResult& r, const std::string& path) {
  const auto ran = std::count_if(r.devices.begin(), r.devices.end(),
                                 [](const DeviceResult& d) { return d.measurement.has_value(); });
  for (const DeviceResult& d : r.devices) {
    if (!d.measurement) continue;
    std::string file = path;
    if (ran > 1) {
      const auto dot = file.rfind('.');
      const auto slash = file.rfind('/');
      const bool has_ext = dot != std::string::npos && (slash == std::string::npos || dot > slash);
      file =
          has_ext ? file.substr(0, dot) + "." + to_string(d.kind) + file.substr(dot) : file + "." + to_string(d.kind);
    }
    write_npy(file, "--save-output", npy_shape(r.problem, "output"), d.measurement->output);
  }
}

/// Printers: the chosen format to --output (or stdout); beside a file, the table to stdout.
void open_printers(const RunOptions& o, std::ostream& out, std::unique_ptr<AtomicFile>& file,
                   PrinterMultiplexer& printers) {
  TableStyle terminal;
  terminal.color = colour_allowed() && isatty(STDOUT_FILENO) == 1;
  terminal.verbose = o.verbose;
  terminal.columns = output_columns(STDOUT_FILENO);
  if (o.output.empty()) {
    printers.add(make_printer(o.format, out, terminal));
    return;
  }
  file = std::make_unique<AtomicFile>(o.output, "--output");
  remove_on_second_interrupt(file->temp_path());
  TableStyle in_file;
  in_file.verbose = o.verbose;
  printers.add(make_printer(o.format, file->stream(), in_file));
  if (!o.quiet && o.format != Format::table) printers.add(make_table_printer(out, terminal));
}

void print_warnings(const RunResult& r, const std::string& prefix, std::ostream& err) {
  for (const DeviceResult& d : r.devices)
    if (d.measurement)
      for (const std::string& w : d.measurement->warnings) warn(err, prefix + w);
}

bool anything_ran(const std::vector<RunResult>& results) {
  return std::any_of(results.begin(), results.end(), [](const RunResult& r) {
    return std::any_of(r.devices.begin(), r.devices.end(),
                       [](const DeviceResult& d) { return d.measurement.has_value(); });
  });
}

/// The one line that explains a problem's failure: which device could not run and why, or which check failed.
std::string failure_line(const RunResult& r, ExitCode failure) {
  if (failure != ExitCode::verify_failed) {
    const DeviceResult& d = r.devices.back();
    return std::string(to_string(d.kind)) + ": " + d.not_run_reason;
  }
  for (const DeviceResult& d : r.devices)
    if (d.reference_check && !d.reference_check->ok())
      return fmt::format(
          "{}: verification against the float64 reference failed (error {:.1e}, tolerance {:.0e}); no "
          "speedup is reported",
          to_string(d.kind), d.reference_check->error, d.reference_check->tolerance);
  const Check& c = *r.cross_check;
  return fmt::format("the GPU and CPU outputs disagree (error {:.1e}, tolerance {:.0e}); no speedup is reported",
                     c.error, c.tolerance);
}

/// Why no device ran, one reason per device of the last problem.
std::string not_run_reasons(const std::vector<RunResult>& results) {
  std::string why;
  if (!results.empty())
    for (const DeviceResult& d : results.back().devices)
      why += fmt::format("{}{}: {}", why.empty() ? "" : "; ", to_string(d.kind), d.not_run_reason);
  return why.empty() ? "no device was selected" : why;
}

/// The problems of a run, measured round by round (the whole list once per round, so that a slow spell of the
/// machine lands in one round of a problem, not all). A problem's record goes to the printers after its last
/// round, or at Ctrl-C with the rounds it completed.
class Rounds {
 public:
  Rounds(const RunOptions& o, PrinterMultiplexer& printers, Progress& progress, std::ostream& err)
      : o_(o), printers_(printers), progress_(progress), err_(err), acc_(o.problems.size()),
        started_(o.problems.size()), emitted_(o.problems.size()) {}

  /// Every round of every problem; false when Ctrl-C stopped it (what completed is emitted all the same).
  bool run(Availability& cpu, std::vector<GpuSlot>& gpus) {
    gpu_count_ = std::max<size_t>(gpus.size(), 1);
    bool completed = true;
    for (int round = 0; round < o_.rounds && completed; ++round)
      for (size_t i = 0; i < o_.problems.size() && completed; ++i) {
        completed = run_one(i, round, cpu, gpus);
        if (round == o_.rounds - 1 && !acc_[i].empty()) emit(i);
      }
    for (size_t i = 0; i < o_.problems.size(); ++i)
      if (!acc_[i].empty() && !emitted_[i]) emit(i);
    return completed;
  }

  std::vector<RunResult> results;  ///< the records emitted, in order
  ExitCode first_failure = ExitCode::ok;
  std::string first_error;
  std::string first_straggler;  ///< the first GPU found slower than its node's median, in one line

 private:
  /// One round of problem `i`; false when Ctrl-C stopped it (a part-way device is kept in the record).
  bool run_one(size_t i, int round, Availability& cpu, std::vector<GpuSlot>& gpus) {
    const LabeledProblem& lp = o_.problems[i];
    // One problem shows its header while it runs; several print theirs with their records.
    if (o_.problems.size() == 1 && round == 0) start(i);
    progress_.problem(i, o_.rounds > 1 ? fmt::format("{} (round {} of {})", lp.label, round + 1, o_.rounds)
                                       : lp.label);
    ExitCode failure = ExitCode::ok;
    try {
      if (interrupted()) throw Error(ExitCode::interrupted, "interrupted");
      std::vector<RunResult> rs = run_problem(lp, o_, cpu, gpus, failure, err_);
      if (failure != ExitCode::ok && first_failure == ExitCode::ok && !rs.empty()) {
        first_failure = failure;
        first_error = prefix(i) + failure_line(rs.back(), failure);
      }
      // One record per GPU; a round that Ctrl-C cut short may have fewer.
      for (size_t k = 0; k < rs.size(); ++k) {
        if (k < acc_[i].size())
          add_round(acc_[i][k], rs[k]);
        else
          acc_[i].push_back(std::move(rs[k]));
      }
    } catch (const Error& e) {
      if (e.code() != ExitCode::interrupted) throw;
      return false;
    }
    return !interrupted();
  }

  void start(size_t i) {
    const LabeledProblem& lp = o_.problems[i];
    printers_.start({lp.label, lp.problem, o_.seed, o_.harness.warmup, o_.harness.runs, i, o_.problems.size(),
                     o_.rounds, gpu_count_});
    started_[i] = true;
  }

  void emit(size_t i) {
    progress_.clear();
    if (!started_[i]) start(i);
    if (acc_[i].size() > 1) mark_stragglers(acc_[i], o_.straggler_threshold);
    for (const RunResult& r : acc_[i]) {
      printers_.record(r);
      if (!o_.quiet) print_warnings(r, prefix(i), err_);
      if (r.straggler && first_straggler.empty())
        first_straggler = fmt::format("{}gpu {}: {:.1f}% slower than the node's median GPU", prefix(i), r.gpu_index,
                                      *r.gpu_deviation * 100);
      results.push_back(r);
    }
    emitted_[i] = true;
  }

  std::string prefix(size_t i) const { return o_.problems.size() > 1 ? o_.problems[i].label + ": " : ""; }

  const RunOptions& o_;
  PrinterMultiplexer& printers_;
  Progress& progress_;
  std::ostream& err_;
  std::vector<std::vector<RunResult>> acc_;  ///< per problem, a record per GPU (one without GPUs)
  std::vector<bool> started_, emitted_;
  size_t gpu_count_ = 1;
};

/// The GPUs of --gpu, each with its backend or the reason it has none (none for --device cpu). They are
/// opened before any CPU work, so that --require-gpu fails first.
std::vector<GpuSlot> open_gpus(const RunOptions& o, const BackendFactory& backends) {
  std::vector<GpuSlot> gpus;
  if (o.device == DeviceSelection::cpu) return gpus;
  std::vector<int> list = o.gpus;
  if (list.empty())  // --gpu all; with no usable GPU, GPU 0 says why
    for (int g = 0; g < std::max(backends.gpu_count(o.backend), 1); ++g) list.push_back(g);
  for (int g : list) {
    BackendSettings s = o.backend;
    s.gpu_index = g;
    gpus.push_back({g, backends.gpu(s)});
    const Availability& a = gpus.back().avail;
    if (o.require_gpu && !a.backend)
      throw Error(a.code, (list.size() > 1 ? fmt::format("gpu {}: ", g) : std::string("gpu: ")) + a.reason);
  }
  return gpus;
}

/// What Ctrl-C left: the problems finished, and those measured in part (fewer rounds, or a device's timed
/// runs stopped part-way).
std::string interruption_note(const std::vector<RunResult>& results, const RunOptions& o) {
  size_t complete = 0;
  std::string partial;
  for (const RunResult& r : results) {
    size_t rounds = 1;
    std::string stopped;
    for (const DeviceResult& d : r.devices)
      if (d.measurement) {
        const Measurement& m = *d.measurement;
        const size_t done = std::max<size_t>(m.round_medians_ms.size(), 1);
        rounds = std::max(rounds, done);
        // The stopped round is the last; the rounds before it ran all their runs.
        if (m.interrupted)
          stopped = fmt::format("{} of {} timed {} runs", m.samples_ms.size() - (done - 1) * o.harness.runs,
                                o.harness.runs, to_string(d.kind));
      }
    if (stopped.empty() && rounds == static_cast<size_t>(o.rounds)) {
      ++complete;
      continue;
    }
    partial += fmt::format("{}{}{}", partial.empty() ? "; in part: " : ", ", r.label.empty() ? "the problem" : r.label,
                           stopped.empty() ? fmt::format(" ({} of {} rounds)", rounds, o.rounds) : " (" + stopped + ")");
  }
  return fmt::format("interrupted after {} of {} problems{}; what completed is reported and kept", complete,
                     o.problems.size(), partial);
}

}  // namespace

double estimate_host_bytes(const Problem& p, bool cpu, bool gpu) {
  const double in = static_cast<double>(p.input_elems()) + static_cast<double>(p.weight_elems());
  const double out = static_cast<double>(p.output_elems());
  const double dsize = dtype_bytes(p.dtype);
  // A conservative bound: each term covers the largest buffers a device holds at once.
  double need = 4 * in;                               // seeded f32 input and weights
  if (cpu) need += dsize * (in + out) + 4 * out * 2;  // oneDNN tensors, the f32 output, reorder headroom
  if (gpu)
    need += 4 * out * 2 + dsize * (in + out);  // encoded uploads or pinned staging, the f32 output
                                               // and its 16-bit download
  return need;
}

std::vector<RunResult> run_problem(const LabeledProblem& lp, const RunOptions& o, Availability& cpu_backend,
                                   std::vector<GpuSlot>& gpus, ExitCode& requested_failure, std::ostream& err) {
  const Problem& p = lp.problem;
  const bool want_cpu = o.device != DeviceSelection::gpu, want_gpu = o.device != DeviceSelection::cpu;
  check_host_memory(p, want_cpu, want_gpu);
  RunResult base;
  base.label = lp.label;
  base.problem = p;
  base.seed = o.seed;
  base.warmup = o.harness.warmup;
  HostTensors inputs = make_inputs(p, o.seed);
  if (!o.input_data.empty()) load_npy(o.input_data, "--input-data", p, "input", inputs.input);
  if (!o.weights_data.empty()) load_npy(o.weights_data, "--weights-data", p, "weights", inputs.weights);

  // The CPU runs once, whatever the number of GPUs; its output stays for each GPU's cross-check.
  if (want_cpu) {
    const ExitCode c = run_device(DeviceKind::cpu, cpu_backend, o, p, inputs, base, err);
    if (o.device == DeviceSelection::cpu && c != ExitCode::ok) requested_failure = c;
  }
  std::vector<RunResult> out;
  for (size_t g = 0; g < (want_gpu ? gpus.size() : 1); ++g) {
    // After Ctrl-C the next GPU does not start; the records report what completed.
    if (g > 0 && interrupted()) break;
    RunResult r = base;
    if (want_gpu && !interrupted()) {
      const bool available = gpus[g].avail.backend != nullptr;
      const ExitCode c = run_device(DeviceKind::gpu, gpus[g].avail, o, p, inputs, r, err);
      // Without --require-gpu, an unusable GPU asked for by --device gpu is exit code 5, whatever the reason.
      if (o.device == DeviceSelection::gpu && c != ExitCode::ok)
        requested_failure = available ? c : ExitCode::gpu_unavailable;
      if (gpus.size() > 1) r.gpu_index = gpus[g].index;
    }
    const bool verified = verify_and_compare(r, o, inputs);
    if (!o.save_output.empty()) save_outputs(r, o.save_output);
    r.peak_host_bytes = peak_host_bytes();
    // Outputs are not part of the record; free them before the next problem.
    for (DeviceResult& d : r.devices)
      if (d.measurement) std::vector<float>().swap(d.measurement->output);
    if (!verified && requested_failure == ExitCode::ok) requested_failure = ExitCode::verify_failed;
    out.push_back(std::move(r));
  }
  return out;
}

Outcome run_benchmarks(const RunOptions& options, std::ostream& out, std::ostream& err,
                       const BackendFactory& backends) {
  RunOptions o = options;
  // Outputs are checked before anything runs: a run must not be lost to a path that cannot be written.
  if (!o.output.empty()) check_writable_output(o.output, "--output");
  if (!o.save_output.empty()) check_writable_output(o.save_output, "--save-output");
  InterruptGuard guard;
  if (!o.quiet)
    for (const std::string& w : o.warnings) warn(err, w);
  std::vector<GpuSlot> gpus = open_gpus(o, backends);
  Availability cpu_backend = o.device != DeviceSelection::gpu ? backends.cpu(o.backend) : Availability{};

  std::unique_ptr<AtomicFile> file;
  PrinterMultiplexer printers;
  open_printers(o, out, file, printers);
  const RunMetadata meta{CONVBENCH_VERSION, cpu_library_version(), cpu_model(), utc_now(), o.argv, host_name(),
                         scheduler_context()};
  printers.begin(meta);

  Progress progress(err, o.problems.size(), !o.quiet && isatty(STDERR_FILENO) == 1);
  o.on_run = [&progress](DeviceKind kind, int done, int total) { progress.runs(kind, done, total); };
  Rounds rounds(o, printers, progress, err);
  const bool interrupted = !rounds.run(cpu_backend, gpus);
  const std::vector<RunResult>& results = rounds.results;
  const ExitCode first_failure = rounds.first_failure;
  const std::string& first_error = rounds.first_error;
  progress.clear();
  printers.end(summarize_suite(results, static_cast<int>(o.problems.size()), interrupted));
  const bool straggler = o.fail_on_straggler && !rounds.first_straggler.empty();
  const ExitCode code = interrupted                     ? ExitCode::interrupted
                        : first_failure != ExitCode::ok ? first_failure
                        : !anything_ran(results)        ? ExitCode::unsupported
                        : straggler                     ? ExitCode::fleet_flagged
                                                        : ExitCode::ok;
  // The --output file is kept for a run that measured (a verification failure, a straggler and Ctrl-C
  // included: their records say what happened); any other failure leaves no file.
  if (file && (code == ExitCode::ok || code == ExitCode::verify_failed || code == ExitCode::interrupted ||
               code == ExitCode::fleet_flagged))
    file->commit();
  if (interrupted && !o.quiet) err << "convbench: " << interruption_note(results, o) << '\n';
  if (code == ExitCode::unsupported && first_failure == ExitCode::ok)
    return {code, "nothing ran: " + not_run_reasons(results)};
  if (code == ExitCode::fleet_flagged) return {code, rounds.first_straggler};
  return {code, code == first_failure ? first_error : ""};
}

}  // namespace convbench

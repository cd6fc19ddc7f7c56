// One invocation: the problems round by round, a record per problem (and GPU) to the printers as each
// finishes its last round, then the summary and the exit code.
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
#include "progress.hpp"

namespace convbench {
namespace {

/// Printers: the chosen format to --output (or stdout); beside a file, the table to stdout.
void open_printers(const RunOptions& o, std::ostream& out, std::unique_ptr<AtomicFile>& file,
                   PrinterMultiplexer& printers) {
  TableStyle terminal;
  terminal.color = colour_allowed() && isatty(STDOUT_FILENO) == 1;
  terminal.verbose = o.verbose;
  terminal.columns = output_columns(STDOUT_FILENO);
  terminal.label_prefix = o.suite;
  if (o.output.empty()) {
    printers.add(make_printer(o.format, out, terminal));
    return;
  }
  file = std::make_unique<AtomicFile>(o.output, "--output");
  remove_on_second_interrupt(file->temp_path());
  TableStyle in_file;
  in_file.verbose = o.verbose;
  in_file.label_prefix = terminal.label_prefix;
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
/// `rs` holds the problem's records, one per GPU.
std::string failure_line(const std::vector<RunResult>& rs, ExitCode failure) {
  const auto device_name = [](const RunResult& r, const DeviceResult& d) {
    return d.kind == DeviceKind::gpu && r.gpu_index >= 0 ? fmt::format("gpu {}", r.gpu_index)
                                                         : std::string(to_string(d.kind));
  };
  for (const RunResult& r : rs)
    for (const DeviceResult& d : r.devices) {
      if (failure != ExitCode::verify_failed && !d.measurement && d.not_run_code == failure)
        return device_name(r, d) + ": " + d.not_run_reason;
      if (failure == ExitCode::verify_failed && d.reference_check && !d.reference_check->ok())
        return fmt::format(
            "{}: verification against the float64 reference failed (error {:.1e}, tolerance {:.0e}); no "
            "speedup is reported",
            device_name(r, d), d.reference_check->error, d.reference_check->tolerance);
    }
  for (const RunResult& r : rs)
    if (r.cross_check && !r.cross_check->ok())
      return fmt::format("{}the GPU and CPU outputs disagree (error {:.1e}, tolerance {:.0e}); no speedup is reported",
                         r.gpu_index >= 0 ? fmt::format("gpu {}: ", r.gpu_index) : "", r.cross_check->error,
                         r.cross_check->tolerance);
  const DeviceResult& last = rs.back().devices.back();  // --device gpu without a usable GPU: exit 5
  return device_name(rs.back(), last) + ": " + last.not_run_reason;
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
  /// `records_out` is the stream the records go to when it is stdout (nullptr when they go to a file): once a
  /// write there has failed (a full disk; a reader gone, with SIGPIPE ignored), nothing later can reach it,
  /// so no further problem runs.
  Rounds(const RunOptions& o, PrinterMultiplexer& printers, Progress& progress, std::ostream& err,
         const std::ostream* records_out)
      : o_(o),
        printers_(printers),
        progress_(progress),
        err_(err),
        results_(records_out),
        acc_(o.problems.size()),
        started_(o.problems.size()),
        emitted_(o.problems.size()) {}

  /// Every round of every problem; false when Ctrl-C stopped it (what completed is emitted all the same).
  bool run(Availability& cpu, std::vector<GpuSlot>& gpus) {
    gpu_count_ = std::max<size_t>(gpus.size(), 1);
    bool completed = true;
    const auto lost = [this] { return results_ && !results_->good(); };
    for (int round = 0; round < o_.rounds && completed && !lost(); ++round)
      for (size_t i = 0; i < o_.problems.size() && completed && !lost(); ++i) {
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
    progress_.problem(i, o_.rounds > 1 ? fmt::format("{} (round {} of {})", lp.label, round + 1, o_.rounds) : lp.label);
    ExitCode failure = ExitCode::ok;
    try {
      if (interrupted()) throw Error(ExitCode::interrupted, "interrupted");
      // With --cpu-dtype fastest, later rounds keep the CPU mode round 1 chose, so that the rounds measure one.
      std::optional<DType> cpu_mode;
      if (!acc_[i].empty())
        if (const DeviceResult* c = acc_[i][0].device(DeviceKind::cpu); c && c->measurement) cpu_mode = c->dtype;
      std::vector<RunResult> rs = run_problem(lp, o_, cpu, gpus, failure, err_, cpu_mode);
      if (failure != ExitCode::ok && first_failure == ExitCode::ok && !rs.empty()) {
        first_failure = failure;
        first_error = prefix(i) + failure_line(rs, failure);
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
  const std::ostream* results_;
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

/// What Ctrl-C or SIGTERM left: the problems finished, and those measured in part (fewer rounds, or a device's timed
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
    partial +=
        fmt::format("{}{}{}", partial.empty() ? "; in part: " : ", ", r.label.empty() ? "the problem" : r.label,
                    stopped.empty() ? fmt::format(" ({} of {} rounds)", rounds, o.rounds) : " (" + stopped + ")");
  }
  return fmt::format("{} after {} of {}{}; what completed is reported and kept", interruption_name(), complete,
                     counted(o.problems.size(), "problem"), partial);
}

/// The files a run reads and those it writes, for check_distinct_files. --save-output counts with each name
/// it may take (.cpu, .gpu and, for a list of GPUs, .gpuN); the tuning cache counts where a GPU may run.
std::vector<NamedFile> files_read(const RunOptions& o) {
  std::vector<NamedFile> in;
  for (const auto& [flag, path] : {std::pair<const char*, const std::string&>{"--problems", o.problems_file},
                                   {"--input-data", o.input_data},
                                   {"--weights-data", o.weights_data}})
    if (!path.empty()) in.push_back({flag, path});
  return in;
}

/// `gpus`: the indices whose .gpuN names count (--gpu's list; with --gpu all, the GPUs found).
std::vector<NamedFile> files_written(const RunOptions& o, const std::vector<int>& gpus) {
  std::vector<NamedFile> out;
  if (!o.output.empty()) out.push_back({"--output", o.output});
  if (!o.save_output.empty()) {
    out.push_back({"--save-output", o.save_output});
    std::vector<std::string> devices{"cpu", "gpu"};
    if (gpus.size() > 1)
      for (const int g : gpus) devices.push_back(fmt::format("gpu{}", g));
    for (const std::string& d : devices)
      out.push_back({fmt::format("--save-output's {} file", d), saved_output_path(o.save_output, d)});
  }
  if (o.device != DeviceSelection::cpu && !o.backend.tune_cache.empty())
    out.push_back({"--tune-cache", o.backend.tune_cache});
  return out;
}

}  // namespace

Outcome run_benchmarks(const RunOptions& options, std::ostream& out, std::ostream& err,
                       const BackendFactory& backends) {
  RunOptions o = options;
  // Outputs are checked before anything runs: a run must not be lost to a path that cannot be written.
  if (!o.output.empty()) check_writable_output(o.output, "--output");
  if (!o.save_output.empty()) check_writable_output(o.save_output, "--save-output");
  check_distinct_files(files_read(o), files_written(o, o.gpus));
  // Every problem's memory before any runs, so that a list does not measure for an hour and then stop at a
  // problem that cannot fit, and a single problem's header is not printed above its refusal. Each problem
  // is checked again when it starts (what is available may have shrunk).
  check_host_memory(o);
  InterruptGuard guard;
  if (!o.quiet)
    for (const std::string& w : o.warnings) warn(err, w);
  std::vector<GpuSlot> gpus = open_gpus(o, backends);
  phase_mark("GPUs opened");
  if (o.gpus.empty() && gpus.size() > 1 && !o.save_output.empty()) {
    // --gpu all: the .gpuN names of --save-output are known now, still before anything runs.
    std::vector<int> found;
    for (const GpuSlot& g : gpus) found.push_back(g.index);
    check_distinct_files(files_read(o), files_written(o, found));
  }
  const bool a_gpu_opened =
      std::any_of(gpus.begin(), gpus.end(), [](const GpuSlot& g) { return g.avail.backend != nullptr; });
  if (o.tune_cache_nowhere && !o.quiet && a_gpu_opened)
    warn(err,
         "neither XDG_CACHE_HOME nor HOME is set, so the GPU's engine choices are not kept: every run "
         "searches again (give --tune-cache FILE to keep them)");
  Availability cpu_backend = o.device != DeviceSelection::gpu ? backends.cpu(o.backend) : Availability{};
  phase_mark("CPU opened");

  std::unique_ptr<AtomicFile> file;
  PrinterMultiplexer printers;
  open_printers(o, out, file, printers);
  const RunMetadata meta{CONVBENCH_VERSION, cpu_library_version(), cpu_model(), utc_now(), o.argv,
                         host_name(),       scheduler_context()};
  printers.begin(meta);

  Progress progress(err, o.problems.size(), !o.quiet && isatty(STDERR_FILENO) == 1);
  o.on_run = [&progress](DeviceKind kind, int done, int total) { progress.runs(kind, done, total); };
  Rounds rounds(o, printers, progress, err, o.output.empty() ? &out : nullptr);
  const bool interrupted = !rounds.run(cpu_backend, gpus);
  const std::vector<RunResult>& results = rounds.results;
  const ExitCode first_failure = rounds.first_failure;
  const std::string& first_error = rounds.first_error;
  progress.clear();
  printers.end(summarize_suite(results, static_cast<int>(o.problems.size()), interrupted));
  phase_mark("printed");
  const bool straggler = o.fail_on_straggler && !rounds.first_straggler.empty();
  const ExitCode code = interrupted                     ? interruption_code()
                        : first_failure != ExitCode::ok ? first_failure
                        : !anything_ran(results)        ? ExitCode::unsupported
                        : straggler                     ? ExitCode::fleet_flagged
                                                        : ExitCode::ok;
  // The --output file is kept for a run that measured, whatever its exit code (a verification failure, a
  // straggler, a failure of one problem or device: the records say what happened), and at Ctrl-C or SIGTERM.
  // A verification failure counts as measured even when a later round's device failure left no measurement.
  // A run that measured nothing leaves no file.
  if (file && (anything_ran(results) || interrupted || code == ExitCode::verify_failed)) file->commit();
  if (interrupted && !o.quiet) err << "convbench: " << interruption_note(results, o) << '\n';
  Outcome outcome{code, code == first_failure ? first_error : ""};
  if (code == ExitCode::unsupported && first_failure == ExitCode::ok)
    outcome.error = "nothing ran: " + not_run_reasons(results);
  if (code == ExitCode::fleet_flagged) outcome.error = rounds.first_straggler;
  outcome.skip_gpu_teardown = a_gpu_opened;
  return outcome;
}

}  // namespace convbench

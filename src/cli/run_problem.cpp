// One problem end to end: check memory, make (or read) the inputs, run the CPU once and each GPU in turn
// through the harness, verify against the reference and across devices, derive the speedup.
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

/// A size for a message: GiB with one decimal from 1 GiB up, whole MiB below.
std::string memory_text(double bytes) {
  const double mib = bytes / (1024.0 * 1024.0);
  return mib >= 1024 ? fmt::format("{:.1f} GiB", mib / 1024) : fmt::format("{:.0f} MiB", mib);
}

void check_host_memory(const Problem& p, bool cpu, bool gpu, const RunOptions& o) {
  if (!o.memory_check) return;
  const double need = estimate_host_bytes(p, cpu, gpu);
  const double have = static_cast<double>(available_memory_bytes(o.meminfo.c_str()));
  if (have > 0 && need > have)
    throw Error(ExitCode::out_of_memory,
                fmt::format("the problem needs about {} of host memory, but only {} is available ({}); "
                            "--no-memory-check runs it anyway",
                            memory_text(need), memory_text(have), p.describe()));
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
/// With `supported` (--cpu-dtype fastest's trial), every mode of that list the backend supports is added to it,
/// in order, not only the first.
Support choose_mode(DeviceKind kind, Conv2D& backend, const RunOptions& o, Problem& p, std::string& fallback,
                    std::vector<DType>* supported = nullptr) {
  const std::vector<DType> modes =
      kind == DeviceKind::cpu ? cpu_dtypes_to_try(p.dtype, o.cpu_dtype) : std::vector<DType>{p.dtype};
  Support first;
  std::optional<Support> chosen;
  for (size_t i = 0; i < modes.size(); ++i) {
    Problem candidate = p;
    candidate.dtype = modes[i];
    const Support s = backend.supports(candidate);
    if (i == 0) first = s;
    if (!s.ok) continue;
    if (supported) supported->push_back(modes[i]);
    if (chosen) continue;
    if (i > 0)
      fallback =
          fmt::format("{} instead of {}: {}", mode_name(kind, modes[i]), mode_name(kind, modes[0]), first.reason);
    p = candidate;
    chosen = s;
    if (!supported) break;
  }
  return chosen ? *chosen : first;
}

/// The CPU's "mode" detail for --cpu-dtype fastest's choice, e.g. "f32 by time: bf16 74.657 ms, f32 37.087 ms
/// (best of 3+1 and 3 trial runs, 0.72 s)", where "+1" counts the runs of a mode's second, later trial.
std::string fastest_mode_text(const std::vector<ModeTrial>& trials, size_t kept, double seconds) {
  std::string times, counts;
  for (const ModeTrial& t : trials) {
    times +=
        fmt::format("{}{} {} ms", times.empty() ? "" : ", ", mode_name(DeviceKind::cpu, t.mode), ms_text(t.best_ms));
    counts += fmt::format("{}{}", counts.empty() ? "" : " and ", t.runs);
    if (t.later_runs > 0) counts += fmt::format("+{}", t.later_runs);
  }
  const bool closer_kept = std::any_of(trials.begin() + static_cast<std::ptrdiff_t>(kept) + 1, trials.end(),
                                       [&](const ModeTrial& t) { return t.best_ms < trials[kept].best_ms; });
  return fmt::format(
      "{}{}{} (best of {} trial runs, {:.2f} s{})", mode_name(DeviceKind::cpu, trials[kept].mode), kByTime, times,
      counts, seconds,
      closer_kept ? fmt::format("; a faster mode within {:.0f}% keeps the closer precision", kFasterBy * 100) : "");
}

/// One trial of `p` in CPU mode `mode`: the harness's warm-ups (--warmup), then at least `min_runs` timed runs
/// (ModeTrial says how long); Ctrl-C stops it with Error(ExitCode::interrupted).
ModeTrial trial_of(Conv2D& backend, Problem p, DType mode, int min_runs, const HostTensors& inputs,
                   const HarnessConfig& harness) {
  p.dtype = mode;
  backend.prepare(p, inputs);
  const auto run = [&] {
    if (interrupted()) throw Error(ExitCode::interrupted, "interrupted");
    if (harness.cache == CacheMode::cold) backend.flush_cache();
    return backend.run();
  };
  for (int i = 0; i < harness.warmup; ++i) run();
  double best = run(), total = best;
  int runs = 1;
  for (; runs < min_runs || (runs * best < kTrialMinMs && runs < kTrialMaxRuns && total < kTrialMaxMs); ++runs) {
    const double ms = run();
    best = std::min(best, ms);
    total += ms;
  }
  return {p.dtype, best, runs};
}

/// --cpu-dtype fastest: a short timed trial of each of `modes` (those choose_mode() found supported, closest
/// precision first), then a second, later one of each mode that lost (trial_to_repeat()). Sets p.dtype to the
/// mode kept (fastest_mode()) and returns its "mode" detail, or "" when there was nothing to choose from. A mode the
/// backend refuses only while preparing drops out, and the mode left says why.
std::string choose_by_time(Conv2D& backend, const RunOptions& o, const std::vector<DType>& modes, Problem& p,
                           const HostTensors& inputs) {
  if (modes.size() < 2) return "";
  const auto start = std::chrono::steady_clock::now();
  std::vector<ModeTrial> trials;
  std::string refused;  // the first mode's refusal while preparing, if it had one
  for (const DType mode : modes) {
    try {
      trials.push_back(trial_of(backend, p, mode, kTrialMinRuns, inputs, o.harness));
    } catch (const Error& e) {
      if (e.code() != ExitCode::unsupported) throw;
      if (mode == modes[0]) refused = e.what();
    }
  }
  if (trials.empty()) return "";  // the run itself reports the refusal
  // Each mode that loses is timed once more, in a later window, and keeps the best run of both.
  for (std::optional<size_t> i; (i = trial_to_repeat(trials));) {
    ModeTrial& t = trials[*i];
    const ModeTrial later = trial_of(backend, p, t.mode, kLaterTrialMinRuns, inputs, o.harness);
    t.best_ms = std::min(t.best_ms, later.best_ms);
    t.later_runs = later.runs;
  }
  const size_t kept = fastest_mode(trials);
  p.dtype = trials[kept].mode;
  if (trials.size() < 2)  // one mode left: a passed-over closer precision says why, as without a trial
    return refused.empty() ? ""
                           : fmt::format("{} instead of {}: {}", mode_name(DeviceKind::cpu, p.dtype),
                                         mode_name(DeviceKind::cpu, modes[0]), refused);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  phase_mark("cpu mode chosen");
  return fastest_mode_text(trials, kept, seconds);
}

/// Runs one device and adds its result to `r`; returns why it did not run, as an exit code (ok when it ran). A
/// failure other than running out of memory, a library failure or an unsupported problem is thrown. With
/// `refused` (the host memory check's refusal), the device does not start and fails with that reason.
/// `cpu_mode`: with --cpu-dtype fastest, the CPU's mode an earlier round of this problem chose, kept.
ExitCode run_device(DeviceKind kind, Availability& avail, const RunOptions& o, const Problem& requested,
                    const HostTensors& inputs, const std::string& refused, std::optional<DType> cpu_mode, RunResult& r,
                    std::ostream& err) {
  Problem p = requested;  // in the mode the device runs, once chosen
  const auto not_run = [&p, kind](std::string reason) {
    DeviceResult n;
    n.kind = kind;
    n.dtype = p.dtype;
    n.not_run_reason = std::move(reason);
    return n;
  };
  DeviceResult d = not_run("");
  ExitCode code = ExitCode::ok;
  std::string fallback;
  // --cpu-dtype fastest in a problem's first round: every CPU mode the backend supports, for the trial.
  const bool timed = kind == DeviceKind::cpu && o.cpu_fastest && !cpu_mode;
  std::vector<DType> trial_modes;
  if (!refused.empty()) {
    d.not_run_reason = refused;
    code = ExitCode::out_of_memory;
  } else if (!avail.lost.empty()) {
    d.not_run_reason = avail.lost;
    d.lost_earlier = true;
    code = ExitCode::library;
  } else if (!avail.backend) {
    // A backend that could not be set up (even for want of memory) is a device that is not there, not one that
    // failed on this problem: with --device all it is reported, not an error.
    d.not_run_reason = avail.reason;
    code = is_device_failure(avail.code) ? ExitCode::gpu_unavailable : avail.code;
  } else if (const Support s = choose_mode(kind, *avail.backend, o, p, fallback, timed ? &trial_modes : nullptr);
             !s.ok) {
    d.not_run_reason = "unsupported: " + s.reason;
    code = ExitCode::unsupported;
  } else {
    d.dtype = p.dtype;  // the mode chosen
    HarnessConfig cfg = o.harness;
    cfg.cancelled = [] { return interrupted(); };
    if (o.on_run) cfg.on_run = [&o, kind](int done, int total) { o.on_run(kind, done, total); };
    try {
      if (kind == DeviceKind::cpu && o.cpu_fastest) {
        if (cpu_mode)
          p.dtype = *cpu_mode;
        else if (std::string chosen = choose_by_time(*avail.backend, o, trial_modes, p, inputs); !chosen.empty())
          fallback = std::move(chosen);
        d.dtype = p.dtype;
      }
      d.measurement = measure(*avail.backend, p, inputs, cfg);
      if (!fallback.empty()) d.measurement->prepare.details.emplace_back("mode", fallback);
      if (o.verify) {
        d.reference_check = check_against_reference(p, inputs, d.measurement->output, r.seed);
        d.reference_check->tolerance = device_tolerance(kind, p.dtype);
        phase_mark(std::string(to_string(kind)) + " verified");
      }
      const Measurement& m = *d.measurement;
      const std::string key = ceiling_key(kind, m.device.name, m.prepare.threads);
      for (const Ceilings& c : cached_ceilings(err))
        if (c.device == key) d.roofline = roofline(p, m.stats.median, c);
      if (d.roofline)
        for (std::string& w : roofline_warnings(kind, *d.roofline)) d.measurement->warnings.push_back(std::move(w));
    } catch (const Error& e) {
      // A backend may only learn while preparing that it has no implementation for this problem. Out of
      // memory and a library failure are this problem's: the record says so, and a list goes on.
      if (e.code() != ExitCode::unsupported && !is_device_failure(e.code())) throw;
      d = not_run(e.code() == ExitCode::unsupported ? std::string("unsupported: ") + e.what() : e.what());
      code = e.code();
      if (code == ExitCode::library)
        if (const std::string why = avail.backend->lost(); !why.empty())
          avail.lost = fmt::format("the {} stopped working{}{}: {}", to_string(kind), r.label.empty() ? "" : " at ",
                                   r.label, why);
    } catch (const std::bad_alloc&) {
      d = not_run("out of host memory");
      code = ExitCode::out_of_memory;
    }
  }
  d.not_run_code = d.measurement ? ExitCode::ok : code;
  r.devices.push_back(std::move(d));
  return code;
}

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
    phase_mark("cross-checked");
  }
  if (cpu && gpu && verified) set_speedup(r, *cpu, *gpu);
  return verified;
}

/// Writes each device's output to `path`, or, when both ran, to `path` with .cpu/.gpu before the extension.
/// With several GPUs every record has its own GPU, so the names are .cpu and .gpuN (the GPU's index), and
/// the CPU's output, the same in each record, is written with the first.
void save_outputs(const RunResult& r, const std::string& path, bool several_gpus, bool first_record) {
  const auto ran = std::count_if(r.devices.begin(), r.devices.end(),
                                 [](const DeviceResult& d) { return d.measurement.has_value(); });
  for (const DeviceResult& d : r.devices) {
    if (!d.measurement || (several_gpus && d.kind == DeviceKind::cpu && !first_record)) continue;
    std::string file = path;
    if (several_gpus)
      file = saved_output_path(path, d.kind == DeviceKind::cpu ? "cpu" : fmt::format("gpu{}", r.gpu_index));
    else if (ran > 1)
      file = saved_output_path(path, to_string(d.kind));
    write_npy(file, "--save-output", npy_shape(r.problem, "output"), d.measurement->output);
  }
}

}  // namespace

std::string saved_output_path(const std::string& path, const std::string& device) {
  const auto dot = path.rfind('.');
  const auto slash = path.rfind('/');
  const bool has_ext = dot != std::string::npos && (slash == std::string::npos || dot > slash);
  return has_ext ? path.substr(0, dot) + "." + device + path.substr(dot) : path + "." + device;
}

void warn(std::ostream& err, const std::string& text) {
  static const size_t columns = isatty(STDERR_FILENO) == 1 ? output_columns(STDERR_FILENO) : 0;
  const std::string line = "convbench: warning: " + text;
  err << (columns ? wrap(line, columns, "    ") : line) << '\n';
}

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

void check_host_memory(const RunOptions& o) {
  const bool cpu = o.device != DeviceSelection::gpu, gpu = o.device != DeviceSelection::cpu;
  for (const LabeledProblem& lp : o.problems) try {
      check_host_memory(lp.problem, cpu, gpu, o);
    } catch (const Error& e) {
      if (o.problems.size() == 1) throw;
      throw Error(e.code(), lp.label + ": " + e.what());
    }
}

std::vector<RunResult> run_problem(const LabeledProblem& lp, const RunOptions& o, Availability& cpu_backend,
                                   std::vector<GpuSlot>& gpus, ExitCode& requested_failure, std::ostream& err,
                                   std::optional<DType> cpu_mode) {
  const Problem& p = lp.problem;
  const bool want_cpu = o.device != DeviceSelection::gpu, want_gpu = o.device != DeviceSelection::cpu;
  // The memory check again as the problem starts (what is available may have shrunk since the run began): a
  // refusal is this problem's failure, and no input is made.
  std::string refused;
  try {
    check_host_memory(p, want_cpu, want_gpu, o);
  } catch (const Error& e) {
    refused = e.what();
  }
  RunResult base;
  base.label = lp.label;
  base.problem = p;
  base.seed = o.seed;
  base.warmup = o.harness.warmup;
  HostTensors inputs;
  if (refused.empty()) {
    inputs = make_inputs(p, o.seed);
    if (!o.input_data.empty()) load_npy(o.input_data, "--input-data", p, "input", inputs.input);
    if (!o.weights_data.empty()) load_npy(o.weights_data, "--weights-data", p, "weights", inputs.weights);
    phase_mark("inputs made");
  }

  // The CPU runs once, whatever the number of GPUs; its output stays for each GPU's cross-check.
  // The run's exit code: the first failure of a device that was asked for alone, or of any device that
  // started and failed.
  const auto note = [&requested_failure](ExitCode c) {
    if (requested_failure == ExitCode::ok) requested_failure = c;
  };
  if (want_cpu) {
    const ExitCode c = run_device(DeviceKind::cpu, cpu_backend, o, p, inputs, refused, cpu_mode, base, err);
    if ((o.device == DeviceSelection::cpu && c != ExitCode::ok) || is_device_failure(c)) note(c);
  }
  std::vector<RunResult> out;
  for (size_t g = 0; g < (want_gpu ? gpus.size() : 1); ++g) {
    // After Ctrl-C the next GPU does not start; the records report what completed.
    if (g > 0 && interrupted()) break;
    // The last GPU takes the CPU's result instead of a copy: its output can be hundreds of MB.
    RunResult r = g + 1 == (want_gpu ? gpus.size() : 1) ? std::move(base) : base;
    if (want_gpu && !interrupted()) {
      const bool available = gpus[g].avail.backend != nullptr;
      const ExitCode c = run_device(DeviceKind::gpu, gpus[g].avail, o, p, inputs, refused, std::nullopt, r, err);
      // Without --require-gpu, an unusable GPU asked for by --device gpu is exit code 5, whatever the reason.
      if (is_device_failure(c))
        note(c);
      else if (o.device == DeviceSelection::gpu && c != ExitCode::ok)
        note(available ? c : ExitCode::gpu_unavailable);
      if (gpus.size() > 1) r.gpu_index = gpus[g].index;
    }
    const bool verified = verify_and_compare(r, o, inputs);
    if (!o.save_output.empty()) save_outputs(r, o.save_output, want_gpu && gpus.size() > 1, g == 0);
    r.peak_host_bytes = peak_host_bytes();
    // Outputs are not part of the record; free them before the next problem.
    for (DeviceResult& d : r.devices)
      if (d.measurement) OutputFloats().swap(d.measurement->output);
    if (!verified) note(ExitCode::verify_failed);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace convbench

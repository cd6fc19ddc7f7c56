// Seeded inputs, the warm-up/timed-run loop and summary statistics.
#include "convbench/harness.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "convbench/error.hpp"
#include "convbench/numeric.hpp"
#include "convbench/parallel.hpp"
#include "convbench/result.hpp"
#include "convbench/system.hpp"

namespace convbench {

const char* to_string(CacheMode c) { return c == CacheMode::hot ? "hot" : "cold"; }

namespace {
/// The median of values already sorted; 0 for none.
double median_of_sorted(const std::vector<double>& v) {
  const size_t n = v.size();
  return n == 0 ? 0.0 : n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}
}  // namespace

double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return median_of_sorted(v);
}

double robust_relative_spread(const std::vector<double>& x) {
  const double med = median_of(x);
  if (x.size() < 2 || med <= 0) return 0.0;
  std::vector<double> dev;
  for (double v : x) dev.push_back(std::fabs(v - med));
  return 1.4826 * median_of(dev) / med;
}

std::vector<size_t> modified_z_outliers(const std::vector<double>& x) {
  std::vector<size_t> out;
  if (x.size() < 3) return out;
  const double med = median_of(x);
  std::vector<double> dev;
  double mean_ad = 0;
  for (double v : x) {
    dev.push_back(std::fabs(v - med));
    mean_ad += std::fabs(v - med);
  }
  mean_ad /= static_cast<double>(x.size());
  const double mad = median_of(dev);
  const double scale = mad > 0 ? mad / 0.6745 : mean_ad * 1.253314;
  if (scale <= 0) return out;
  for (size_t i = 0; i < x.size(); ++i)
    if (std::fabs(x[i] - med) / scale > 3.5) out.push_back(i);
  return out;
}

Stats summarize(const std::vector<double>& samples_ms) {
  Stats s;
  const size_t n = samples_ms.size();
  if (n == 0) return s;
  std::vector<double> v(samples_ms);
  std::sort(v.begin(), v.end());
  s.sum = std::accumulate(v.begin(), v.end(), 0.0);
  s.min = v.front();
  s.max = v.back();
  s.mean = s.sum / static_cast<double>(n);
  s.median = median_of_sorted(v);
  if (n > 1) {
    double ss = 0;
    for (double x : v) ss += (x - s.mean) * (x - s.mean);
    s.stddev = std::sqrt(ss / static_cast<double>(n - 1));
  }
  s.cv = s.mean > 0 ? s.stddev / s.mean : 0.0;
  s.outliers = modified_z_outliers(samples_ms);
  return s;
}

std::vector<std::string> measurement_warnings(const Measurement& m) {
  std::vector<std::string> w;
  const char* kind = to_string(m.device.kind);
  const Stats& s = m.stats;
  if (s.cv > kMaxTrustedCv)
    w.push_back(
        fmt::format("{}: the runs vary by {:.1f}% (coefficient of variation); the median may not be "
                    "trustworthy: try more --runs or a quieter machine",
                    kind, s.cv * 100));
  if (!s.outliers.empty())
    w.push_back(fmt::format("{}: {} of {} runs {} (modified Z-score above 3.5)", kind, s.outliers.size(),
                            m.samples_ms.size(), s.outliers.size() == 1 ? "is an outlier" : "are outliers"));
  if (s.median > 0 && s.median < kMinRunMs)
    w.push_back(
        fmt::format("{}: one run takes {:.1f} µs, under {:.0f} µs: launch and timing overhead dominate; "
                    "use a larger problem (for example a larger --batch)",
                    kind, s.median * 1000, kMinRunMs * 1000));
  if (m.cpu_share && *m.cpu_share < kMinCpuShare)
    w.push_back(fmt::format(
        "{}: the process got {:.0f}% of the CPU time its {} could use during the timed "
        "runs ({:.1f} of {:.1f} ms): it was descheduled or the CPUs are busy, so these times "
        "do not measure this CPU",
        kind, *m.cpu_share * 100, m.prepare.threads == 1 ? "1 thread" : fmt::format("{} threads", m.prepare.threads),
        *m.cpu_time_ms, m.stats.sum * m.prepare.threads));
  if (m.clock_before && m.clock_after && m.clock_before->sm_mhz > 0 &&
      m.clock_after->sm_mhz < m.clock_before->sm_mhz * (1 - kClockDropFraction))
    w.push_back(
        fmt::format("{}: the SM clock dropped from {:.0f} to {:.0f} MHz during timing{}", kind, m.clock_before->sm_mhz,
                    m.clock_after->sm_mhz,
                    m.clock_after->throttle_text.empty() ? "" : " (throttled: " + m.clock_after->throttle_text + ")"));
  return w;
}

HostTensors make_inputs(const Problem& p, uint64_t seed) {
  HostTensors t;
  const int64_t ni = p.input_elems(), nw = p.weight_elems();
  t.input.resize(static_cast<size_t>(ni));
  t.weights.resize(static_cast<size_t>(nw));
  // One stream, the input then the weights, generated in chunks of an even length (whole Box–Muller pairs),
  // each from the source's state at its start: the same values as one pass, on every thread count.
  constexpr int64_t kChunk = int64_t{1} << 18;
  for_each_chunk(ni + nw, kChunk, [&](int64_t, int64_t begin, int64_t end) {
    NormalSource gen = NormalSource::after(seed, static_cast<uint64_t>(begin));
    for (int64_t i = begin; i < end; ++i) {
      const float x = round_to(p.dtype, gen.next());
      if (i < ni)
        t.input[static_cast<size_t>(i)] = x;
      else
        t.weights[static_cast<size_t>(i - ni)] = x;
    }
  });
  return t;
}

std::vector<double> Conv2D::run_many(int count, bool flush) {
  std::vector<double> ms;
  ms.reserve(static_cast<size_t>(std::max(count, 0)));
  for (int i = 0; i < count; ++i) {
    if (flush) flush_cache();
    ms.push_back(run());
  }
  return ms;
}

Measurement measure(Conv2D& backend, const Problem& p, const HostTensors& inputs, const HarnessConfig& cfg) {
  Measurement m;
  m.device = backend.device();
  const auto check_cancelled = [&cfg] {
    if (cfg.cancelled && cfg.cancelled()) throw Error(ExitCode::interrupted, "interrupted");
  };
  check_cancelled();
  const std::string kind = to_string(m.device.kind);
  m.prepare = backend.prepare(p, inputs);
  phase_mark(kind + " prepared");
  m.cache = cfg.cache;
  const auto before_run = [&] {
    check_cancelled();
    if (cfg.cache == CacheMode::cold) backend.flush_cache();
  };
  for (int i = 0; i < cfg.warmup; ++i) {
    before_run();
    backend.run();
  }
  phase_mark(kind + " warmed up");
  m.clock_before = backend.sample_clock();
  m.samples_ms.reserve(static_cast<size_t>(cfg.runs));
  const double cpu_before = process_cpu_ms();
  // Timed runs go to the backend in groups of its runs_per_call(), so that the GPU can queue a group at
  // once; Ctrl-C is honoured between groups, and the runs already timed are kept.
  const int group = std::max(1, backend.runs_per_call());
  for (int done = 0; done < cfg.runs;) {
    if (done > 0 && cfg.cancelled && cfg.cancelled()) {
      m.interrupted = true;
      break;
    }
    check_cancelled();
    if (cfg.on_run) cfg.on_run(done, cfg.runs);
    const int n = std::min(group, cfg.runs - done);
    const std::vector<double> ms = backend.run_many(n, cfg.cache == CacheMode::cold);
    if (ms.size() != static_cast<size_t>(n))
      throw LibraryError(
          fmt::format("{}: the backend returned {} timings for {} runs", to_string(m.device.kind), ms.size(), n));
    m.samples_ms.insert(m.samples_ms.end(), ms.begin(), ms.end());
    done += n;
  }
  const double cpu_used = process_cpu_ms() - cpu_before;
  phase_mark(kind + " timed");
  backend.after_runs(m.prepare);
  m.clock_after = backend.sample_clock();
  m.stats = summarize(m.samples_ms);
  m.tflops = m.stats.median > 0 ? p.flops() / m.stats.median * 1e-9 : 0.0;
  if (m.prepare.threads > 0 && m.stats.sum > 0) {
    m.cpu_time_ms = cpu_used;
    m.cpu_share = cpu_used / (m.stats.sum * m.prepare.threads);
  }
  m.warnings = measurement_warnings(m);
  for (const std::string& w : m.prepare.warnings) m.warnings.push_back(kind + ": " + w);
  m.output = backend.read_output();
  phase_mark(kind + " output read");
  return m;
}

double speedup(const Stats& cpu, size_t runs_cpu, const Stats& gpu, size_t runs_gpu) {
  if (runs_cpu != runs_gpu) return gpu.mean > 0 ? cpu.mean / gpu.mean : 0.0;
  return gpu.sum > 0 ? cpu.sum / gpu.sum : 0.0;
}

double speedup_uncertainty(const Stats& cpu, size_t runs_cpu, const Stats& gpu, size_t runs_gpu) {
  if (cpu.sum <= 0 || gpu.sum <= 0) return 0.0;
  const double rc = cpu.stddev * std::sqrt(static_cast<double>(runs_cpu)) / cpu.sum;
  const double rg = gpu.stddev * std::sqrt(static_cast<double>(runs_gpu)) / gpu.sum;
  return speedup(cpu, runs_cpu, gpu, runs_gpu) * std::sqrt(rc * rc + rg * rg);
}

void set_speedup(RunResult& r, const Measurement& cpu, const Measurement& gpu) {
  const size_t nc = cpu.samples_ms.size(), ng = gpu.samples_ms.size();
  r.speedup = speedup(cpu.stats, nc, gpu.stats, ng);
  r.speedup_uncertainty = speedup_uncertainty(cpu.stats, nc, gpu.stats, ng);
}

namespace {

void add_measurement_round(Measurement& a, const Measurement& b, const Problem& p) {
  if (a.round_medians_ms.empty()) a.round_medians_ms.push_back(a.stats.median);
  a.round_medians_ms.push_back(b.stats.median);
  a.samples_ms.insert(a.samples_ms.end(), b.samples_ms.begin(), b.samples_ms.end());
  a.stats = summarize(a.samples_ms);
  const double level = median_of(a.round_medians_ms);
  a.tflops = level > 0 ? p.flops() / level * 1e-9 : 0.0;
  if (a.cpu_time_ms && b.cpu_time_ms && a.stats.sum > 0 && a.prepare.threads > 0) {
    *a.cpu_time_ms += *b.cpu_time_ms;
    a.cpu_share = *a.cpu_time_ms / (a.stats.sum * a.prepare.threads);
  }
  a.interrupted = b.interrupted;
  a.clock_after = b.clock_after;
  const auto add_once = [&a](const std::string& w) {
    if (std::find(a.prepare.warnings.begin(), a.prepare.warnings.end(), w) == a.prepare.warnings.end())
      a.prepare.warnings.push_back(w);
  };
  // A round that chose another implementation (the GPU's search, run again where the tuning cache is off):
  // the record names round 1's, and the medians mix both.
  if (b.prepare.implementation != a.prepare.implementation)
    add_once(
        fmt::format("a later round ran {}, not {} as the record says (each round chose again; the tuning "
                    "cache keeps one choice): the rounds' medians mix the two",
                    b.prepare.implementation, a.prepare.implementation));
  // The backend's own warnings of every round, each once (a later round's stream hold may have given way).
  for (const std::string& w : b.prepare.warnings) add_once(w);
  // The warnings judge every run of every round together.
  a.warnings = measurement_warnings(a);
  for (const std::string& w : a.prepare.warnings)
    a.warnings.push_back(std::string(to_string(a.device.kind)) + ": " + w);
}

}  // namespace

void add_round(RunResult& acc, const RunResult& next) {
  for (const DeviceResult& d : next.devices) {
    const auto it =
        std::find_if(acc.devices.begin(), acc.devices.end(), [&](const DeviceResult& a) { return a.kind == d.kind; });
    if (it == acc.devices.end()) {
      acc.devices.push_back(d);
      continue;
    }
    // A device that failed in any round stays failed: the record reports the failure, not the rounds around it.
    if (it->failed()) continue;
    // Unless the failure was another problem's, which left the device unusable before this round began: the
    // rounds measured stand, and say that the rest did not run.
    if (d.lost_earlier && it->measurement) {
      const std::string note = "the later rounds did not run: " + d.not_run_reason;
      std::vector<std::string>& w = it->measurement->warnings;
      if (std::find(w.begin(), w.end(), note) == w.end()) w.push_back(note);
      continue;
    }
    if (d.failed() || !it->measurement || !d.measurement) {
      if (d.failed() || d.measurement) *it = d;
      continue;
    }
    add_measurement_round(*it->measurement, *d.measurement, acc.problem);
    if (d.reference_check && !d.reference_check->ok()) it->reference_check = d.reference_check;
  }
  if (next.cross_check && !next.cross_check->ok()) acc.cross_check = next.cross_check;
  acc.peak_host_bytes = std::max(acc.peak_host_bytes, next.peak_host_bytes);
  // The speedup stands only while every round verified; it is taken over all runs. A round in which the GPU was
  // not tried (lost on another problem) leaves it standing when the CPU's runs verified.
  const DeviceResult* cpu = acc.device(DeviceKind::cpu);
  const DeviceResult* gpu = acc.device(DeviceKind::gpu);
  const DeviceResult* next_cpu = next.device(DeviceKind::cpu);
  const DeviceResult* next_gpu = next.device(DeviceKind::gpu);
  const bool next_stands = next.speedup || (next_gpu && next_gpu->lost_earlier && next_cpu && next_cpu->measurement &&
                                            (!next_cpu->reference_check || next_cpu->reference_check->ok()));
  if (acc.speedup && next_stands && cpu && gpu && cpu->measurement && gpu->measurement) {
    set_speedup(acc, *cpu->measurement, *gpu->measurement);
  } else {
    acc.speedup.reset();
    acc.speedup_uncertainty.reset();
  }
}

Level level_of(const std::vector<const Measurement*>& measurements) {
  Level l;
  std::vector<double> medians;
  for (const Measurement* m : measurements) {
    if (m->round_medians_ms.empty())
      medians.push_back(m->stats.median);
    else
      medians.insert(medians.end(), m->round_medians_ms.begin(), m->round_medians_ms.end());
  }
  if (medians.empty()) return l;
  l.ms = median_of(medians);
  l.rounds = static_cast<int>(medians.size());
  if (medians.size() >= 2) {
    l.error = robust_relative_spread(medians) / std::sqrt(static_cast<double>(medians.size()));
  } else {
    const auto& samples = measurements.front()->samples_ms;
    l.error =
        1.2533 * robust_relative_spread(samples) / std::sqrt(static_cast<double>(std::max<size_t>(samples.size(), 1)));
  }
  return l;
}

void mark_stragglers(std::vector<RunResult>& per_gpu, double threshold) {
  std::vector<std::pair<RunResult*, Level>> ran;
  std::vector<double> levels;
  for (RunResult& r : per_gpu)
    if (const DeviceResult* d = r.device(DeviceKind::gpu); d && d->measurement) {
      ran.emplace_back(&r, level_of({&*d->measurement}));
      levels.push_back(ran.back().second.ms);
    }
  const double median = median_of(levels);
  if (ran.size() < 2 || median <= 0) return;
  for (auto& [r, level] : ran) {
    r->gpu_deviation = level.ms / median - 1;
    r->straggler = *r->gpu_deviation > threshold + 2 * level.error;
  }
}

bool verification_failed(const RunResult& r) {
  if (r.cross_check && !r.cross_check->ok()) return true;
  return std::any_of(r.devices.begin(), r.devices.end(),
                     [](const DeviceResult& d) { return d.reference_check && !d.reference_check->ok(); });
}

SuiteSummary summarize_suite(const std::vector<RunResult>& results, int total, bool interrupted) {
  SuiteSummary s;
  s.total = total;
  s.interrupted = interrupted;
  double log_sum = 0;
  const RunResult* previous = nullptr;
  for (const RunResult& r : results) {
    // With several GPUs a problem has a record per GPU, one after the other, all with the same CPU run: the
    // problem and its CPU count once, and each GPU counts.
    const bool same_problem = previous && previous->label == r.label && previous->problem == r.problem;
    previous = &r;
    if (!same_problem) ++s.completed;
    if (verification_failed(r)) ++s.verify_failures;
    if (std::any_of(r.devices.begin(), r.devices.end(), [](const DeviceResult& d) { return d.failed(); }))
      ++s.device_failures;
    for (const DeviceResult& d : r.devices) {
      if (!d.measurement || (same_problem && d.kind == DeviceKind::cpu)) continue;
      (d.kind == DeviceKind::cpu ? s.cpu_total_ms : s.gpu_total_ms) += d.measurement->stats.median;
      ++(d.kind == DeviceKind::cpu ? s.cpu_ran : s.gpu_ran);
    }
    if (!r.speedup || *r.speedup <= 0) continue;
    std::string name = r.label.empty() ? r.problem.describe() : r.label;
    if (r.gpu_index >= 0) name += " (gpu " + std::to_string(r.gpu_index) + ")";
    const SuiteSummary::Entry e{name, *r.speedup};
    s.speedups.push_back(e);
    log_sum += std::log(e.speedup);
    if (!s.best || e.speedup > s.best->speedup) s.best = e;
    if (!s.worst || e.speedup < s.worst->speedup) s.worst = e;
  }
  if (!s.speedups.empty()) s.geomean_speedup = std::exp(log_sum / static_cast<double>(s.speedups.size()));
  return s;
}

}  // namespace convbench

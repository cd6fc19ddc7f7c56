// Seeded inputs, the warm-up/timed-run loop and summary statistics.
#include "convbench/harness.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "convbench/error.hpp"
#include "convbench/result.hpp"
#include "core/numeric.hpp"

namespace convbench {

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
  s.median = n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
  if (n > 1) {
    double ss = 0;
    for (double x : v) ss += (x - s.mean) * (x - s.mean);
    s.stddev = std::sqrt(ss / static_cast<double>(n - 1));
  }
  return s;
}

HostTensors make_inputs(const Problem& p, uint64_t seed) {
  HostTensors t;
  NormalSource gen(seed);
  t.input.resize(static_cast<size_t>(p.input_elems()));
  t.weights.resize(static_cast<size_t>(p.weight_elems()));
  for (float& x : t.input) x = round_to(p.dtype, gen.next());
  for (float& x : t.weights) x = round_to(p.dtype, gen.next());
  return t;
}

Measurement measure(Conv2D& backend, const Problem& p, const HostTensors& inputs, const HarnessConfig& cfg) {
  Measurement m;
  m.device = backend.device();
  const auto check_cancelled = [&cfg] {
    if (cfg.cancelled && cfg.cancelled()) throw Error(ExitCode::interrupted, "interrupted");
  };
  check_cancelled();
  m.prepare = backend.prepare(p, inputs);
  for (int i = 0; i < cfg.warmup; ++i) {
    check_cancelled();
    backend.run();
  }
  m.samples_ms.reserve(static_cast<size_t>(cfg.runs));
  for (int i = 0; i < cfg.runs; ++i) {
    check_cancelled();
    m.samples_ms.push_back(backend.run());
  }
  m.stats = summarize(m.samples_ms);
  m.output = backend.read_output();
  return m;
}

double speedup(const Stats& cpu, const Stats& gpu) { return gpu.sum > 0 ? cpu.sum / gpu.sum : 0.0; }

double speedup_uncertainty(const Stats& cpu, size_t runs_cpu, const Stats& gpu, size_t runs_gpu) {
  if (cpu.sum <= 0 || gpu.sum <= 0) return 0.0;
  const double rc = cpu.stddev * std::sqrt(static_cast<double>(runs_cpu)) / cpu.sum;
  const double rg = gpu.stddev * std::sqrt(static_cast<double>(runs_gpu)) / gpu.sum;
  return speedup(cpu, gpu) * std::sqrt(rc * rc + rg * rg);
}

SuiteSummary summarize_suite(const std::vector<RunResult>& results, int total, bool interrupted) {
  SuiteSummary s;
  s.total = total;
  s.completed = static_cast<int>(results.size());
  s.interrupted = interrupted;
  double log_sum = 0;
  for (const RunResult& r : results) {
    const bool failed = (r.cross_check && !r.cross_check->ok()) ||
                        std::any_of(r.devices.begin(), r.devices.end(), [](const DeviceResult& d) {
                          return d.reference_check && !d.reference_check->ok();
                        });
    if (failed) ++s.verify_failures;
    if (!r.speedup || *r.speedup <= 0) continue;
    const SuiteSummary::Entry e{r.label.empty() ? r.problem.describe() : r.label, *r.speedup};
    s.speedups.push_back(e);
    log_sum += std::log(e.speedup);
    if (!s.best || e.speedup > s.best->speedup) s.best = e;
    if (!s.worst || e.speedup < s.worst->speedup) s.worst = e;
  }
  if (!s.speedups.empty()) s.geomean_speedup = std::exp(log_sum / static_cast<double>(s.speedups.size()));
  return s;
}

}  // namespace convbench

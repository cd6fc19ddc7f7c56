// Seeded inputs, the warm-up/timed-run loop and summary statistics.
#include "convbench/harness.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

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
  m.prepare = backend.prepare(p, inputs);
  for (int i = 0; i < cfg.warmup; ++i) backend.run();
  m.samples_ms.reserve(static_cast<size_t>(cfg.runs));
  for (int i = 0; i < cfg.runs; ++i) m.samples_ms.push_back(backend.run());
  m.stats = summarize(m.samples_ms);
  m.output = backend.read_output();
  return m;
}

double speedup(const Stats& cpu, const Stats& gpu) { return gpu.sum > 0 ? cpu.sum / gpu.sum : 0.0; }

}  // namespace convbench

// Timing and statistics: seeded inputs, warm-up, timed runs, summaries. Knows nothing about printing.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "convbench/backend.hpp"
#include "convbench/problem.hpp"

namespace convbench {

/// Summary of timed runs, all in milliseconds.
struct Stats {
  double sum = 0, median = 0, min = 0, max = 0, mean = 0, stddev = 0;  ///< stddev: sample (n-1)
};

/// Summarises samples (ms). Empty input gives all zeros; one sample gives stddev 0.
Stats summarize(const std::vector<double>& samples_ms);

/// Seeded standard-normal input and weights for `p`, in its layout, rounded to values its dtype
/// represents exactly. The same seed gives the same numbers on every machine.
HostTensors make_inputs(const Problem& p, uint64_t seed);

struct HarnessConfig {
  int warmup = 1;  ///< untimed runs after prepare()
  int runs = 10;   ///< timed runs, every one kept
  /// Asked before every run; when it returns true, measure() throws Error(ExitCode::interrupted).
  std::function<bool()> cancelled;
};

struct Measurement {
  DeviceInfo device;
  PrepareReport prepare;
  std::vector<double> samples_ms;
  Stats stats;
  std::vector<float> output;  ///< read after the last run, in the problem's layout
};

/// prepare(), `warmup` untimed runs, `runs` timed runs, then read_output().
Measurement measure(Conv2D& backend, const Problem& p, const HostTensors& inputs, const HarnessConfig& cfg);

/// How many times faster the GPU is: the CPU's total time over the GPU's (sums of the timed runs).
double speedup(const Stats& cpu, const Stats& gpu);
/// One standard deviation of speedup(cpu, gpu), from the spread of `runs_cpu` and `runs_gpu` samples: a sum of
/// n samples has deviation stddev·√n, and relative deviations of a quotient add in quadrature.
double speedup_uncertainty(const Stats& cpu, size_t runs_cpu, const Stats& gpu, size_t runs_gpu);

}  // namespace convbench

// Timing and statistics: seeded inputs, warm-up, timed runs, summaries. Knows nothing about printing.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "convbench/backend.hpp"
#include "convbench/problem.hpp"

namespace convbench {

/// Summary of timed runs, all in milliseconds.
struct Stats {
  double sum = 0, median = 0, min = 0, max = 0, mean = 0, stddev = 0;  ///< stddev: sample (n-1)
  double cv = 0;                                                       ///< coefficient of variation, stddev / mean
  std::vector<size_t> outliers;  ///< indices of samples whose modified Z-score exceeds 3.5
};

/// Summarises samples (ms). Empty input gives all zeros; one sample gives stddev 0.
Stats summarize(const std::vector<double>& samples_ms);

/// The median; 0 for no values.
double median_of(std::vector<double> v);
/// 1.4826 × the median absolute deviation, over the median: a spread that estimates the standard deviation
/// of normal data, relative to the level, and that one stray value cannot inflate. 0 for fewer than 2 values.
double robust_relative_spread(const std::vector<double>& x);

/// Indices whose modified Z-score, 0.6745·(x − median)/MAD, exceeds 3.5 in magnitude (Iglewicz and Hoaglin).
/// When the MAD is 0 the mean absolute deviation (×1.2533) stands in; when that is 0 too, there are none.
std::vector<size_t> modified_z_outliers(const std::vector<double>& samples);

/// Thresholds of the warnings measure() attaches to a measurement.
constexpr double kMaxTrustedCv = 0.05;       ///< runs varying more than 5% make the median doubtful
constexpr double kMinRunMs = 0.020;          ///< runs shorter than 20 µs are dominated by launch overhead
constexpr double kClockDropFraction = 0.05;  ///< a GPU SM clock 5% lower after timing than before
/// A CPU run whose process got less than half the CPU time its threads could use was descheduled.
constexpr double kMinCpuShare = 0.5;
/// Timed runs handed to Conv2D::run_many() at once (the GPU queues that many behind one gate).
constexpr int kRunsPerGroup = 16;

/// Seeded standard-normal input and weights for `p`, in its layout, rounded to values its dtype
/// represents exactly. The same seed gives the same numbers on every machine.
HostTensors make_inputs(const Problem& p, uint64_t seed);

/// Whether caches are left warm between runs (as ten back-to-back runs leave them) or flushed.
enum class CacheMode { hot, cold };
const char* to_string(CacheMode c);

struct HarnessConfig {
  int warmup = 1;                    ///< untimed runs after prepare()
  int runs = 10;                     ///< timed runs, every one kept
  CacheMode cache = CacheMode::hot;  ///< cold: Conv2D::flush_cache() before every run, outside the timing
  /// Asked before every run. When it returns true before the first timed run, measure() throws
  /// Error(ExitCode::interrupted); later, it stops and returns the runs timed so far, marked interrupted.
  std::function<bool()> cancelled;
  /// Told before each call to the backend: timed runs done so far, and how many there will be.
  std::function<void(int done, int total)> on_run;
};

struct Measurement {
  DeviceInfo device;
  PrepareReport prepare;
  CacheMode cache = CacheMode::hot;
  std::vector<double> samples_ms;
  bool interrupted = false;  ///< Ctrl-C stopped the timed runs: samples_ms holds those completed
  /// With --rounds above 1: each round's median, in order (samples_ms holds every round's runs). Empty for one.
  std::vector<double> round_medians_ms;
  Stats stats;
  double tflops = 0;  ///< the problem's FLOP (dense count) over the median run, in TFLOP/s; 0 without runs
  std::optional<ClockSample> clock_before, clock_after;  ///< GPU SM clock around the timed runs, where known
  /// CPU backends (prepare.threads > 0): the process's CPU time (user + system) over the timed runs, in ms,
  /// and its share of what the threads could have used, cpu_time_ms / (sum of the runs × threads).
  std::optional<double> cpu_time_ms, cpu_share;
  std::vector<std::string> warnings;  ///< one line each, prefixed with the device kind
  OutputFloats output;                ///< read after the last run, in the problem's layout
};

/// The warnings a measurement deserves: large spread, outliers, runs too short to time, a descheduled CPU
/// run, a GPU clock that dropped. (What only a backend can judge, such as a reference implementation or a
/// fallback engine, it reports itself in PrepareReport::warnings.)
std::vector<std::string> measurement_warnings(const Measurement& m);

/// prepare(), `warmup` untimed runs, `runs` timed runs, then read_output().
Measurement measure(Conv2D& backend, const Problem& p, const HostTensors& inputs, const HarnessConfig& cfg);

/// A device's level on a problem over one or more measurements (records, or rounds within a record): the
/// median of every round's median, with its relative standard error. With two or more rounds the error
/// comes from the rounds' spread (drift between them included); with one, from the spread of its runs
/// (1.2533 σ/√n, the standard error of a median, σ from the MAD).
struct Level {
  double ms = 0, error = 0;
  int rounds = 0;
};
Level level_of(const std::vector<const Measurement*>& measurements);

/// How many times faster the GPU is, from `runs_cpu` and `runs_gpu` timed runs: the CPU's total time over the
/// GPU's (sums of the timed runs) when both ran as many, else the ratio of their means, which is the same ratio
/// (Ctrl-C during the GPU's runs, or a GPU lost before a later round, leaves it fewer runs).
double speedup(const Stats& cpu, size_t runs_cpu, const Stats& gpu, size_t runs_gpu);
/// One standard deviation of speedup(), from the spread of `runs_cpu` and `runs_gpu` samples: a sum of n
/// samples has deviation stddev·√n, and relative deviations of a quotient add in quadrature.
double speedup_uncertainty(const Stats& cpu, size_t runs_cpu, const Stats& gpu, size_t runs_gpu);

}  // namespace convbench

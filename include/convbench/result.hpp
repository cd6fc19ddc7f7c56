// What one invocation measured, as plain data that printers read and never change.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "convbench/harness.hpp"
#include "convbench/reference.hpp"
#include "convbench/roofline.hpp"

namespace convbench {

/// One device's outcome: a measurement, or the reason it did not run.
struct DeviceResult {
  DeviceKind kind = DeviceKind::cpu;
  std::optional<Measurement> measurement;  ///< empty when the device did not run
  std::string not_run_reason;              ///< one line, set when measurement is empty
  std::optional<Check> reference_check;    ///< against the float64 reference, when verified
  std::optional<Roofline> roofline;        ///< against this machine's cached ceilings (`convbench peak`)
  DType dtype = DType::f32;                ///< the mode this device ran (see convbench/pairing.hpp)
  /// With not_run_reason: its exit code. 4: the device cannot run this problem or dtype; 5 or 10-18: no
  /// usable GPU; 3 (out of memory) or 7 (a library failed): the device started and failed (see failed()).
  ExitCode not_run_code = ExitCode::ok;
  /// Not tried at all: an earlier problem left the device unusable (Availability::lost). Not written to
  /// records; with rounds, it does not undo what earlier rounds of this problem measured.
  bool lost_earlier = false;

  /// Whether the device started on the problem and failed (out of memory, or a library failure), rather than
  /// being absent or unable to run it: a failure that the run's exit code reports.
  bool failed() const { return !measurement && is_device_failure(not_run_code); }
};

struct RunResult {
  std::string label;  ///< the suite entry or "file:line" of a problem list; empty for a single problem
  Problem problem;
  uint64_t seed = 0;
  int warmup = 0;
  std::vector<DeviceResult> devices;
  std::optional<Check> cross_check;           ///< GPU output against CPU output, when both ran and verified
  std::optional<double> speedup;              ///< CPU sum / GPU sum, only when both ran and verification passed
  std::optional<double> speedup_uncertainty;  ///< one standard deviation, propagated from both devices' spread
  uint64_t peak_host_bytes = 0;               ///< the process's peak resident memory after this problem
  /// With several GPUs (--gpu all or a list): which GPU this record is, its level over the median of the
  /// node's GPUs minus 1, and whether that passes the straggler threshold plus its noise.
  int gpu_index = -1;
  std::optional<double> gpu_deviation;
  bool straggler = false;

  /// This record's entry for `kind` (measured or not), or null when the run did not ask for that device.
  const DeviceResult* device(DeviceKind kind) const {
    for (const DeviceResult& d : devices)
      if (d.kind == kind) return &d;
    return nullptr;
  }
  /// What `speedup` compares (see speedup() in harness.hpp): "sum", the devices' total times over as many runs,
  /// or "mean", their per-run means where they ran unequal numbers (Ctrl-C during the GPU's runs, or a GPU lost
  /// before a later round).
  const char* speedup_basis() const {
    const DeviceResult* c = device(DeviceKind::cpu);
    const DeviceResult* g = device(DeviceKind::gpu);
    const bool unequal = c && g && c->measurement && g->measurement &&
                         c->measurement->samples_ms.size() != g->measurement->samples_ms.size();
    return unequal ? "mean" : "sum";
  }
};

/// Facts about the invocation that every record carries, so that each line of a JSONL file stands alone.
struct RunMetadata {
  std::string convbench;  ///< convbench's version
  std::string onednn;     ///< "2.6.3"
  std::string cpu_model;
  std::string timestamp;  ///< UTC, ISO 8601
  std::vector<std::string> argv;
  std::string host;                                             ///< where it ran (host_name())
  std::vector<std::pair<std::string, std::string>> scheduler;  ///< Slurm/MPI variables that were set
};

/// The end of a run of several problems.
struct SuiteSummary {
  struct Entry {
    std::string label;
    double speedup = 0;
  };
  int total = 0;      ///< problems asked for
  int completed = 0;  ///< problems that produced a record
  bool interrupted = false;
  int verify_failures = 0;
  int device_failures = 0;  ///< records in which a device started and failed (DeviceResult::failed)
  /// Sums of the medians (ms) of the problems each device ran, and how many those were.
  double cpu_total_ms = 0, gpu_total_ms = 0;
  int cpu_ran = 0, gpu_ran = 0;
  std::vector<Entry> speedups;  ///< in run order, for records where both devices ran and verified (a record per GPU)
  std::optional<double> geomean_speedup;
  std::optional<Entry> best, worst;
};

/// Whether a check of `r` failed: a device against the float64 reference, or the GPU against the CPU.
bool verification_failed(const RunResult& r);

/// Folds another round of the same problem into `acc`: runs appended, each round's median kept, statistics,
/// throughput and speedup recomputed over all runs, new warnings and any failed check carried over. A device
/// that failed (DeviceResult::failed) in any round is reported as failed, without the rounds it measured.
void add_round(RunResult& acc, const RunResult& next);

/// Sets `r`'s speedup and its deviation from the two devices' timed runs, each counted from its samples
/// (speedup() and speedup_uncertainty() in harness.hpp).
void set_speedup(RunResult& r, const Measurement& cpu, const Measurement& gpu);

/// Marks the records of one problem, one per GPU: each GPU's deviation from the median of their levels, and a
/// straggler where it exceeds `threshold` plus twice its level's standard error. Records whose GPU did not
/// run are left unmarked.
void mark_stragglers(std::vector<RunResult>& per_gpu, double threshold);

/// Summarises the records of a run: geometric-mean speedup, best and worst problems.
SuiteSummary summarize_suite(const std::vector<RunResult>& results, int total, bool interrupted);

}  // namespace convbench

// The one interface every convolution backend implements (oneDNN on the CPU, cuDNN on the GPU, and the
// fake backend of the tests). Preparing, running and reading the output are separate calls so that the
// harness can keep setup outside the timer.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "convbench/error.hpp"
#include "convbench/host_buffer.hpp"
#include "convbench/problem.hpp"

namespace convbench {

/// Input and weights in the problem's layout (activations NHWC or NCHW, weights KRSC or KCRS), as float
/// values that the problem's dtype represents exactly, so that every backend sees the same numbers.
struct HostTensors {
  std::vector<float> input;
  std::vector<float> weights;
};

/// Whether a backend can run a problem, and if not, why (one line).
struct Support {
  bool ok = true;
  std::string reason;
};

/// The two kinds of device convbench compares.
enum class DeviceKind { cpu, gpu };
constexpr DeviceKind kDeviceKinds[] = {DeviceKind::cpu, DeviceKind::gpu};
inline const char* to_string(DeviceKind k) { return k == DeviceKind::cpu ? "cpu" : "gpu"; }
inline std::optional<DeviceKind> device_kind_from_string(const std::string& s) {
  if (s == "cpu") return DeviceKind::cpu;
  if (s == "gpu") return DeviceKind::gpu;
  return std::nullopt;
}

/// What a backend runs on and with what, as separate facts (printers join them).
struct DeviceInfo {
  DeviceKind kind = DeviceKind::cpu;
  std::string name;             ///< CPU model or GPU name, e.g. "NVIDIA H100 80GB HBM3"
  std::string library;          ///< "oneDNN" or "cuDNN"
  std::string library_version;  ///< e.g. "2.6.3"
  std::string arch;             ///< GPU architecture, e.g. "sm_90"; empty on the CPU
  std::string uuid;             ///< GPU UUID; empty on the CPU
  std::string driver;           ///< GPU driver release, e.g. "580.159.04"; empty on the CPU
  std::string runtime;          ///< e.g. "CUDA 13.0"; empty on the CPU
  std::string pci_bus_id;       ///< GPU PCI address, e.g. "0000:1a:00.0"; empty on the CPU
  /// "NVIDIA H100 80GB HBM3 (sm_90)", or the name alone without an architecture.
  std::string display_name() const { return arch.empty() ? name : name + " (" + arch + ")"; }
  /// "oneDNN 2.6.3".
  std::string library_text() const { return library_version.empty() ? library : library + " " + library_version; }
};

/// A GPU's SM clock and throttle state at one moment (NVML).
struct ClockSample {
  double sm_mhz = 0;
  uint64_t throttle_reasons = 0;  ///< NVML's bit mask; 0 means none
  std::string throttle_text;      ///< e.g. "sw_power_cap, hw_thermal"; empty when none
};

/// What prepare() did, outside the timer.
struct PrepareReport {
  double setup_ms = 0;         ///< primitive or plan creation, including any engine search
  double reorder_ms = 0;       ///< layout conversion / upload of input and weights
  std::string implementation;  ///< e.g. "brgconv:avx512_core" or a cuDNN engine name
  int threads = 0;             ///< CPU threads used; 0 where it does not apply
  uint64_t device_bytes = 0;   ///< device memory the backend allocated (GPU); 0 on the CPU
  /// Further facts worth printing, as (key, value) pairs, e.g. ("isa", "avx512_core_amx").
  std::vector<std::pair<std::string, std::string>> details;
  /// What the backend wants the user to know about this setup (one line each, without the device prefix),
  /// e.g. a corrupt tuning cache; measure() adds them to the measurement's warnings.
  std::vector<std::string> warnings;
};

/// The detail a GPU backend reports for `--include-transfers`, and its value when the transfers are timed:
/// `compare` reads it back from records, so that timed transfers are never compared with data on the device.
inline constexpr const char* kTransfersDetail = "transfers";
inline constexpr const char* kTransfersTimed = "timed";

class Conv2D {
 public:
  virtual ~Conv2D() = default;
  virtual DeviceInfo device() const = 0;
  /// Whether this backend can run `p` as asked (never as a different dtype).
  virtual Support supports(const Problem& p) const = 0;
  /// Creates primitives/plans and uploads or reorders the inputs. Not timed by the harness.
  virtual PrepareReport prepare(const Problem& p, const HostTensors& inputs) = 0;
  /// Runs the prepared convolution once and returns its duration in milliseconds, measured by the
  /// backend's own clock (host clock after a wait on the CPU, CUDA events on the GPU).
  virtual double run() = 0;
  /// `count` runs back to back, each preceded by flush_cache() when `flush` is set; returns each run's
  /// milliseconds. The GPU backend holds its stream until all of them are queued, so that its events time
  /// the device alone, without the host's launch latency. The default calls run() `count` times.
  virtual std::vector<double> run_many(int count, bool flush);
  /// Called by measure() after the timed runs, to bring `report` (what prepare() returned) up to date with
  /// what happened during them: the GPU backend's stream hold can give way in any batch of runs, not only in
  /// prepare()'s check run, and the report's "timing" detail and warnings must then say so. The default
  /// changes nothing.
  virtual void after_runs(PrepareReport& report) { (void)report; }
  /// How many timed runs measure() hands to run_many() at once: 1 (the default) lets Ctrl-C stop between
  /// any two runs; a backend that queues runs behind one gate (the GPU) asks for more.
  virtual int runs_per_call() const { return 1; }
  /// The output of the last run, as float, in the problem's layout (NHWC/NCHW).
  virtual OutputFloats read_output() = 0;
  /// Evicts the caches the next run would find warm (GPU L2; CPU last-level cache), outside any timing.
  virtual void flush_cache() {}
  /// The device's clock now, where the backend can read it.
  virtual std::optional<ClockSample> sample_clock() { return std::nullopt; }
  /// Asked after a failure: why this device can run nothing more in this process (a CUDA context that an
  /// illegal address or a failed launch has left unusable: every later call returns that error again), or
  /// empty when it can go on. The default: it can.
  virtual std::string lost() { return ""; }
};

/// How the GPU backend picks its engine: `heuristic` runs cuDNN's first heuristic choice that builds;
/// `exhaustive` builds every distinct config from heuristics A and B and the fallback list, times each and
/// keeps the fastest; `auto` does the same over the first kAutoCandidates (32) distinct configs that build
/// (mode A, then the fallback list, then mode B).
enum class AlgoSearch { automatic, heuristic, exhaustive };

/// Settings that the command line passes to backends.
struct BackendSettings {
  int threads = 0;  ///< CPU threads; 0 means all physical cores
  int gpu_index = 0;
  AlgoSearch algo = AlgoSearch::automatic;
  int64_t workspace_limit = -1;    ///< bytes of GPU workspace an engine may use; -1: what free memory allows
  bool include_transfers = false;  ///< GPU: time the input upload and output download with every run
  std::string tune_cache;          ///< GPU: the tuning cache file; empty: off
  bool retune = false;             ///< GPU: search again even when the tuning cache has the problem, and overwrite it
  bool clocks = true;              ///< GPU: read SM clocks around the timed runs (NVML); off for `check`
  double fake_run_ms = -1;         ///< >= 0: scripted fake backends whose runs take this long (tests only)
  /// Tests only: that many scripted GPUs, GPU i's runs taking fake_gpu_ms[i] (the CPU stays fake_run_ms's).
  std::vector<double> fake_gpu_ms;
  /// Tests only: the scripted backends of `kind` throw an Error with `code` (3 or 7) in the first run of every
  /// problem whose batch is `batch`.
  struct FakeFailure {
    DeviceKind kind;
    ExitCode code;
    int64_t batch;
  };
  std::optional<FakeFailure> fake_failure;
};

/// A backend, or the one-line reason why it cannot be had on this machine.
struct Availability {
  std::unique_ptr<Conv2D> backend;
  std::string reason;                         ///< set when backend is null
  ExitCode code = ExitCode::gpu_unavailable;  ///< the exit code that reason maps to
  /// Set once the backend failed and lost() said it cannot go on: where and why. Later problems are not run
  /// on it; each is that device's failure (exit code 7), with this text.
  std::string lost;
};

/// The backend registry: the only place that knows which backends this build has.
Availability make_cpu_backend(const BackendSettings& s);
Availability make_gpu_backend(const BackendSettings& s);
/// "oneDNN 2.6.3" and, when built in, the cuDNN and CUDA runtime versions, one per line.
std::string library_versions();

}  // namespace convbench

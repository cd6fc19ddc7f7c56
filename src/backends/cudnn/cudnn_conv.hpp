// The cuDNN backend's Conv2D: buffers, the graph, the engine choice and the timed runs. Private to
// src/backends/cudnn: cudnn_backend.cpp defines the setup and the runs, cudnn_plan.cpp the graph and the
// engine search.
#pragma once

#include <future>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "backends/cudnn/cuda_util.hpp"
#include "backends/cudnn/cudnn_common.hpp"
#include "backends/cudnn/nvml.hpp"
#include "convbench/backend.hpp"
#include "convbench/gpu_status.hpp"
#include "convbench/harness.hpp"
#include "convbench/system.hpp"
#include "convbench/tune_cache.hpp"

namespace convbench::cudnn_impl {

/// How many distinct engine configs `--algo auto` builds and times. Measured on the H100 (bench/RESULTS.md):
/// over 36 problems and dtypes the most offered was 26 distinct configs, and with a cap of 12 the seed in f16
/// missed a config 3% faster at position 19 (from mode B). Building and timing all 26 took 314 ms (cut
/// configs cost one untimed and one timed run), so the cap only guards against graphs offered far more.
inline constexpr int kAutoCandidates = 32;
/// Before each group of timed runs, untimed runs worth this much GPU time keep the GPU busy (at most
/// kMaxLeadIn runs): without them the first runs of a group were up to 3% slower than the last on the H100,
/// the GPU having idled while the host queued them. PyTorch's comparison holds its stream with a 10 ms spin.
inline constexpr double kLeadInMs = 10.0;
inline constexpr double kMaxLeadIn = 512;
/// A candidate whose warm-up run takes this many times the best median so far is not timed further.
inline constexpr double kSlowWarmupFactor = 3.0;

/// One engine config offered for the graph, before or after building.
struct Candidate {
  int64_t index = -1;  ///< plan index in the graph
  std::string name;    ///< engine name with its knobs
  const char* source;  ///< which query offered it
  int64_t workspace = 0;
};

/// What the search saw, for the report.
struct SearchStats {
  int offered = 0, distinct = 0, built = 0, timed = 0, cut_short = 0;
  double ms = 0;
  std::vector<std::string> lines;  ///< each built candidate in offered order: its median, cut or failed
};

/// Whether one candidate's timed runs were queued behind the held stream, and if not, which call waited.
struct CandidateTiming {
  bool gated = true;
  std::string waited;
};

/// The frontend's graph, plus one way in that it lacks: a plan for the config an engine name spells, in
/// cuDNN's own numbers. Its create_execution_plan(engine_id, knobs) takes the frontend's knob vocabulary,
/// which has no word for the deprecated knob types that engines still report (USE_TEX k3, LDGA k6, LDGC k22:
/// eng28_k2=4_k3=0, the seed's f32 engine on the H100), so it cannot replay such a config.
class ReplayableGraph final : public fe::graph::Graph {
 public:
  /// Appends the config `named` spells as the next plan (not yet built), its notes queried as for any other.
  fe::error_t add_engine_config(const EngineTag& named);
};

class CudnnConv final : public Conv2D {
 public:
  CudnnConv(GpuProbe probe, const BackendSettings& s) : probe_(std::move(probe)), settings_(s), cache_(s.tune_cache) {
    use_device();
    stream_ = std::make_unique<cuda::Stream>();
    phase_mark("gpu: context and stream");
    handle_ = std::make_unique<Handle>(stream_->get());
    phase_mark("gpu: cudnnCreate");
    timer_ = std::make_unique<cuda::RunTimer>(stream_->get());
  }

  DeviceInfo device() const override;

  Support supports(const Problem&) const override { return {}; }

  PrepareReport prepare(const Problem& p, const HostTensors& in) override;

  double run() override { return run_many(1, false).front(); }

  std::vector<double> run_many(int count, bool flush) override;
  int runs_per_call() const override { return kRunsPerGroup; }

  /// A hold that gave way during the timed runs: the "timing" detail and a warning say so.
  void after_runs(PrepareReport& report) override { describe_timing(report); }

  OutputFloats read_output() override;

  /// Overwrites an L2-sized device buffer, allocated once, on the backend's stream.
  void flush_cache() override;

  /// NVML is opened only where clocks are wanted (not by `convbench check`), on another thread while the
  /// plan is chosen, so that the first sample does not wait for it (16-20 ms on the H100).
  std::optional<ClockSample> sample_clock() override;

  /// After a failure, whether the context still works: an error that cudaDeviceSynchronize returns now (an
  /// illegal address, a failed launch) is one that every later call would return too.
  std::string lost() override;

 private:
  /// Makes this backend's GPU the calling thread's current device. With several GPUs each backend's
  /// constructor selected its own, so every entry point that allocates or launches selects it again.
  void use_device() const { CB_CUDA_CHECK(cudaSetDevice(probe_.device)); }

  void allocate_and_upload(const HostTensors& in);

  /// Starts opening NVML on another thread, once, where clocks are wanted.
  void start_nvml();

  void build_graph();

  /// A graph that cuDNN does not support is "unsupported"; any other failure is a library error.
  void graph_status(fe::error_t e, const char* call) const {
    if (e.is_good()) return;
    if (means_unsupported(e)) throw no_engine(fmt::format("{}: {}", call, e.get_message()));
    throw LibraryError(fmt::format("cuDNN: {} failed: {}", call, e.get_message()));
  }

  int64_t workspace_limit() const;

  TuneKey tune_key() const;

  /// Picks the plan: cuDNN's first buildable heuristic choice, or the fastest of a timed search, with the
  /// tuning cache in front of the search.
  void choose_plan(PrepareReport& rep);

  Error no_engine(const std::string& why) const {
    return Error(ExitCode::unsupported,
                 fmt::format("cuDNN: no engine supports this problem in {} (CUDNN_STATUS_NOT_SUPPORTED: {})",
                             math_mode(p_.dtype), why));
  }

  /// Queries engine configs (mode A; with `wide`, then the fallback list and mode B; else the fallback list
  /// only when mode A offers nothing), drops barred numerical notes and oversized workspaces, and returns
  /// the distinct configs in that order. Only "no configs at all" is an error (unsupported).
  std::vector<Candidate> offer_candidates(bool wide, int64_t limit, SearchStats* stats = nullptr);

  /// Builds one plan; false (never a throw) when it does not build, is barred, or needs too much workspace.
  /// The first failure that is not "not supported" is kept in choice_.build_failure.
  bool try_build(Candidate& c, int64_t limit);

  /// No plan built: unsupported when every failure said so, else the first library failure.
  [[noreturn]] void throw_no_plan(const std::string& why) const {
    if (!choice_.build_failure.empty()) throw LibraryError("cuDNN: " + choice_.build_failure);
    throw no_engine(why);
  }

  /// Makes the workspace at least `bytes`; false when the GPU cannot allocate that much.
  bool allocate_workspace(int64_t bytes);

  bool try_execute(int64_t index);

  /// Builds `c`, gives it its workspace and runs it once; when all succeed it becomes the chosen plan.
  bool use_if_it_runs(Candidate& c, int64_t limit);

  /// Rebuilds a cached engine config as a new plan and checks that it runs: replayed without a heuristics
  /// query where possible, else found by name among the offered configs.
  bool rebuild(const TunedEngine& e, int64_t limit);

  /// Replays `e` as a new plan from the numbers in its name (or, where the name does not parse, from the
  /// frontend's engine id and knobs); "" when that plan is `e`, builds and runs (it is then the chosen plan),
  /// else why not.
  std::string replay(const TunedEngine& e, int64_t limit);

  /// The config named `name` among those offered by mode A, then the fallback list, then mode B, querying
  /// each only while the name is not found; it becomes the chosen plan when it builds and runs.
  bool use_offered_by_name(const std::string& name, int64_t limit);

  /// Builds the distinct candidates (auto: the first kAutoCandidates that build) and gives them one
  /// workspace, dropping those whose workspace cannot be allocated.
  std::vector<Candidate> build_candidates(int64_t limit, SearchStats& stats);

  /// Runs `c` once untimed, then a timed warm-up and, unless that is kSlowWarmupFactor times `best_ms`, three
  /// timed runs; returns their median, or nothing when it fails or is cut. Adds its line to `stats`.
  std::optional<double> time_candidate(const Candidate& c, double best_ms, SearchStats& stats, CandidateTiming& t);

  /// Builds the candidates, times each behind a held stream and keeps the fastest.
  TunedEngine search(int64_t limit, SearchStats& stats);

  void execute(int64_t index) {
    CB_FE_CHECK(graph_->execute_plan_at_index(handle_->get(), varpack_, workspace_.get(), index));
  }

  GpuProbe probe_;
  BackendSettings settings_;
  TuneCache cache_;
  Problem p_;
  std::unique_ptr<cuda::Stream> stream_;
  std::unique_ptr<Handle> handle_;
  std::unique_ptr<ReplayableGraph> graph_;
  std::unordered_map<int64_t, void*> varpack_;
  cuda::DeviceBuffer x_, w_, y_, workspace_, flush_;
  int flush_value_ = 0;
  std::future<std::unique_ptr<Nvml>> nvml_opening_;
  bool nvml_started_ = false;
  std::unique_ptr<Nvml> nvml_;
  cuda::PinnedBuffer x_host_, y_host_;
  // Created after cudaSetDevice, so that its events belong to the selected GPU.
  std::unique_ptr<cuda::RunTimer> timer_;
  double run_estimate_ms_ = 0;     ///< one run of the chosen plan, for the lead-in count (0: no lead-in)
  bool gated_ = true;              ///< false once the stream gate had to open on its timeout (this problem)
  std::string waited_;             ///< then, which call waited for the held stream
  /// Sets `report`'s "timing" detail from gated_ and, when the hold gave way, adds its warning (once).
  void describe_timing(PrepareReport& report) const;
  /// What one problem's engine choice found. prepare() starts every problem from a fresh one: in a run of
  /// several problems, a later one must not run an earlier one's plan index (heuristic mode checked it
  /// against -1), report its build failure instead of "unsupported", or show its cache note.
  struct Choice {
    int64_t plan_index = -1;
    std::string search_source;
    std::string build_failure;      ///< the first plan build failure that was not "not supported"
    std::string cache_replay_note;  ///< why a cached engine was found by name rather than replayed
  };
  Choice choice_;
};

}  // namespace convbench::cudnn_impl

// The persistent GPU tuning cache: the engine config an engine search chose, kept on disk so that a later
// run of the same problem on the same GPU and libraries rebuilds that one plan instead of searching.
// CUDA-free, so that the CPU tests cover it; the cuDNN backend is its only user.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace convbench {

/// What makes a tuning result reusable. Every field is part of the key: a change of any one searches again.
struct TuneKey {
  std::string gpu;        ///< the GPU's UUID, or its name and SM version when it has none
  std::string driver;     ///< driver release, e.g. "580.159.04"
  std::string cudnn;      ///< cuDNN library version, e.g. "9.19.0"
  std::string frontend;   ///< cudnn-frontend version, e.g. "1.32.0"
  std::string problem;    ///< the canonical problem (Problem::describe(): shape, layout and dtype)
  std::string workspace;  ///< the workspace limit asked for, in bytes, or "auto"
  std::string policy;     ///< the search policy ("auto", "exhaustive"): a wider search is not served by a narrower one
  /// One line, "gpu=...;driver=...;...", in a fixed field order.
  std::string text() const;
};

/// An engine config as cuDNN identifies it, and what the search measured for it.
struct TunedEngine {
  int64_t engine_id = -1;
  std::map<int, int64_t> knobs;  ///< cudnn-frontend knob type (its numbering, as an integer) → choice
  std::string name;              ///< the engine's name with its knobs, as cuDNN reports it
  double median_ms = 0;          ///< the search's timing of it
};

/// An engine config as its name spells it: "eng28_k2=4_k3=0" is global engine 28 with knob type 2 set to 4
/// and knob type 3 set to 0, in cuDNN's own numbering (cudnnBackendKnobType_t), which the frontend's differs from.
struct EngineTag {
  int64_t engine_id = -1;
  std::vector<std::pair<int, int64_t>> knobs;  ///< in the name's order
};

/// The engine and knobs a name spells, or nothing when it is not of the form eng<N>(_k<T>=<V>)*.
std::optional<EngineTag> parse_engine_tag(const std::string& name);

class TuneCache {
 public:
  /// $XDG_CACHE_HOME/convbench/tuning.json, or ~/.cache/convbench/tuning.json; "" when neither
  /// XDG_CACHE_HOME nor HOME is set.
  static std::string default_path();
  /// `path` empty means off: nothing is read or written.
  explicit TuneCache(std::string path) : path_(std::move(path)) {}
  /// False when off, or once the path turned out not to be a regular file or not to be readable (one warning;
  /// nothing read or written: a pipe would block, a device swallow the entries, and a file this process
  /// cannot read is not its to replace).
  bool enabled() const { return !path_.empty() && !unusable_; }
  const std::string& path() const { return path_; }
  /// The entry for `key`, if the file has one. A missing file is an empty cache; an unreadable or corrupt
  /// one is an empty cache plus one warning.
  std::optional<TunedEngine> find(const TuneKey& key);
  /// Adds or replaces the entry for `key` and rewrites the file atomically (temporary file, then rename),
  /// keeping the other entries, those that other processes stored since this one read the file included
  /// (re-read under a lock on PATH.lock). A failure to write is one warning, never an error.
  void store(const TuneKey& key, const TunedEngine& e);
  /// Adds a warning about the cache (one line).
  void warn(std::string line) { warnings_.push_back(std::move(line)); }
  /// Warnings collected so far (one line each), cleared by the call.
  std::vector<std::string> take_warnings();

 private:
  void load();
  std::string path_;
  bool loaded_ = false;
  bool unusable_ = false;
  std::map<std::string, TunedEngine> entries_;
  std::map<std::string, TunedEngine> stored_;  ///< what this process stored: kept over the file's entries
  std::vector<std::string> warnings_;
};

/// How an engine was chosen: searched now, or taken from the cache (and rebuilt).
struct TunedChoice {
  TunedEngine engine;
  bool from_cache = false;
};

/// The search with the cache in front of it. Unless `retune`, a cached entry is handed to `rebuild`; when
/// that succeeds, the cached choice is returned. Otherwise (no entry, --retune, or the cached config no
/// longer builds: one warning) `search` runs and its result is stored. `search` may throw; nothing is
/// stored then.
TunedChoice choose_with_cache(TuneCache& cache, const TuneKey& key, bool retune,
                              const std::function<bool(const TunedEngine&)>& rebuild,
                              const std::function<TunedEngine()>& search);

}  // namespace convbench

// The tuning cache file: {"format": "convbench-tuning-cache", "version": 1, "entries": {KEY: ENTRY}},
// ENTRY = {"engine_id": N, "knobs": {"TYPE": CHOICE, ...}, "name": "...", "median_ms": X}.
#include "convbench/tune_cache.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "convbench/atomic_file.hpp"
#include "convbench/error.hpp"

namespace convbench {

namespace {
constexpr const char* kFormat = "convbench-tuning-cache";
constexpr int kVersion = 1;

/// A cache file's entries; throws when it is not a version-1 convbench tuning cache.
std::map<std::string, TunedEngine> parse_entries(std::istream& in) {
  const nlohmann::json j = nlohmann::json::parse(in);
  if (j.at("format").get<std::string>() != kFormat || j.at("version").get<int>() != kVersion)
    throw std::runtime_error("not a convbench tuning cache of version 1");
  std::map<std::string, TunedEngine> entries;
  for (const auto& [key, e] : j.at("entries").items()) {
    TunedEngine t;
    t.engine_id = e.at("engine_id").get<int64_t>();
    for (const auto& [type, choice] : e.at("knobs").items()) t.knobs[std::stoi(type)] = choice.get<int64_t>();
    t.name = e.at("name").get<std::string>();
    t.median_ms = e.at("median_ms").get<double>();
    entries[key] = t;
  }
  return entries;
}

/// An exclusive advisory lock on a file beside the cache, tried for up to 2 s and then done without: while
/// it is held, no other convbench re-reads and replaces the cache. Without it the file still stays whole
/// (it is replaced by a rename), but an entry stored by another process at the same moment could be lost.
class StoreLock {
 public:
  explicit StoreLock(const std::string& path) : fd_(open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666)) {
    for (int i = 0; fd_ >= 0 && i < 200 && flock(fd_, LOCK_EX | LOCK_NB) != 0; ++i) usleep(10'000);
  }
  StoreLock(const StoreLock&) = delete;
  StoreLock& operator=(const StoreLock&) = delete;
  ~StoreLock() {
    if (fd_ >= 0) close(fd_);  // releases the lock
  }

 private:
  int fd_;
};
}  // namespace

std::string TuneKey::text() const {
  return fmt::format("gpu={};driver={};cudnn={};frontend={};problem={};workspace={};policy={}", gpu, driver, cudnn,
                     frontend, problem, workspace, policy);
}

std::string TuneCache::default_path() {
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/convbench/tuning.json";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/convbench/tuning.json";
  return "";
}

void TuneCache::load() {
  if (loaded_) return;
  loaded_ = true;
  if (!enabled()) return;
  std::error_code ec;
  if (std::filesystem::exists(path_, ec) && !std::filesystem::is_regular_file(path_, ec)) {
    // A pipe would block the read (and the write), a device swallow the entries: the cache is off.
    unusable_ = true;
    warnings_.push_back(fmt::format("tuning cache {} is not a regular file; it is not used", path_));
    return;
  }
  std::ifstream in(path_);
  if (!in) {
    if (access(path_.c_str(), F_OK) == 0)
      warnings_.push_back(fmt::format("tuning cache {} cannot be read; ignoring it", path_));
    return;
  }
  try {
    entries_ = parse_entries(in);
  } catch (const std::exception& e) {
    entries_.clear();
    warnings_.push_back(fmt::format("tuning cache {} is corrupt ({}); ignoring it", path_, e.what()));
  }
}

std::optional<TunedEngine> TuneCache::find(const TuneKey& key) {
  load();
  const auto it = entries_.find(key.text());
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

void TuneCache::store(const TuneKey& key, const TunedEngine& e) {
  load();
  if (!enabled()) return;
  entries_[key.text()] = e;
  stored_[key.text()] = e;
  // As the ceilings cache is written: the folders, then the project's atomic output file. Any failure is a
  // warning: the run goes on without keeping its choice.
  try {
    const auto dir = std::filesystem::path(path_).parent_path();
    std::error_code ec;
    if (!dir.empty()) std::filesystem::create_directories(dir, ec);
    // Other processes (ranks of one job sharing a home directory, parallel CI jobs) may have stored entries
    // since this one read the file: the file's entries as they are now, with this process's stores on top.
    const StoreLock lock(path_ + ".lock");
    if (std::ifstream now(path_); now) try {
        entries_ = parse_entries(now);
        for (const auto& [k, t] : stored_) entries_[k] = t;
      } catch (const std::exception&) {  // corrupt now: replaced, as it was when this process read it
      }
    nlohmann::json entries = nlohmann::json::object();
    for (const auto& [k, t] : entries_) {
      nlohmann::json knobs = nlohmann::json::object();
      for (const auto& [type, choice] : t.knobs) knobs[std::to_string(type)] = choice;
      entries[k] = {{"engine_id", t.engine_id}, {"knobs", knobs}, {"name", t.name}, {"median_ms", t.median_ms}};
    }
    const nlohmann::json doc = {{"format", kFormat}, {"version", kVersion}, {"entries", entries}};
    AtomicFile f(path_, "--tune-cache");
    f.stream() << doc.dump(1) << '\n';
    f.commit();
  } catch (const Error&) {
    warnings_.push_back(fmt::format("tuning cache {} cannot be written; the choice is not kept", path_));
  }
}

std::vector<std::string> TuneCache::take_warnings() {
  std::vector<std::string> w;
  w.swap(warnings_);
  return w;
}

std::optional<EngineTag> parse_engine_tag(const std::string& name) {
  // Reads a decimal of at most 12 digits at `i`, with `sign` optionally negative (a knob's value); false when
  // there is none or it runs on.
  const auto number = [&](size_t& i, int64_t& out, bool sign) {
    const bool negative = sign && i < name.size() && name[i] == '-';
    if (negative) ++i;
    const size_t start = i;
    out = 0;
    while (i < name.size() && name[i] >= '0' && name[i] <= '9' && i - start < 12) out = out * 10 + (name[i++] - '0');
    if (negative) out = -out;
    return i > start && (i == name.size() || name[i] < '0' || name[i] > '9');
  };
  EngineTag t;
  size_t i = 3;
  if (name.compare(0, 3, "eng") != 0 || !number(i, t.engine_id, false)) return std::nullopt;
  while (i < name.size()) {
    int64_t type = 0, value = 0;
    if (name.compare(i, 2, "_k") != 0) return std::nullopt;
    i += 2;
    if (!number(i, type, false) || i >= name.size() || name[i++] != '=' || !number(i, value, true)) return std::nullopt;
    t.knobs.emplace_back(static_cast<int>(type), value);
  }
  return t;
}

TunedChoice choose_with_cache(TuneCache& cache, const TuneKey& key, bool retune,
                              const std::function<bool(const TunedEngine&)>& rebuild,
                              const std::function<TunedEngine()>& search) {
  if (!retune) {
    if (const auto hit = cache.find(key)) {
      if (rebuild(*hit)) return {*hit, true};
      cache.warn(fmt::format("the engine in the tuning cache ({}) no longer builds; searching again", hit->name));
    }
  }
  TunedChoice c{search(), false};
  cache.store(key, c.engine);
  return c;
}

}  // namespace convbench

// The tuning cache file: {"format": "convbench-tuning-cache", "version": 1, "entries": {KEY: ENTRY}},
// ENTRY = {"engine_id": N, "knobs": {"TYPE": CHOICE, ...}, "name": "...", "median_ms": X}.
#include "convbench/tune_cache.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "convbench/cache_file.hpp"
#include "convbench/error.hpp"

namespace convbench {

namespace {
constexpr const char* kFormat = "convbench-tuning-cache";
constexpr int kVersion = 1;

/// A cache file's entries; throws when it is not a version-1 convbench tuning cache.
std::map<std::string, TunedEngine> parse_entries(const std::string& text) {
  const nlohmann::json j = nlohmann::json::parse(text);
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

std::string file_text(const std::map<std::string, TunedEngine>& entries) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [k, t] : entries) {
    nlohmann::json knobs = nlohmann::json::object();
    for (const auto& [type, choice] : t.knobs) knobs[std::to_string(type)] = choice;
    out[k] = {{"engine_id", t.engine_id}, {"knobs", knobs}, {"name", t.name}, {"median_ms", t.median_ms}};
  }
  const nlohmann::json doc = {{"format", kFormat}, {"version", kVersion}, {"entries", out}};
  return doc.dump(1) + '\n';
}

}  // namespace

std::string TuneKey::text() const {
  return fmt::format("gpu={};driver={};cudnn={};frontend={};problem={};workspace={};policy={}", gpu, driver, cudnn,
                     frontend, problem, workspace, policy);
}

std::string TuneCache::default_path() {
  const std::string dir = cache_dir();
  return dir.empty() ? "" : dir + "/tuning.json";
}

void TuneCache::load() {
  if (loaded_) return;
  loaded_ = true;
  if (!enabled()) return;
  const CacheFileText f = read_cache_file(path_);
  if (f.state == CacheFileText::State::unusable) {
    // A pipe would block, a device swallow the entries, and an unreadable file is not ours to replace.
    unusable_ = true;
    warnings_.push_back(fmt::format("tuning cache {} {}; it is not used", path_, f.problem));
    return;
  }
  if (f.state == CacheFileText::State::absent) return;
  try {
    entries_ = parse_entries(f.text);
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
  // Other processes (ranks of one job sharing a home directory, parallel CI jobs) may have stored entries
  // since this one read the file: the file's entries as they are now, with this process's stores on top.
  // Any failure is a warning: the run goes on without keeping its choice.
  try {
    update_cache_file(path_, "--tune-cache", [&](const CacheFileText& now) {
      if (now.state == CacheFileText::State::read) try {
          entries_ = parse_entries(now.text);
          for (const auto& [k, t] : stored_) entries_[k] = t;
        } catch (const std::exception&) {  // corrupt now: replaced, as it was when this process read it
        }
      return file_text(entries_);
    });
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

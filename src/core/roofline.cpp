// Roofline fractions and the ceilings cache.
#include "convbench/roofline.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "convbench/cache_file.hpp"
#include "convbench/error.hpp"

namespace convbench {

std::string ceiling_key(DeviceKind kind, const std::string& name, int threads) {
  return kind == DeviceKind::cpu ? fmt::format("cpu {}, {} threads", name, threads) : fmt::format("gpu {}", name);
}

std::optional<Roofline> roofline(const Problem& p, double median_ms, const Ceilings& c) {
  const auto it = c.tflops.find(to_string(p.dtype));
  if (it == c.tflops.end() || it->second <= 0 || c.gbps <= 0 || median_ms <= 0) return std::nullopt;
  Roofline r;
  const double seconds = median_ms * 1e-3, bytes = static_cast<double>(p.tensor_bytes());
  r.peak_tflops = it->second;
  r.compute_fraction = p.effective_flops() / seconds * 1e-12 / r.peak_tflops;
  r.peak_gbps = c.gbps;
  r.memory_fraction = bytes / seconds * 1e-9 / r.peak_gbps;
  r.intensity = p.effective_flops() / bytes;
  r.ridge = r.peak_tflops * 1e12 / (r.peak_gbps * 1e9);
  r.bound = r.intensity < r.ridge ? "memory" : "compute";
  r.measured = c.measured;
  return r;
}

std::vector<std::string> roofline_warnings(DeviceKind kind_, const Roofline& r) {
  const char* kind = to_string(kind_);
  std::vector<std::string> w;
  const std::string when = r.measured.empty() ? "at an unknown time" : "at " + r.measured;
  if (r.compute_fraction > 1)
    w.push_back(
        fmt::format("{}: {:.0f}% of the compute ceiling: above 100%, so either the engine does fewer operations "
                    "than the direct convolution counted here (Winograd, FFT), or the ceiling ({:.2f} TFLOP/s, "
                    "measured {}) is stale or was measured under other conditions: run `convbench peak` again",
                    kind, r.compute_fraction * 100, r.peak_tflops, when));
  if (r.memory_fraction > 1)
    w.push_back(
        fmt::format("{}: {:.0f}% of copy bandwidth: above 100%, so the tensors were served from cache, not "
                    "memory (ceiling {:.0f} GB/s, measured {})",
                    kind, r.memory_fraction * 100, r.peak_gbps, when));
  return w;
}

std::string ceilings_path() {
  if (const char* f = std::getenv("CONVBENCH_PEAK_FILE"); f && *f) return f;
  const std::string dir = cache_dir();
  return dir.empty() ? "" : dir + "/peak.json";
}

namespace {

/// The ceilings in a cache file's text; throws nlohmann::json::exception when it is not one.
std::vector<Ceilings> parse_ceilings(const std::string& text) {
  std::vector<Ceilings> out;
  const auto j = nlohmann::json::parse(text);
  for (const auto& e : j.at("devices")) {
    Ceilings c;
    c.device = e.at("device").get<std::string>();
    c.tflops = e.at("tflops").get<std::map<std::string, double>>();
    c.gbps = e.at("gbps").get<double>();
    c.measured = e.value("measured", "");
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

std::vector<Ceilings> load_ceilings(const std::string& path) {
  const CacheFileText f = read_cache_file(path);
  if (f.state == CacheFileText::State::absent) return {};
  if (f.state == CacheFileText::State::unusable)
    throw UsageError(fmt::format("the ceilings file '{}' {}; it is not used", path, f.problem));
  try {
    return parse_ceilings(f.text);
  } catch (const nlohmann::json::exception& e) {
    throw UsageError(
        fmt::format("the ceilings file '{}' is not valid ({}); run convbench peak to replace it", path, e.what()));
  }
}

std::vector<std::string> save_ceilings(const std::string& path, const std::vector<Ceilings>& updated) {
  std::vector<std::string> warnings;
  // Under the cache's lock, from the file as it is now: another peak (a node of a cluster sharing a home
  // directory) may have saved other devices since.
  update_cache_file(path, "peak", [&](const CacheFileText& now) {
    std::vector<Ceilings> all;
    if (now.state == CacheFileText::State::read) try {
        all = parse_ceilings(now.text);
      } catch (const nlohmann::json::exception& e) {
        warnings.push_back(fmt::format("the ceilings file '{}' was not valid ({}); it is replaced", path, e.what()));
      }
    for (const Ceilings& u : updated) {
      bool replaced = false;
      for (Ceilings& c : all)
        if (c.device == u.device) c = u, replaced = true;
      if (!replaced) all.push_back(u);
    }
    nlohmann::json j;
    j["schema_version"] = 1;
    j["devices"] = nlohmann::json::array();
    for (const Ceilings& c : all)
      j["devices"].push_back({{"device", c.device}, {"tflops", c.tflops}, {"gbps", c.gbps}, {"measured", c.measured}});
    return j.dump(2) + '\n';
  });
  return warnings;
}

}  // namespace convbench

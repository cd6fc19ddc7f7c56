// Roofline: what fraction of a device's measured ceilings (compute in the problem's dtype, memory
// bandwidth) a run reached, and which of the two bounds the problem. Ceilings come from `convbench peak`,
// cached in a JSON file.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "convbench/backend.hpp"
#include "convbench/problem.hpp"

namespace convbench {

/// One device's measured ceilings.
struct Ceilings {
  std::string device;                    ///< the key: see ceiling_key()
  std::map<std::string, double> tflops;  ///< by dtype name ("f32", "tf32", "bf16", "f16")
  double gbps = 0;                       ///< memory bandwidth, GB/s, bytes read plus bytes written
  std::string measured;                  ///< UTC timestamp
  /// By dtype name, where the rate came from when the device tried several ways (on the GPU: the layout
  /// and engine of the fastest 1x1 convolution); printed by `peak`, not kept in the ceilings file.
  std::map<std::string, std::string> sources;
};

struct Roofline {
  double peak_tflops = 0;       ///< the ceiling for the problem's dtype
  double compute_fraction = 0;  ///< achieved TFLOP/s over peak_tflops
  double peak_gbps = 0;
  double memory_fraction = 0;  ///< (tensor bytes / median) over peak_gbps: the least traffic a run needs
  double intensity = 0;        ///< FLOP per tensor byte
  double ridge = 0;            ///< peak FLOP/s over peak bytes/s: below it a problem is memory-bound
  std::string bound;           ///< "compute" or "memory"
  std::string measured;        ///< when the ceilings were measured (UTC, ISO 8601)
};

/// One warning line per fraction above 100% (a ceiling measured on another load, or a problem that lives
/// in cache), naming when the ceilings were measured; prefixed with `kind`.
std::vector<std::string> roofline_warnings(DeviceKind kind, const Roofline& r);

/// "cpu <model>, <threads> threads" or "gpu <name>".
std::string ceiling_key(DeviceKind kind, const std::string& name, int threads);

/// The roofline of a run of `p` taking `median_ms`, or nothing when `c` has no ceiling for its dtype.
std::optional<Roofline> roofline(const Problem& p, double median_ms, const Ceilings& c);

/// $CONVBENCH_PEAK_FILE, else $XDG_CACHE_HOME/convbench/peak.json, else ~/.cache/convbench/peak.json; empty
/// (no ceilings kept) when none of the three is set.
std::string ceilings_path();
/// The cached ceilings; none when the file is absent. Throws Error(usage) when it is not valid JSON, or is not
/// a regular file (a pipe, a device, a directory: never read, so never blocking) or cannot be read.
std::vector<Ceilings> load_ceilings(const std::string& path);
/// Replaces the entries of the same devices, keeping the others, those another process saved meanwhile
/// included (re-read under a lock on PATH.lock), and writes the file atomically (creating its folder). A file
/// that is not valid is replaced: the warning returned says so. Throws Error(usage) when the file cannot be
/// written, or is not a regular file.
std::vector<std::string> save_ceilings(const std::string& path, const std::vector<Ceilings>& updated);

}  // namespace convbench

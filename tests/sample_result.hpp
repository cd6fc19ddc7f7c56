// A RunResult made with fake backends, for record, printer and compare tests.
#pragma once

#include <string>
#include <vector>

#include "convbench/harness.hpp"
#include "convbench/record.hpp"
#include "convbench/reference.hpp"
#include "convbench/result.hpp"
#include "fake_backend.hpp"

namespace convbench::testing {

inline std::vector<float> reference_output(const Problem& p, const HostTensors& t) {
  const auto ref = reference_conv(p, t);
  return std::vector<float>(ref.begin(), ref.end());
}

inline RunResult sample_result(double cpu_ms, double gpu_ms, double spread = 0.0) {
  Problem p;
  p.n = 2, p.h = 9, p.w = 8, p.k = 4, p.r = 3, p.s = 2, p.pad_top = 1, p.pad_bottom = 2, p.dtype = DType::bf16;
  const HostTensors t = make_inputs(p, 1);
  FakeBackend cpu({1, cpu_ms - spread, cpu_ms, cpu_ms + spread}, "cpu"),
      gpu({1, gpu_ms - spread / 10, gpu_ms, gpu_ms + spread / 10}, "gpu");
  RunResult r;
  r.label = "unit";
  r.problem = p;
  r.seed = 77;
  r.warmup = 1;
  r.devices.push_back(
      {DeviceKind::cpu, measure(cpu, p, t, {1, 3}), "", check_against_reference(p, t, reference_output(p, t), 1)});
  r.devices.push_back({DeviceKind::gpu, measure(gpu, p, t, {1, 3}), "", std::nullopt});
  r.devices[1].measurement->prepare.details = {{"workspace", "0 bytes"}};
  for (DeviceResult& d : r.devices) d.dtype = p.dtype;  // each ran the dtype asked
  r.cross_check = Check{1e-7, 1e-2, 42, false};
  r.speedup = speedup(r.devices[0].measurement->stats, r.devices[0].measurement->samples_ms.size(),
                      r.devices[1].measurement->stats, r.devices[1].measurement->samples_ms.size());
  r.speedup_uncertainty = 0.5;
  return r;
}

/// How many times `what` occurs in `s`, without overlaps.
inline size_t count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + what.size())) ++n;
  return n;
}

inline const RunMetadata kMeta{"0.1.0", "2.6.3", "Test CPU", "2026-11-27T00:00:00Z", {"convbench", "--seed", "77"}};

}  // namespace convbench::testing

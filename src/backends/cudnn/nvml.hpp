// NVML, loaded at run time and optional: the SM clock and throttle reasons of one GPU.
#pragma once

#include <optional>
#include <string>

#include "convbench/backend.hpp"

namespace convbench {

class Nvml {
 public:
  /// Opens libnvidia-ml.so.1 and finds the device with this PCI bus id; without NVML every sample is empty.
  explicit Nvml(const std::string& pci_bus_id);
  ~Nvml();
  Nvml(const Nvml&) = delete;
  Nvml& operator=(const Nvml&) = delete;
  std::optional<ClockSample> sample() const;

 private:
  void* lib_ = nullptr;
  void* device_ = nullptr;
  int (*clock_info_)(void*, int, unsigned*) = nullptr;
  int (*throttle_reasons_)(void*, unsigned long long*) = nullptr;
  int (*shutdown_)() = nullptr;
};

/// "sw_power_cap, hw_thermal" from NVML's throttle-reason bits (idle and application-clock bits omitted).
std::string throttle_text(unsigned long long reasons);

}  // namespace convbench

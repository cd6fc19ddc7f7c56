// Optional NVML access through dlopen; every failure just leaves the clock fields empty.
#include "backends/cudnn/nvml.hpp"

#include <dlfcn.h>

namespace convbench {

Nvml::Nvml(const std::string& pci_bus_id) {
  lib_ = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!lib_) return;
  auto init = reinterpret_cast<int (*)()>(dlsym(lib_, "nvmlInit_v2"));
  auto by_pci = reinterpret_cast<int (*)(const char*, void**)>(dlsym(lib_, "nvmlDeviceGetHandleByPciBusId_v2"));
  clock_info_ = reinterpret_cast<int (*)(void*, int, unsigned*)>(dlsym(lib_, "nvmlDeviceGetClockInfo"));
  throttle_reasons_ =
      reinterpret_cast<int (*)(void*, unsigned long long*)>(dlsym(lib_, "nvmlDeviceGetCurrentClocksThrottleReasons"));
  shutdown_ = reinterpret_cast<int (*)()>(dlsym(lib_, "nvmlShutdown"));
  if (!init || !by_pci || !clock_info_ || init() != 0) {
    clock_info_ = nullptr;
    return;
  }
  if (by_pci(pci_bus_id.c_str(), &device_) != 0) device_ = nullptr;
}

Nvml::~Nvml() {
  if (clock_info_ && shutdown_) shutdown_();
  if (lib_) dlclose(lib_);
}

std::optional<ClockSample> Nvml::sample() const {
  if (!clock_info_ || !device_) return std::nullopt;
  constexpr int kClockSm = 1;  // NVML_CLOCK_SM
  unsigned mhz = 0;
  if (clock_info_(device_, kClockSm, &mhz) != 0) return std::nullopt;
  ClockSample s;
  s.sm_mhz = mhz;
  unsigned long long reasons = 0;
  if (throttle_reasons_ && throttle_reasons_(device_, &reasons) == 0) {
    s.throttle_reasons = reasons;
    s.throttle_text = throttle_text(reasons);
  }
  return s;
}

std::string throttle_text(unsigned long long reasons) {
  static const std::pair<unsigned long long, const char*> kNames[] = {
      {0x4, "sw_power_cap"}, {0x8, "hw_slowdown"},     {0x10, "sync_boost"},     {0x20, "sw_thermal"},
      {0x40, "hw_thermal"},  {0x80, "hw_power_brake"}, {0x100, "display_clocks"}};
  std::string t;
  for (const auto& [bit, name] : kNames)
    if (reasons & bit) t += (t.empty() ? "" : ", ") + std::string(name);
  return t;
}

}  // namespace convbench

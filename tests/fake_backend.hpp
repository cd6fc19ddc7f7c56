// A backend whose run durations are scripted, for deterministic harness and printer tests.
#pragma once

#include <deque>

#include "convbench/backend.hpp"
#include "convbench/reference.hpp"

namespace convbench::testing {

class FakeBackend : public Conv2D {
 public:
  explicit FakeBackend(std::deque<double> durations_ms) : durations_(std::move(durations_ms)) {}
  DeviceInfo device() const override { return {"cpu", "fake CPU", "fake 1.0"}; }
  Support supports(const Problem&) const override { return {}; }
  PrepareReport prepare(const Problem& p, const HostTensors& t) override {
    ++prepares;
    problem_ = p;
    tensors_ = t;
    PrepareReport r;
    r.setup_ms = 12.5;
    r.implementation = "fake:direct";
    return r;
  }
  double run() override {
    ++runs;
    const double d = durations_.front();
    durations_.pop_front();
    return d;
  }
  std::vector<float> read_output() override {
    ++reads;
    const auto ref = reference_conv(problem_, tensors_);
    return std::vector<float>(ref.begin(), ref.end());
  }
  int prepares = 0, runs = 0, reads = 0;

 private:
  std::deque<double> durations_;
  Problem problem_;
  HostTensors tensors_;
};

}  // namespace convbench::testing

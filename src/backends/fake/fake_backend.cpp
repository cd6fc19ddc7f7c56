// The scripted backend: runs that take a fixed time, outputs from the float64 reference.
#include "backends/fake/fake_backend.hpp"

#include <fmt/format.h>

#include <chrono>
#include <thread>

#include "convbench/reference.hpp"

namespace convbench {
namespace {

class ScriptedBackend final : public Conv2D {
 public:
  ScriptedBackend(DeviceKind kind, double run_ms, int index, const std::optional<BackendSettings::FakeFailure>& f)
      : kind_(kind), run_ms_(run_ms), index_(index) {
    if (f && f->kind == kind) failure_ = f;
  }
  DeviceInfo device() const override {
    DeviceInfo d{kind_, std::string("fake ") + to_string(kind_), "fake", "1.0"};
    if (kind_ == DeviceKind::gpu && index_ >= 0) {
      d.uuid = "GPU-fake-" + std::to_string(index_);
      d.pci_bus_id = fmt::format("0000:{:02x}:00.0", index_ + 1);
    }
    return d;
  }
  Support supports(const Problem&) const override { return {}; }
  PrepareReport prepare(const Problem& p, const HostTensors& t) override {
    problem_ = p;
    tensors_ = t;
    PrepareReport r;
    r.implementation = "fake:sleep";
    return r;
  }
  double run() override {
    if (failure_ && problem_.n == failure_->batch) {
      const std::string what = failure_->code == ExitCode::out_of_memory ? "out of memory" : "a library failure";
      throw Error(failure_->code,
                  fmt::format("fake {}: scripted {} at batch {}", to_string(kind_), what, failure_->batch));
    }
    // sleep_for resumes after a signal, so Ctrl-C does not shorten a scripted run.
    std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(run_ms_));
    return run_ms_;
  }
  OutputFloats read_output() override {
    const std::vector<double> ref = reference_conv(problem_, tensors_);
    return OutputFloats(ref.begin(), ref.end());
  }

 private:
  DeviceKind kind_;
  double run_ms_;
  int index_;
  std::optional<BackendSettings::FakeFailure> failure_;
  Problem problem_;
  HostTensors tensors_;
};

}  // namespace

std::unique_ptr<Conv2D> make_fake_backend(DeviceKind kind, double run_ms, int index,
                                          const std::optional<BackendSettings::FakeFailure>& failure) {
  return std::make_unique<ScriptedBackend>(kind, run_ms, index, failure);
}

}  // namespace convbench

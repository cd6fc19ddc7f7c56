// A backend whose run durations are scripted, for deterministic harness and printer tests.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "convbench/backend.hpp"
#include "convbench/reference.hpp"
#include "convbench/system.hpp"

namespace convbench::testing {

class FakeBackend : public Conv2D {
 public:
  /// `corruption` scales the output by (1 + corruption), to imitate a wrong result.
  explicit FakeBackend(std::deque<double> durations_ms, std::string kind = "cpu", float corruption = 0)
      : durations_(std::move(durations_ms)), kind_(std::move(kind)), corruption_(corruption) {}
  DeviceInfo device() const override { return {*device_kind_from_string(kind_), "fake " + kind_, "fake", "1.0"}; }
  Support supports(const Problem& p) const override {
    if (unsupported.count(p.dtype)) return {false, std::string("fake: no ") + to_string(p.dtype)};
    return {};
  }
  PrepareReport prepare(const Problem& p, const HostTensors& t) override {
    ++prepares;
    last_dtype = p.dtype;
    if (on_prepare) on_prepare(p);
    if (refused_at_prepare.count(p.dtype))
      throw Error(ExitCode::unsupported, std::string("fake: no ") + to_string(p.dtype) + " kernel after all");
    problem_ = p;
    tensors_ = t;
    PrepareReport r;
    r.setup_ms = 12.5;
    r.implementation = implementation;
    r.warnings = prepare_warnings;
    r.threads = threads;
    return r;
  }
  int runs_per_call() const override { return per_call; }
  void after_runs(PrepareReport& report) override {
    if (on_after_runs) on_after_runs(report);
  }
  std::vector<double> run_many(int count, bool flush) override {
    groups.push_back(count);
    if (after_group) after_group();
    return Conv2D::run_many(count, flush);
  }
  double run() override {
    ++runs;
    if (const auto it = ms_by_dtype.find(last_dtype); it != ms_by_dtype.end())
      return it->second[next_by_dtype_[last_dtype]++ % it->second.size()];
    const double d = durations_.front();
    durations_.pop_front();
    if (burn) {  // use as much CPU time as the run claims to take, however busy the machine is
      const double until = process_cpu_ms() + d;
      while (process_cpu_ms() < until) {
      }
    }
    return d;
  }
  OutputFloats read_output() override {
    ++reads;
    const auto ref = reference_conv(problem_, tensors_);
    OutputFloats out(ref.begin(), ref.end());
    for (float& v : out) v *= 1 + corruption_;
    return out;
  }
  void flush_cache() override { ++flushes; }
  std::optional<ClockSample> sample_clock() override {
    if (clocks.empty()) return std::nullopt;
    ClockSample c{clocks.front(), 0, ""};
    clocks.pop_front();
    return c;
  }
  int prepares = 0, runs = 0, reads = 0, flushes = 0;
  int per_call = 1;                           ///< runs_per_call(): 1, as a CPU backend; the GPU asks for more
  std::vector<int> groups;                    ///< the count of every run_many() call, in order
  std::function<void()> after_group;          ///< called at the start of every run_many()
  std::function<void(PrepareReport&)> on_after_runs;  ///< what after_runs() does
  std::function<void(const Problem&)> on_prepare;     ///< told of every prepare()
  std::vector<std::string> prepare_warnings;  ///< what prepare() reports
  int threads = 0;                            ///< CPU threads prepare() reports (0: not a CPU backend)
  std::set<DType> unsupported;                ///< dtypes supports() refuses
  std::map<DType, std::vector<double>> ms_by_dtype;  ///< runs' durations for these dtypes, in turn and again,
                                                     ///< instead of the script's
  std::set<DType> refused_at_prepare;         ///< dtypes supports() accepts but prepare() refuses (unsupported)
  DType last_dtype = DType::f32;              ///< the dtype of the last prepare()
  bool burn = false;                          ///< run() uses its scripted duration of process CPU time
  std::deque<double> clocks;                  ///< SM clocks (MHz) sample_clock() returns, in order
  std::string implementation = "fake:direct";

 private:
  std::deque<double> durations_;
  std::map<DType, size_t> next_by_dtype_;  ///< the next of ms_by_dtype's durations, per dtype
  std::string kind_;
  float corruption_;
  Problem problem_;
  HostTensors tensors_;
};

}  // namespace convbench::testing

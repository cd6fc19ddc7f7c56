// A scripted backend for end-to-end tests of the real binary (hyperfine's mock executor): every run takes
// a fixed time and the output is the float64 reference, so that a run's timing and results are known in
// advance. Selected only by the hidden --debug-fake-backends flag; never by default.
#pragma once

#include <memory>
#include <string>

#include "convbench/backend.hpp"

namespace convbench {

/// A CPU or GPU backend named "fake cpu"/"fake gpu", whose every run sleeps `run_ms` milliseconds; a GPU
/// with an `index` has the UUID "GPU-fake-<index>". With a `failure` of its kind, the first run of a problem
/// of that batch throws an Error with the failure's code.
std::unique_ptr<Conv2D> make_fake_backend(DeviceKind kind, double run_ms, int index = -1,
                                          const std::optional<BackendSettings::FakeFailure>& failure = {});

}  // namespace convbench

// `convbench check`: is there a usable NVIDIA GPU for cuDNN work? One command, an exit code per failure
// class, a hard time limit.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>

#include "convbench/error.hpp"
#include "outcome.hpp"

namespace convbench {

struct CheckOptions {
  bool all = false;        ///< list every GPU and the CPU
  bool json = false;       ///< one JSON object on stdout instead of text
  double timeout_s = 5.0;  ///< the check is killed after this long
  int gpu = 0;
  bool every_gpu = false;  ///< --gpu all: each GPU in turn; the exit code is the highest failing one
};

/// What a child process wrote before it exited, or why it did not.
struct IsolatedResult {
  bool timed_out = false;
  int signal = 0;  ///< set when the child died of a signal
  bool exit_hung = false;  ///< it had not exited by the deadline (after writing, or after the kill): killed, left
  std::string output;
};

/// `work()`'s result, or, when it throws, a check result (JSON) that carries the error's exit code and message.
std::string report_errors_as_json(const std::function<std::string()>& work);

/// Runs `work` in a forked child and returns what it produced; a child still running after `timeout_s`
/// is killed, and so is one that closed its output but has not exited by then (at least 200 ms after).
/// Keeps a hung or crashing driver call, or a hung exit, from taking the caller with it.
IsolatedResult run_isolated(const std::function<std::string()>& work, double timeout_s);

/// The verdict of `check --gpu all` from each GPU's check result, in GPU order (objects with `exit_code` and
/// `message`): the highest failing exit code, with that GPU's message ("GPU 2: ..."), after how many failed
/// where more than one did; ok when none failed.
Outcome every_gpu_verdict(const nlohmann::json& checks);

/// Probes the GPU, runs a tiny convolution through cuDNN and checks it against the float64 reference, all
/// in a child process under the timeout; prints the verdict; returns its exit code.
Outcome run_check(const CheckOptions& o, std::ostream& out);

}  // namespace convbench

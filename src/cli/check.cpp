// `convbench check`: the probe and a tiny real convolution, in a child process under a time limit.
#include "check.hpp"

#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "convbench/harness.hpp"
#include "convbench/reference.hpp"
#include "convbench/registry.hpp"
#include "convbench/system.hpp"
#include "run.hpp"

namespace convbench {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

/// "580.159" from "580.159.04"; "9.19" from cuDNN 91900.
std::string major_minor(const std::string& v) {
  const auto second_dot = v.find('.', v.find('.') + 1);
  return second_dot == std::string::npos ? v : v.substr(0, second_dot);
}

json device_json(const GpuProbe& p) {
  const DeviceFacts& f = p.facts;
  return {{"index", p.device},
          {"name", f.name},
          {"uuid", f.uuid},
          {"sm", fmt::format("sm_{}{}", f.cc_major, f.cc_minor)},
          {"sm_count", f.sm_count},
          {"memory_bytes", f.total_memory},
          {"driver_release", p.driver_release},
          {"driver_cuda", p.driver_version ? cuda_version_string(p.driver_version) : ""},
          {"cuda_runtime", p.runtime_version ? cuda_version_string(p.runtime_version) : ""},
          {"cudnn", p.cudnn_version ? cudnn_version_string(p.cudnn_version) : ""}};
}

std::string found_line(const GpuProbe& p) {
  return fmt::format("Found GPU at: /device:GPU:{} — {} (sm_{}{}, {:.1f} GiB, driver {}, CUDA runtime {}, cuDNN {})",
                     p.device, p.facts.name, p.facts.cc_major, p.facts.cc_minor,
                     static_cast<double>(p.facts.total_memory) / (1024.0 * 1024.0 * 1024.0),
                     p.driver_release.empty() ? cuda_version_string(p.driver_version) : major_minor(p.driver_release),
                     cuda_version_string(p.runtime_version), major_minor(cudnn_version_string(p.cudnn_version)));
}

/// A tiny convolution through the cuDNN backend, checked against the float64 reference.
void tiny_convolution(const CheckOptions& o, GpuProbe& p, json& conv) {
  BackendSettings s;
  s.gpu_index = o.gpu;
  s.algo = AlgoSearch::heuristic;
  s.clocks = false;  // check reports no clocks: NVML is not opened (16-20 ms on the H100)
  Problem tiny;
  tiny.n = 2, tiny.c = 3, tiny.h = 9, tiny.w = 9, tiny.k = 4, tiny.r = 3, tiny.s = 3,
  tiny.pad_top = tiny.pad_bottom = 1;
  tiny.pad_left = tiny.pad_right = 1;
  try {
    Availability gpu = make_gpu_backend(s, p);  // from this probe: the GPU is reached once
    if (!gpu.backend) throw Error(gpu.code, gpu.reason);
    const HostTensors t = make_inputs(tiny, 1);
    const Measurement m = measure(*gpu.backend, tiny, t, {1, 1});
    const Check c = check_against_reference(tiny, t, m.output, 1);
    conv = {{"ok", c.ok()},
            {"error", c.error},
            {"tolerance", c.tolerance},
            {"ms", m.stats.median},
            {"engine", m.prepare.implementation}};
    if (!c.ok()) {
      p.status = GpuStatus::conv_failed;
      p.message = fmt::format(
          "the tiny check convolution gave a wrong result: normwise error {:.1e} > {:.0e} with "
          "engine {}; report the GPU, driver and cuDNN versions",
          c.error, c.tolerance, m.prepare.implementation);
    }
  } catch (const std::exception& e) {
    p.status = GpuStatus::conv_failed;
    p.message = fmt::format("the tiny check convolution failed: {}", e.what());
    conv = {{"ok", false}, {"error", nullptr}};
  }
}

/// Everything the check learns about the GPUs; runs in the child process.
json gather(const CheckOptions& o) {
  GpuProbe p = probe_gpu(o.gpu);
  phase_mark("check: GPU probed");
  json j;
  j["gpu"] = p.facts.name.empty() ? json(nullptr) : device_json(p);
  j["conv"] = nullptr;
  if (p.status == GpuStatus::ok) {
    json conv;
    tiny_convolution(o, p, conv);
    phase_mark("check: convolution checked");
    j["conv"] = conv;
  }
  if (o.all) {
    j["gpus"] = json::array();
    for (int i = 0; i < p.device_count; ++i) {
      const GpuProbe q = i == o.gpu ? p : probe_gpu(i);
      if (!q.facts.name.empty()) j["gpus"].push_back(device_json(q));
    }
  }
  j["status"] = to_string(p.status);
  j["exit_code"] = static_cast<int>(exit_code_for(p.status));
  j["message"] = p.status == GpuStatus::ok ? found_line(p) : p.message;
  return j;
}

/// waitpid without blocking, tried every millisecond until `until`: `pid` once the child has exited (its
/// status in `status`), 0 while it has not, -1 when there is nothing to wait for.
pid_t reap_until(pid_t pid, int& status, Clock::time_point until) {
  for (;;) {
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == -1 && errno == EINTR) continue;
    if (done != 0 || Clock::now() >= until) return done;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

}  // namespace

IsolatedResult run_isolated(const std::function<std::string()>& work, double timeout_s) {
  IsolatedResult r;
  int fds[2];
  if (pipe(fds) != 0) throw Error(ExitCode::internal, "check: pipe() failed");
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) throw Error(ExitCode::internal, "check: fork() failed");
  if (pid == 0) {
    // A check that is itself killed (a cancelled CI job, `kill`) must not leave this child behind, perhaps
    // hung in a wedged driver for ever: it dies with its parent, even one that died before this line.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(0);
    close(fds[0]);
    std::string s;
    try {
      s = work();
    } catch (...) {
    }
    for (size_t done = 0; done < s.size();) {
      const ssize_t n = write(fds[1], s.data() + done, s.size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    close(fds[1]);  // the parent reads EOF now, before this process's CUDA context is torn down at exit
    _exit(0);       // skip atexit handlers: driver teardown is not ours to wait for
  }
  close(fds[1]);
  const auto deadline = Clock::now() + std::chrono::duration<double>(timeout_s);
  char buf[4096];
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      r.timed_out = true;
      break;
    }
    pollfd pfd{fds[0], POLLIN, 0};
    const int ready = poll(&pfd, 1, static_cast<int>(left));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;  // re-check the deadline
    const ssize_t n = read(fds[0], buf, sizeof buf);
    if (n <= 0) break;  // EOF: the child is done
    r.output.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  if (r.timed_out) kill(pid, SIGKILL);
  phase_mark("check: child's result read");
  // Its exit status says whether it crashed. A child whose exit hangs after it wrote (a wedged GPU's
  // teardown) must not hang `check` with it: it is waited for until the deadline (at least 200 ms; 1 s after
  // a kill), then killed and left behind.
  const double grace_s =
      r.timed_out ? 1.0 : std::max(0.2, std::chrono::duration<double>(deadline - Clock::now()).count());
  int status = 0;
  const pid_t done = reap_until(
      pid, status, Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(grace_s)));
  if (done == 0) {
    r.exit_hung = true;
    kill(pid, SIGKILL);
    reap_until(pid, status, Clock::now() + std::chrono::milliseconds(100));  // reaped if it dies at once
    return r;
  }
  phase_mark("check: child exited");
  if (done == pid && !r.timed_out && WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  return r;
}

namespace {

/// A check result that ran into a failure before learning anything about the GPU.
json failure_json(const char* status, ExitCode code, const std::string& message) {
  return {{"status", status},
          {"exit_code", static_cast<int>(code)},
          {"message", message},
          {"gpu", nullptr},
          {"conv", nullptr}};
}

}  // namespace

std::string report_errors_as_json(const std::function<std::string()>& work) {
  try {
    return work();
  } catch (const Error& e) {
    return failure_json(e.code() == ExitCode::gpu_other ? "other" : "error", e.code(), e.what()).dump();
  } catch (const std::exception& e) {
    return failure_json("other", ExitCode::gpu_other, std::string("the GPU check failed: ") + e.what()).dump();
  }
}

namespace {

/// The check of one GPU as its JSON object (schema_version 1), whatever the outcome.
json check_result(const CheckOptions& o) {
  const auto t0 = Clock::now();
  // The child reports its own exceptions as a result, so that the parent can say what went wrong.
  const IsolatedResult iso =
      run_isolated([&o] { return report_errors_as_json([&o] { return gather(o).dump(); }); }, o.timeout_s);
  json j;
  if (iso.timed_out) {
    j = failure_json("timeout", ExitCode::gpu_check_timeout,
                     fmt::format("the GPU check did not finish within {:g} s; the driver may be hung (try "
                                 "nvidia-smi), or raise --timeout",
                                 o.timeout_s));
  } else if (iso.signal != 0 || iso.output.empty()) {
    j = failure_json("other", ExitCode::gpu_other,
                     fmt::format("the GPU check crashed ({}); run it again with CUDA_LAUNCH_BLOCKING=1 and report it",
                                 iso.signal ? strsignal(iso.signal) : "no result"));
  } else {
    j = json::parse(iso.output);
  }
  if (iso.exit_hung && !iso.timed_out && !iso.output.empty())
    warn(std::cerr, fmt::format("the GPU check's process had not exited {:g} s after it started, though its result "
                                "was written: the driver's teardown may be hung (try nvidia-smi); it was killed",
                                o.timeout_s));
  if (o.all) {
    if (!j.contains("gpus")) j["gpus"] = json::array();
    j["cpu"] = {{"model", cpu_model()},
                {"physical_cores", physical_cores()},
                {"isa", cpu_library_isa()},
                {"onednn", cpu_library_version()}};
  }
  j["schema_version"] = 1;
  j["ok"] = j["exit_code"].get<int>() == 0;
  j["elapsed_ms"] = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  return j;
}

}  // namespace

Outcome every_gpu_verdict(const json& checks) {
  int worst = 0, failed = 0;
  std::string worst_message;
  for (size_t g = 0; g < checks.size(); ++g) {
    const int code = checks.at(g).at("exit_code").get<int>();
    if (code == 0) continue;
    ++failed;
    if (code > worst)
      worst = code, worst_message = fmt::format("GPU {}: {}", g, checks.at(g).at("message").get<std::string>());
  }
  if (worst == 0) return {};
  return {static_cast<ExitCode>(worst),
          failed > 1 ? fmt::format("{} of {} GPUs failed; the worst: {}", failed, checks.size(), worst_message)
                     : worst_message};
}

namespace {

/// `check --gpu all`: each GPU checked in turn (in its own child); the exit code is the highest failing one.
Outcome check_every_gpu(const CheckOptions& o, std::ostream& out) {
  const IsolatedResult count = run_isolated([] { return std::to_string(probe_gpu(0).device_count); }, o.timeout_s);
  const int n = count.output.empty() ? 0 : std::stoi(count.output);
  json checks = json::array();
  for (int g = 0; g < std::max(n, 1); ++g) {
    CheckOptions one = o;
    one.every_gpu = false;
    one.gpu = g;
    json j = check_result(one);
    if (!o.json && j["exit_code"].get<int>() == 0) out << j["message"].get<std::string>() << '\n';
    checks.push_back(std::move(j));
  }
  const Outcome verdict = every_gpu_verdict(checks);
  if (!o.json) return verdict;
  const int worst = static_cast<int>(verdict.code);
  out << json{{"schema_version", 1}, {"ok", worst == 0}, {"exit_code", worst}, {"checks", checks}}.dump(2) << '\n';
  return {verdict.code, ""};
}

}  // namespace

Outcome run_check(const CheckOptions& o, std::ostream& out) {
  if (o.every_gpu) return check_every_gpu(o, out);
  json j = check_result(o);
  const auto code = static_cast<ExitCode>(j["exit_code"].get<int>());
  if (o.json) {
    out << j.dump(2) << '\n';
  } else {
    if (code == ExitCode::ok) out << j["message"].get<std::string>() << '\n';
    if (o.all) {
      for (const json& g : j["gpus"])
        out << fmt::format("GPU {}: {} ({}, {:.1f} GiB, {})\n", g["index"].get<int>(), g["name"].get<std::string>(),
                           g["sm"].get<std::string>(), g["memory_bytes"].get<double>() / (1024.0 * 1024.0 * 1024.0),
                           g["uuid"].get<std::string>());
      const json& c = j["cpu"];
      out << fmt::format("CPU: {}, {} physical cores, oneDNN {} dispatching to {}\n", c["model"].get<std::string>(),
                         c["physical_cores"].get<int>(), c["onednn"].get<std::string>(), c["isa"].get<std::string>());
    }
    if (code != ExitCode::ok) return {code, j["message"].get<std::string>()};
  }
  return {code, ""};
}

}  // namespace convbench

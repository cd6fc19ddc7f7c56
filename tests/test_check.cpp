// `convbench check` in the process: the isolated child, its time limit, and its own errors.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/check.hpp"

using namespace convbench;
using Clock = std::chrono::steady_clock;

TEST(Isolated, ReturnsWhatTheChildWrote) {
  const IsolatedResult r = run_isolated([] { return std::string(100000, 'x'); }, 5);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.signal, 0);
  EXPECT_EQ(r.output, std::string(100000, 'x'));
}

TEST(Isolated, AHungChildIsKilledAtTheTimeout) {
  const auto t0 = Clock::now();
  const IsolatedResult r = run_isolated(
      [] {
        std::this_thread::sleep_for(std::chrono::seconds(30));
        return std::string("late");
      },
      0.2);
  const double s = std::chrono::duration<double>(Clock::now() - t0).count();
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.output, "");
  EXPECT_LT(s, 5.0);
}

TEST(Isolated, ACrashingChildIsReported) {
  const IsolatedResult r = run_isolated([]() -> std::string { std::abort(); }, 5);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.signal, SIGABRT);
}

TEST(Check, AnExceptionInTheChildIsReportedWithItsMessageNotAsACrash) {
  const IsolatedResult r = run_isolated(
      [] {
        return report_errors_as_json(
            []() -> std::string { throw Error(ExitCode::gpu_cudnn_missing, "cuDNN: cudnnCreate failed"); });
      },
      5);
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.signal, 0);
  const auto j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j.at("exit_code").get<int>(), 14);
  EXPECT_EQ(j.at("message"), "cuDNN: cudnnCreate failed");
  const auto other = nlohmann::json::parse(
      report_errors_as_json([]() -> std::string { throw std::runtime_error("frontend: bad graph"); }));
  EXPECT_EQ(other.at("exit_code").get<int>(), 18);
  EXPECT_EQ(other.at("message"), "the GPU check failed: frontend: bad graph");
}

TEST(Isolated, TheChildDiesWithACheckThatIsKilled) {
  // A process that runs a check whose child hangs (a wedged GPU); the process is then killed, as a cancelled
  // CI job's would be. Before, the child stayed, orphaned, for as long as its work hung.
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t checker = fork();
  ASSERT_GE(checker, 0);
  if (checker == 0) {
    close(fds[0]);
    run_isolated(
        [&] {
          const pid_t self = getpid();
          if (write(fds[1], &self, sizeof self) != sizeof self) _exit(1);
          std::this_thread::sleep_for(std::chrono::seconds(60));
          return std::string("late");
        },
        120);
    _exit(0);
  }
  close(fds[1]);
  pid_t child = 0;
  ASSERT_EQ(read(fds[0], &child, sizeof child), static_cast<ssize_t>(sizeof child));
  close(fds[0]);
  kill(checker, SIGKILL);
  int status = 0;
  ASSERT_EQ(waitpid(checker, &status, 0), checker);
  // Gone, or a zombie waiting for init to reap it: either way no longer running.
  const auto running = [&] {
    std::ifstream stat("/proc/" + std::to_string(child) + "/stat");
    std::string pid, comm, state;
    return stat >> pid >> comm >> state && state != "Z" && state != "X";
  };
  const auto until = Clock::now() + std::chrono::seconds(10);
  while (running() && Clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_FALSE(running()) << "the check's child outlived it";
  if (running()) kill(child, SIGKILL);
}

TEST(Isolated, AChildWhoseExitHangsAfterItsResultIsKilledAtTheDeadline) {
  // A wedged GPU's teardown: the child closes its output, then does not exit. Here it closes every
  // descriptor it inherited beyond stdio (the pipe's write end among them) and sleeps.
  const auto t0 = Clock::now();
  const IsolatedResult r = run_isolated(
      [] {
        for (int fd = 3; fd < 1024; ++fd) close(fd);
        std::this_thread::sleep_for(std::chrono::seconds(30));
        return std::string("late");
      },
      0.5);
  const double s = std::chrono::duration<double>(Clock::now() - t0).count();
  EXPECT_FALSE(r.timed_out);  // its output ended in time
  EXPECT_TRUE(r.exit_hung);
  EXPECT_EQ(r.output, "");
  EXPECT_GE(s, 0.5);  // waited for its exit until the deadline
  EXPECT_LT(s, 5.0);
}

TEST(Isolated, AChildThatExitsNormallyIsNotReportedAsHung) {
  const IsolatedResult r = run_isolated([] { return std::string("ok"); }, 5);
  EXPECT_FALSE(r.exit_hung);
  EXPECT_EQ(r.output, "ok");
}

// `check --gpu all` on a node of four: the exit code is the worst failure's, whichever GPU it was on, and the
// message says how many failed. A node with every GPU healthy is ok.
TEST(CheckEveryGpu, TheHighestFailingCodeWinsAndTheCountIsSaid) {
  const auto gpu = [](int code, const std::string& message) {
    return nlohmann::json{{"exit_code", code}, {"message", message}};
  };
  const nlohmann::json healthy = nlohmann::json::array({gpu(0, "GPU 0 ok"), gpu(0, "GPU 1 ok")});
  EXPECT_EQ(every_gpu_verdict(healthy).code, ExitCode::ok);
  EXPECT_EQ(every_gpu_verdict(healthy).error, "");
  const nlohmann::json node = nlohmann::json::array({gpu(0, "ok"), gpu(13, "no CUDA device 1"),
                                                     gpu(16, "the tiny check convolution gave a wrong result"),
                                                     gpu(15, "GPU architecture not supported")});
  const Outcome o = every_gpu_verdict(node);
  EXPECT_EQ(o.code, ExitCode::gpu_conv_failed);
  EXPECT_EQ(o.error, "3 of 4 GPUs failed; the worst: GPU 2: the tiny check convolution gave a wrong result");
  const Outcome one = every_gpu_verdict(nlohmann::json::array({gpu(0, "ok"), gpu(17, "the GPU check did not finish")}));
  EXPECT_EQ(static_cast<int>(one.code), 17);
  EXPECT_EQ(one.error, "GPU 1: the GPU check did not finish");
}

// Runs a test body in several forked processes at once, for what processes sharing a file must survive.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <vector>

namespace convbench::testing {

/// Forks `count` processes, each running `body(index)` and exiting with its return value (0: success),
/// and expects every one to exit 0. Returns once all have exited.
inline void in_processes(int count, const std::function<int(int)>& body) {
  std::vector<pid_t> children;
  for (int p = 0; p < count; ++p) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) _exit(body(p));
    children.push_back(pid);
  }
  for (const pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "process " << pid << " failed";
  }
}

}  // namespace convbench::testing

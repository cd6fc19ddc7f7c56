// The cache files' shared reading and updating: what a path holds, never blocking on a pipe, and updates
// from processes at once that keep each other's lines.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include "convbench/atomic_file.hpp"
#include "convbench/cache_file.hpp"
#include "convbench/error.hpp"
#include "in_processes.hpp"
#include "scratch_dir.hpp"

using namespace convbench;
using State = CacheFileText::State;

TEST(CacheFile, ReadsAFileAndTellsAbsentFromUnusable) {
  const convbench::testing::ScratchDir d("cachefile");
  const std::string file = d.path + "/c.json";
  EXPECT_EQ(read_cache_file(file).state, State::absent);
  std::ofstream(file) << "{\"a\": 1}\n";
  const CacheFileText r = read_cache_file(file);
  EXPECT_EQ(r.state, State::read);
  EXPECT_EQ(r.text, "{\"a\": 1}\n");
  EXPECT_EQ(read_cache_file(file + "/below-a-file.json").state, State::absent) << "a folder that is a file";

  const std::string fifo = d.path + "/pipe.json", sock = d.path + "/sock.json";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  const int s = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  ASSERT_LT(sock.size(), sizeof addr.sun_path);
  sock.copy(addr.sun_path, sock.size());
  ASSERT_EQ(bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  alarm(20);  // a read that blocks on the pipe ends the test here instead of hanging it
  for (const std::string& path : {fifo, sock, d.path, std::string("/dev/null")}) {
    const CacheFileText u = read_cache_file(path);
    EXPECT_EQ(u.state, State::unusable) << path;
    EXPECT_EQ(u.problem, "is not a regular file") << path;
    EXPECT_TRUE(u.text.empty()) << path;
  }
  alarm(0);
  close(s);
}

TEST(CacheFile, AnUpdateMergesWithTheFileAsItIsNow) {
  const convbench::testing::ScratchDir d("cachefile");
  const std::string path = d.path + "/new/folder/c.txt";  // the folders are made
  std::vector<State> seen;
  update_cache_file(path, "--x", [&](const CacheFileText& now) {
    seen.push_back(now.state);
    return now.text + "one\n";
  });
  update_cache_file(path, "--x", [&](const CacheFileText& now) {
    seen.push_back(now.state);
    return now.text + "two\n";
  });
  EXPECT_EQ(seen, (std::vector<State>{State::absent, State::read}));
  EXPECT_EQ(read_cache_file(path).text, "one\ntwo\n");
}

TEST(CacheFile, AnUpdateOfAPipeOrDeviceWritesNothingAndMakesNoLockFile) {
  const convbench::testing::ScratchDir d("cachefile");
  const std::string fifo = d.path + "/pipe.json";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  alarm(20);
  for (const std::string& path : {fifo, std::string("/dev/null"), d.path}) {
    bool merged = false;
    try {
      update_cache_file(path, "--x", [&](const CacheFileText&) {
        merged = true;
        return std::string("lost\n");
      });
      ADD_FAILURE() << path << " was updated";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ExitCode::usage);
      EXPECT_EQ(std::string(e.what()), "--x: '" + path + "' is not a regular file; nothing is written to it");
    }
    EXPECT_FALSE(merged) << path;
  }
  alarm(0);
  EXPECT_NE(access((fifo + ".lock").c_str(), F_OK), 0);
}

TEST(CacheFile, ProcessesUpdatingAtOnceLoseNoLine) {
  const convbench::testing::ScratchDir d("cachefile");
  const std::string path = d.path + "/c.txt";
  constexpr int kProcesses = 8, kEach = 5;
  convbench::testing::in_processes(kProcesses, [&](int p) {
    for (int i = 0; i < kEach; ++i)
      update_cache_file(path, "--x", [&](const CacheFileText& now) {
        usleep(1000);  // widens the window between the read and the write that the lock closes
        return now.text + fmt::format("p{} i{}\n", p, i);
      });
    return 0;
  });
  std::istringstream in(read_cache_file(path).text);
  std::set<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.insert(line);
  EXPECT_EQ(lines.size(), static_cast<size_t>(kProcesses * kEach));
  for (int p = 0; p < kProcesses; ++p)
    for (int i = 0; i < kEach; ++i) EXPECT_EQ(lines.count(fmt::format("p{} i{}", p, i)), 1u) << p << " " << i;
}

namespace {
mode_t mode_of(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 ? (st.st_mode & 07777) : 0;
}
}  // namespace

// A file is written under a temporary name and renamed over the old one: the new file must not take the
// temporary's 0600, which would hide an --output or a cache from the group that could read it before.
TEST(AtomicFile, AReplacedFileKeepsItsModeAndANewOneGetsTheUmasksMode) {
  const convbench::testing::ScratchDir dir("atomic-mode");
  const std::string kept = dir.path + "/kept.json", fresh = dir.path + "/fresh.json";
  std::ofstream(kept) << "old";
  ASSERT_EQ(chmod(kept.c_str(), 0640), 0);
  const mode_t mask = umask(022);
  for (const std::string& path : {kept, fresh}) {
    AtomicFile f(path, "--output");
    f.stream() << "new";
    f.commit();
  }
  umask(mask);
  EXPECT_EQ(mode_of(kept), 0640u);
  EXPECT_EQ(mode_of(fresh), 0644u) << "0666 less the umask 022";
  std::ifstream in(kept);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "new");
}

// Cache files: a non-blocking read, and a locked read-merge-write.
#include "convbench/cache_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "convbench/atomic_file.hpp"
#include "convbench/error.hpp"

namespace convbench {

namespace {

constexpr const char* kNotRegular = "is not a regular file";

/// True when something other than a regular file (a pipe, a device, a directory, a socket) is at `path`.
bool holds_other_than_a_file(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode);
}

/// An exclusive advisory lock on `path` (created), tried for up to 2 s and then done without: while it is
/// held, no other convbench re-reads and replaces the cache beside it. Without it the cache still stays
/// whole (it is replaced by a rename), but an entry stored by another process at that moment could be lost.
class FileLock {
 public:
  explicit FileLock(const std::string& path) : fd_(open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666)) {
    for (int i = 0; fd_ >= 0 && i < 200 && flock(fd_, LOCK_EX | LOCK_NB) != 0; ++i) usleep(10'000);
  }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock() {
    if (fd_ >= 0) close(fd_);  // releases the lock
  }

 private:
  int fd_;
};

}  // namespace

std::string cache_dir() {
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/convbench";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/convbench";
  return "";
}

CacheFileText read_cache_file(const std::string& path) {
  CacheFileText r;
  const auto unusable = [&](std::string problem) {
    r.state = CacheFileText::State::unusable;
    r.problem = std::move(problem);
    return r;
  };
  // Non-blocking, so that opening a pipe with no writer returns at once; it is refused before any read.
  const int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT || err == ENOTDIR) return r;                    // no file (or no folder for it) yet
    if (holds_other_than_a_file(path)) return unusable(kNotRegular);  // a socket cannot even be opened
    return unusable(fmt::format("cannot be read ({})", std::strerror(err)));
  }
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return unusable(kNotRegular);
  }
  char buf[65536];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) {
      r.text.append(buf, static_cast<size_t>(n));
    } else if (n == 0) {
      break;
    } else if (errno != EINTR) {
      const int err = errno;
      close(fd);
      r.text.clear();
      return unusable(fmt::format("cannot be read ({})", std::strerror(err)));
    }
  }
  close(fd);
  r.state = CacheFileText::State::read;
  return r;
}

void update_cache_file(const std::string& path, const std::string& flag,
                       const std::function<std::string(const CacheFileText& now)>& merge) {
  // Checked before the lock file is made: nothing is created beside a pipe or a device.
  if (holds_other_than_a_file(path))
    throw UsageError(fmt::format("{}: '{}' {}; nothing is written to it", flag, path, kNotRegular));
  const auto dir = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!dir.empty()) std::filesystem::create_directories(dir, ec);  // a failure shows as AtomicFile's error
  const FileLock lock(path + ".lock");
  const CacheFileText now = read_cache_file(path);
  if (now.state == CacheFileText::State::unusable)  // what cannot be read is not replaced: it is not ours to drop
    throw UsageError(fmt::format("{}: '{}' {}; nothing is written to it", flag, path, now.problem));
  const std::string text = merge(now);
  AtomicFile f(path, flag);
  f.stream() << text;
  f.commit();
}

}  // namespace convbench

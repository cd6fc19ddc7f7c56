// Output files: temporary-then-rename for regular files, straight through for devices and pipes.
#include "convbench/atomic_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <vector>

#include "convbench/error.hpp"

namespace convbench {
namespace {

/// Where the symlink `p` leads (relative targets joined to its folder); `p` itself when it is not a link.
std::string follow_one_link(const std::string& p) {
  struct stat st {};
  if (lstat(p.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return p;
  std::vector<char> buf(PATH_MAX + 1);
  const ssize_t n = readlink(p.c_str(), buf.data(), PATH_MAX);
  if (n <= 0) return p;
  std::string target(buf.data(), static_cast<size_t>(n));
  if (target.front() != '/') {
    const auto slash = p.rfind('/');
    target = (slash == std::string::npos ? std::string() : p.substr(0, slash + 1)) + target;
  }
  return target;
}

/// `path` with every symlink followed, as far as the links lead (a dangling link gives its target path).
std::string follow_links(const std::string& path) {
  std::string p = path;
  for (int hops = 0; hops < 40; ++hops) {
    const std::string next = follow_one_link(p);
    if (next == p) return p;
    p = next;
  }
  return p;
}

/// The descriptor that `path` names, if it or any link on its way is /dev/stdout, /dev/stderr, /dev/fd/N or
/// /proc/self/fd/N (or /proc/PID/fd/N of this process).
std::optional<int> descriptor_named(const std::string& path) {
  std::string p = path;
  const std::string own = fmt::format("/proc/{}/fd/", getpid());
  for (int hops = 0; hops < 40; ++hops) {
    if (p == "/dev/stdout") return 1;
    if (p == "/dev/stderr") return 2;
    for (const std::string& dir : {std::string("/dev/fd/"), std::string("/proc/self/fd/"), own})
      if (p.size() > dir.size() && p.compare(0, dir.size(), dir) == 0 &&
          p.find_first_not_of("0123456789", dir.size()) == std::string::npos && p.size() - dir.size() < 9)
        return std::stoi(p.substr(dir.size()));
    const std::string next = follow_one_link(p);
    if (next == p) return std::nullopt;
    p = next;
  }
  return std::nullopt;
}

/// Where a regular output lands: an existing file with every link resolved (realpath), else the target of
/// its links, which need not exist yet.
std::string resolve(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
    std::vector<char> buf(PATH_MAX + 1);
    if (realpath(path.c_str(), buf.data())) return buf.data();
  }
  return follow_links(path);
}

std::string directory_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

/// What a named file is, for telling whether two names are one file: an existing regular file by its inode, a
/// path that does not exist yet by where it leads. Nothing for a device, a pipe or a directory (never
/// replaced), or for an input that does not exist (or stdin that is not a file).
struct FileIdentity {
  bool exists = false;
  dev_t dev = 0;
  ino_t ino = 0;
  std::string place;

  bool operator==(const FileIdentity& o) const {
    return exists == o.exists && (exists ? dev == o.dev && ino == o.ino : place == o.place);
  }
};

std::optional<FileIdentity> identity(const std::string& path, bool input) {
  struct stat st {};
  const int found = input && path == "-" ? fstat(STDIN_FILENO, &st) : stat(path.c_str(), &st);
  if (found == 0) {
    if (!S_ISREG(st.st_mode)) return std::nullopt;
    return FileIdentity{true, st.st_dev, st.st_ino, {}};
  }
  if (input) return std::nullopt;
  const std::string target = resolve(path);
  std::error_code ec;
  const std::filesystem::path place = std::filesystem::weakly_canonical(std::filesystem::absolute(target, ec), ec);
  return FileIdentity{false, 0, 0, ec ? target : place.string()};
}

std::string shown(const NamedFile& f) { return f.path == "-" ? "- (standard input)" : "'" + f.path + "'"; }

}  // namespace

void check_distinct_files(const std::vector<NamedFile>& inputs, const std::vector<NamedFile>& outputs) {
  std::vector<std::pair<const NamedFile*, FileIdentity>> ins, outs;
  for (const NamedFile& in : inputs)
    if (const std::optional<FileIdentity> i = identity(in.path, true)) ins.emplace_back(&in, *i);
  for (const NamedFile& out : outputs) {
    const std::optional<FileIdentity> o = identity(out.path, false);
    if (!o) continue;
    for (const auto& [in, id] : ins)
      if (id == *o)
        throw Error(ExitCode::usage,
                    fmt::format("{}: '{}' is the same file as {} {}; writing it would destroy that input", out.flag,
                                out.path, in->flag, shown(*in)));
    for (const auto& [other, id] : outs)
      if (id == *o)
        throw Error(ExitCode::usage,
                    fmt::format("{}: '{}' is the same file as {} '{}'; one output would replace the other", out.flag,
                                out.path, other->flag, other->path));
    outs.emplace_back(&out, *o);
  }
}

void check_writable_output(const std::string& path, const std::string& flag) {
  if (const std::optional<int> fd = descriptor_named(path)) {
    // Written through the descriptor: it has to be open for writing; its file's folder does not matter.
    const int flags = fcntl(*fd, F_GETFL);
    if (flags < 0 || (flags & O_ACCMODE) == O_RDONLY)
      throw Error(ExitCode::usage,
                  fmt::format("{}: cannot write '{}': {}", flag, path, std::strerror(flags < 0 ? errno : EBADF)));
    return;
  }
  struct stat st {};
  if (stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode))
      throw Error(ExitCode::usage, fmt::format("{}: '{}' is a directory; give a file path", flag, path));
    if (access(path.c_str(), W_OK) != 0)
      throw Error(ExitCode::usage, fmt::format("{}: cannot write '{}': {}", flag, path, std::strerror(errno)));
    if (!S_ISREG(st.st_mode)) return;  // a device or a pipe: written through
  }
  const std::string dir = directory_of(resolve(path));
  int e = 0;
  if (stat(dir.c_str(), &st) != 0)
    e = errno;
  else if (!S_ISDIR(st.st_mode))
    e = ENOTDIR;
  else if (access(dir.c_str(), W_OK) != 0)
    e = errno;
  if (e) throw Error(ExitCode::usage, fmt::format("{}: cannot write '{}': {}", flag, path, std::strerror(e)));
}

AtomicFile::AtomicFile(const std::string& path, const std::string& flag) : path_(path), flag_(flag) {
  check_writable_output(path, flag);
  if (const std::optional<int> fd = descriptor_named(path)) {
    // One of this process's descriptors: write through it, at its offset and with its flags (a shell's >>
    // appends); reopening the file it leads to would start at 0 or replace it.
    through_ = true;
    if (!through_buf_.adopt(*fd))
      throw Error(ExitCode::usage,
                  fmt::format("{}: cannot write '{}': {}", flag, path, std::strerror(through_buf_.error())));
    return;
  }
  struct stat st {};
  if (stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    // A device, FIFO, terminal or /dev/stdout: write through, never replace it.
    through_ = true;
    if (!through_buf_.open(path_))
      throw Error(ExitCode::usage,
                  fmt::format("{}: cannot write '{}': {}", flag, path, std::strerror(through_buf_.error())));
    return;
  }
  path_ = resolve(path);
  std::vector<char> name(path_.begin(), path_.end());
  const std::string suffix = ".tmp-XXXXXX";
  name.insert(name.end(), suffix.begin(), suffix.end());
  name.push_back('\0');
  const int fd = mkstemp(name.data());
  if (fd < 0) throw Error(ExitCode::usage, fmt::format("{}: cannot write '{}': {}", flag, path, std::strerror(errno)));
  // mkstemp creates the file 0600; give it the mode a plain open() would (0666 less the umask), or keep the
  // mode of the file it replaces.
  const mode_t mask = umask(0);
  umask(mask);
  fchmod(fd, stat(path_.c_str(), &st) == 0 ? (st.st_mode & 07777) : (0666 & ~mask));
  close(fd);
  tmp_ = name.data();
  out_.open(tmp_, std::ios::binary | std::ios::trunc);
  if (!out_) {
    std::remove(tmp_.c_str());
    throw Error(ExitCode::usage, fmt::format("{}: cannot write '{}'", flag, path));
  }
}

AtomicFile::~AtomicFile() {
  if (!committed_) {
    out_.close();
    if (!tmp_.empty()) std::remove(tmp_.c_str());
  }
}

AtomicFile::FdBuf::~FdBuf() {
  if (fd_ >= 0) close(fd_);
}

bool AtomicFile::FdBuf::open(const std::string& path) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd_ < 0) error_ = errno;
  return fd_ >= 0;
}

bool AtomicFile::FdBuf::adopt(int fd) {
  fd_ = fcntl(fd, F_DUPFD_CLOEXEC, 3);
  if (fd_ < 0) error_ = errno;
  return fd_ >= 0;
}

bool AtomicFile::FdBuf::write_all(const char* s, size_t n) {
  while (n > 0 && error_ == 0) {
    const ssize_t w = ::write(fd_, s, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      error_ = w < 0 ? errno : EIO;
      break;
    }
    s += w;
    n -= static_cast<size_t>(w);
  }
  return error_ == 0;
}

AtomicFile::FdBuf::int_type AtomicFile::FdBuf::overflow(int_type c) {
  if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
  const char ch = traits_type::to_char_type(c);
  return write_all(&ch, 1) ? c : traits_type::eof();
}

std::streamsize AtomicFile::FdBuf::xsputn(const char* s, std::streamsize n) {
  return write_all(s, static_cast<size_t>(n)) ? n : 0;
}

int AtomicFile::FdBuf::sync() { return error_ == 0 ? 0 : -1; }

void AtomicFile::commit() {
  committed_ = true;
  if (through_) {  // written through: every write already went out; report the first failure
    through_stream_.flush();
    if (through_buf_.error())
      throw Error(ExitCode::usage,
                  fmt::format("{}: cannot write '{}': {}", flag_, path_, std::strerror(through_buf_.error())));
    return;
  }
  out_.flush();
  const bool ok = static_cast<bool>(out_);
  out_.close();
  if (!ok || std::rename(tmp_.c_str(), path_.c_str()) != 0) {
    const int e = errno;
    std::remove(tmp_.c_str());
    throw Error(ExitCode::usage, fmt::format("{}: cannot write '{}': {}", flag_, path_, std::strerror(e)));
  }
}

}  // namespace convbench

// Write-to-temporary-then-rename output files.
#include "core/atomic_file.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "convbench/error.hpp"

namespace convbench {

AtomicFile::AtomicFile(const std::string& path, const std::string& flag) : path_(path), flag_(flag) {
  std::vector<char> name(path.begin(), path.end());
  const std::string suffix = ".tmp-XXXXXX";
  name.insert(name.end(), suffix.begin(), suffix.end());
  name.push_back('\0');
  const int fd = mkstemp(name.data());
  if (fd < 0) throw Error(ExitCode::usage, fmt::format("{}: cannot write '{}': {}", flag, path, std::strerror(errno)));
  // mkstemp creates the file 0600; give it the mode a plain open() would (0666 less the umask).
  const mode_t mask = umask(0);
  umask(mask);
  fchmod(fd, 0666 & ~mask);
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
    std::remove(tmp_.c_str());
  }
}

void AtomicFile::commit() {
  out_.flush();
  const bool ok = static_cast<bool>(out_);
  out_.close();
  if (!ok || std::rename(tmp_.c_str(), path_.c_str()) != 0) {
    std::remove(tmp_.c_str());
    committed_ = true;
    throw Error(ExitCode::usage, fmt::format("{}: cannot write '{}': {}", flag_, path_, std::strerror(errno)));
  }
  committed_ = true;
}

}  // namespace convbench

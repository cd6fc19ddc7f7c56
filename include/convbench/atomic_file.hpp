// Output files that never destroy anything. A regular file (or a path that does not exist yet) appears
// whole or not at all: written to a temporary file beside it, then renamed over it. A symlink is followed:
// its target is replaced the same way and the link stays. Anything else that can be written (a character
// device such as /dev/null, a FIFO, /dev/stdout, a process substitution) is written straight through and
// never replaced; so is a name of one of this process's descriptors (/dev/stdout, /dev/fd/N,
// /proc/self/fd/N) whatever it leads to, through that descriptor, so that `--output /dev/stdout >> all.jsonl`
// appends as the shell set it up. A directory is refused.
#pragma once

#include <fstream>
#include <streambuf>
#include <string>
#include <vector>

namespace convbench {

class AtomicFile {
 public:
  /// Opens the output. Throws Error(usage) naming `flag` when the path is a directory or cannot be written.
  AtomicFile(const std::string& path, const std::string& flag);
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  /// Removes the temporary file unless commit() ran: a failed run leaves no partial output.
  ~AtomicFile();
  std::ostream& stream() { return through_ ? static_cast<std::ostream&>(through_stream_) : out_; }
  /// Flushes, closes and renames the temporary file to the target (or flushes a pass-through output).
  /// Throws Error(usage) on failure.
  void commit();
  /// The temporary file, for removal where no destructor runs (a second Ctrl-C); empty when writing through.
  const std::string& temp_path() const { return tmp_; }

 private:
  /// Writes straight to a file descriptor and keeps the errno of the first failed write.
  class FdBuf : public std::streambuf {
   public:
    ~FdBuf() override;
    bool open(const std::string& path);
    /// Writes through a duplicate of the open descriptor `fd` (its file offset and O_APPEND shared).
    bool adopt(int fd);
    int error() const { return error_; }

   protected:
    int_type overflow(int_type c) override;
    std::streamsize xsputn(const char* s, std::streamsize n) override;
    int sync() override;

   private:
    bool write_all(const char* s, size_t n);
    int fd_ = -1, error_ = 0;
  };

  std::string path_, tmp_, flag_;
  std::ofstream out_;
  bool through_ = false;
  FdBuf through_buf_;
  std::ostream through_stream_{&through_buf_};
  bool committed_ = false;
};

/// Refuses, before any work, an output path that cannot be written: a directory, or a file in a directory
/// that does not exist or cannot be written. Throws Error(usage) naming `flag`.
void check_writable_output(const std::string& path, const std::string& flag);

/// A file named on the command line, with the flag (or positional) that names it. "-" as an input is stdin.
struct NamedFile {
  std::string flag, path;
};

/// Refuses, before any work, an output that is the same file as an input or as another output: replacing it
/// would destroy what was read, or what the other output wrote. Throws Error(usage) naming both. A file is
/// the same when it is the same inode (hard and symbolic links included, and stdin redirected from it); a
/// path that does not exist yet is the same as another output's path when both lead to one place. Devices
/// and pipes are written through, never replaced, and inputs that do not exist are left to their own error.
void check_distinct_files(const std::vector<NamedFile>& inputs, const std::vector<NamedFile>& outputs);

}  // namespace convbench

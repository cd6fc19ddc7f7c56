// Output files that appear whole or not at all: written to a temporary file beside the target, then
// renamed over it.
#pragma once

#include <fstream>
#include <string>

namespace convbench {

class AtomicFile {
 public:
  /// Creates a temporary file in the target's directory. Throws Error(usage) naming `flag` when the
  /// directory cannot be written.
  AtomicFile(const std::string& path, const std::string& flag);
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  /// Removes the temporary file unless commit() ran: a failed run leaves no partial output.
  ~AtomicFile();
  std::ostream& stream() { return out_; }
  /// Flushes, closes and renames the temporary file to the target. Throws Error(usage) on failure.
  void commit();

 private:
  std::string path_, tmp_, flag_;
  std::ofstream out_;
  bool committed_ = false;
};

}  // namespace convbench

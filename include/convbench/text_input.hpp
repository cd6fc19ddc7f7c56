// Reading the text files a user names (a problem list, a file of records) with limits, so that a path to an
// endless or binary source (/dev/zero, /dev/urandom, an image given by mistake) ends in one clear error
// instead of reading without end into memory.
#pragma once

#include <cstddef>
#include <istream>
#include <string>

namespace convbench {

/// Longest line of a problem list: flags and a comment fit in far less.
constexpr size_t kMaxProblemLineBytes = size_t{1} << 20;
/// Largest file of records read at once: about 380,000 records of a default run, far more than a fleet of
/// 1000 nodes running the 94-problem training suite writes (about 260 MB).
constexpr size_t kMaxRecordFileBytes = size_t{1} << 30;

/// Reads a problem list's lines one at a time. `next` throws Error(usage) naming `name`, the line number and
/// what went wrong for a line that holds a control byte (below 0x20, other than tab and carriage return) or is
/// longer than kMaxProblemLineBytes, having read at most that much of it.
class LineReader {
 public:
  LineReader(std::istream& in, std::string name) : in_(in), name_(std::move(name)) {}
  /// The next line, without its line feed, in `line`; false at the end of the input.
  bool next(std::string& line);
  /// The number of the line `next` returned last (1 for the first).
  int number() const { return number_; }

 private:
  std::istream& in_;
  std::string name_;
  int number_ = 0;
};

/// The whole of `in`, read in blocks. Throws Error(usage) "<what>: '<name>' is not text (...)" at the first
/// block that holds a control byte (JSON allows none but tab, line feed and carriage return), and "<what>:
/// '<name>' is larger than 1 GiB ..." before it would hold more than kMaxRecordFileBytes.
std::string read_record_text(std::istream& in, const std::string& name, const std::string& what);

}  // namespace convbench

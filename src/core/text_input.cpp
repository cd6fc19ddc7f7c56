#include "convbench/text_input.hpp"

#include <fmt/format.h>

#include <string_view>

#include "convbench/error.hpp"

namespace convbench {
namespace {

/// A byte that neither JSON nor a problem line holds: below 0x20, other than tab, line feed and carriage return.
bool is_control(unsigned char c) { return c < 0x20 && c != '\t' && c != '\n' && c != '\r'; }

/// Why `text` is not text, or empty when it is: its first control byte, e.g. "byte 0x00 at byte 1", counting
/// from the `offset` bytes read before it.
std::string control_byte_in(std::string_view text, size_t offset) {
  for (size_t i = 0; i < text.size(); ++i)
    if (is_control(static_cast<unsigned char>(text[i])))
      return fmt::format("byte 0x{:02x} at byte {}", static_cast<unsigned char>(text[i]), offset + i + 1);
  return "";
}

}  // namespace

bool LineReader::next(std::string& line) {
  line.clear();
  std::streambuf* buf = in_.rdbuf();
  for (;;) {
    const int c = buf->sbumpc();
    if (c == std::char_traits<char>::eof()) {
      in_.setstate(std::ios::eofbit);
      if (line.empty()) return false;
      break;
    }
    if (c == '\n') break;
    line.push_back(static_cast<char>(c));
    if (is_control(static_cast<unsigned char>(c)))
      throw Error(
          ExitCode::usage,
          fmt::format("{}:{}: not text (byte 0x{:02x} at column {}); a problem list is text, a problem per line", name_,
                      number_ + 1, c, line.size()));
    if (line.size() > kMaxProblemLineBytes)
      throw Error(ExitCode::usage,
                  fmt::format("{}:{}: the line is longer than {} bytes; a problem list holds a problem per line", name_,
                              number_ + 1, kMaxProblemLineBytes));
  }
  ++number_;
  return true;
}

std::string read_record_text(std::istream& in, const std::string& name, const std::string& what) {
  std::string text;
  char block[size_t{1} << 16];
  for (;;) {
    in.read(block, sizeof block);
    const std::string_view got(block, static_cast<size_t>(in.gcount()));
    if (got.empty()) break;
    if (const std::string why = control_byte_in(got, text.size()); !why.empty())
      throw Error(ExitCode::usage,
                  fmt::format("{}: '{}' is not text ({}); records are JSON, as --format json or jsonl writes them",
                              what, name, why));
    if (text.size() + got.size() > kMaxRecordFileBytes)
      throw Error(ExitCode::usage, fmt::format("{}: '{}' is larger than {} GiB, more than convbench reads from one "
                                               "file; give its records in several files",
                                               what, name, kMaxRecordFileBytes >> 30));
    text += got;
  }
  return text;
}

}  // namespace convbench

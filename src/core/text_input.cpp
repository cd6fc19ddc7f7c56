#include "convbench/text_input.hpp"

#include <fmt/format.h>

#include "convbench/error.hpp"

namespace convbench {

std::string control_byte_in(const std::string& text, size_t offset) {
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
      return fmt::format("byte 0x{:02x} at byte {}", c, offset + i + 1);
  }
  return "";
}

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
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 && byte != '\t' && byte != '\r')
      throw Error(
          ExitCode::usage,
          fmt::format("{}:{}: not text (byte 0x{:02x} at column {}); a problem list is text, a problem per line", name_,
                      number_ + 1, byte, line.size()));
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
  std::string block(size_t{1} << 16, '\0');
  for (;;) {
    in.read(block.data(), static_cast<std::streamsize>(block.size()));
    const auto got = static_cast<size_t>(in.gcount());
    if (got == 0) break;
    block.resize(got);
    if (const std::string why = control_byte_in(block, text.size()); !why.empty())
      throw Error(ExitCode::usage,
                  fmt::format("{}: '{}' is not text ({}); records are JSON, as --format json or jsonl writes them",
                              what, name, why));
    if (text.size() + got > kMaxRecordFileBytes)
      throw Error(ExitCode::usage,
                  fmt::format("{}: '{}' is larger than 1 GiB, more than convbench reads from one file; "
                              "give its records in several files",
                              what, name));
    text += block;
    block.resize(size_t{1} << 16);
  }
  return text;
}

}  // namespace convbench

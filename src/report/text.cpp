// Wrapping, terminal width, typo suggestions, counts in words, and times and FLOP with their digits.
#include "convbench/text.hpp"

#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

namespace convbench {

size_t output_columns(int fd) {
  winsize ws{};
  if (isatty(fd) == 1 && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
    return std::max<size_t>(ws.ws_col, 40);
  return kDefaultColumns;
}

namespace {

/// One paragraph (no newlines) wrapped; the first line has `first` columns, later ones `rest`.
void wrap_paragraph(const std::string& para, size_t width, const std::string& indent, bool first_line,
                    std::string& out) {
  size_t col = first_line ? 0 : indent.size();
  if (!first_line) out += indent;
  bool line_empty = true;
  size_t i = 0;
  while (i < para.size()) {
    const size_t start = para.find_first_not_of(' ', i);
    if (start == std::string::npos) break;
    size_t end = std::min(para.find(' ', start), para.size());
    // A word wider than a whole line is cut at the line's width.
    const size_t room = width > indent.size() ? width - indent.size() : 1;
    if (end - start > room) end = start + (line_empty ? std::max<size_t>(width - col, 1) : room);
    const size_t len = end - start;
    if (!line_empty && col + 1 + len > width) {
      out += '\n' + indent;
      col = indent.size();
      line_empty = true;
    }
    if (!line_empty) out += ' ', ++col;
    out.append(para, start, len);
    col += len;
    line_empty = false;
    i = end;
    if (i < para.size() && para[i] != ' ') {  // the rest of a cut word starts the next line
      out += '\n' + indent;
      col = indent.size();
      line_empty = true;
    }
  }
}

}  // namespace

std::string wrap(const std::string& text, size_t width, const std::string& indent) {
  std::string out;
  size_t start = 0;
  bool first = true;
  while (true) {
    const size_t nl = text.find('\n', start);
    const std::string para = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    if (!first) out += '\n';
    wrap_paragraph(para, width, indent, first, out);
    first = false;
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return out;
}

std::string closest(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = std::min<size_t>(3, std::max<size_t>(1, word.size() / 3)) + 1;
  for (const std::string& c : candidates) {
    // Levenshtein distance, one row at a time.
    std::vector<size_t> row(c.size() + 1);
    for (size_t j = 0; j <= c.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= word.size(); ++i) {
      size_t diagonal = row[0];
      row[0] = i;
      for (size_t j = 1; j <= c.size(); ++j) {
        const size_t up = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (word[i - 1] == c[j - 1] ? 0 : 1)});
        diagonal = up;
      }
    }
    if (row[c.size()] < best_distance) best_distance = row[c.size()], best = c;
  }
  return best;
}

std::string wrap_command(const std::string& text, size_t width, const std::string& indent) {
  // A space that does not start a flag is held as a unit separator while wrapping, so wrap() sees each flag
  // and its value as one word; it is a space again afterwards.
  constexpr char kHeld = '\x1f';
  std::string held = text;
  for (size_t i = 0; i + 1 < held.size(); ++i)
    if (held[i] == ' ' && held[i + 1] != '-' && held[i + 1] != ' ') held[i] = kHeld;
  std::string out = wrap(held, width, indent);
  std::replace(out.begin(), out.end(), kHeld, ' ');
  return out;
}

std::string counted(size_t n, const std::string& noun) {
  const size_t space = std::min(noun.find(' '), noun.size());
  return std::to_string(n) + " " + noun.substr(0, space) + (n == 1 ? "" : "s") + noun.substr(space);
}

std::string counted(size_t n, const std::string& singular, const std::string& plural) {
  return std::to_string(n) + " " + (n == 1 ? singular : plural);
}

namespace {

/// `v` with 3 decimals, or more (up to `most`) to keep 3 significant digits below 0.1.
std::string three_digits(double v, int most) {
  int decimals = 3;
  for (double above = 0.1; decimals < most && v > 0 && v < above; above /= 10) ++decimals;
  return fmt::format("{:.{}f}", v, decimals);
}

}  // namespace

std::string ms_text(double ms) { return three_digits(ms, 6); }

std::string rate_text(double tflops) { return three_digits(tflops, 9) + " TFLOP/s"; }

std::string flop_text(double flop) {
  if (flop >= 1e8) return fmt::format("{:.3f} GFLOP", flop * 1e-9);
  if (flop >= 1e5) return fmt::format("{:.3f} MFLOP", flop * 1e-6);
  return fmt::format("{:.0f} FLOP", flop);
}

std::string lower_case(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string upper_case(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace convbench

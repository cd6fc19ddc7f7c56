// Plain-text layout shared by the table report and --help: wrapping to a width, the width to use, the
// closest of a list of words (for "did you mean ...?"), and ASCII case.
#pragma once

#include <string>
#include <vector>

namespace convbench {

/// Widest line the human output uses when it does not go to a terminal.
constexpr size_t kDefaultColumns = 100;

/// The width of the terminal on file descriptor `fd`, or kDefaultColumns when it is not a terminal (or
/// reports no width); never less than 40.
size_t output_columns(int fd);

/// Breaks `text` at spaces so that no line is wider than `width` (a word longer than that gets a line of its
/// own). Lines after the first start with `indent`; `text`'s own newlines are kept. No trailing newline.
std::string wrap(const std::string& text, size_t width, const std::string& indent = "");

/// wrap() for a command line: a flag keeps its value on its line, so lines break only before a word that
/// starts with '-' (unless one flag and its value are wider than a whole line).
std::string wrap_command(const std::string& text, size_t width, const std::string& indent = "");

/// The candidate nearest to `word` by edit distance, if it is near enough to be a likely typo (at most a
/// third of its length, and at most 3, edits away); empty otherwise.
std::string closest(const std::string& word, const std::vector<std::string>& candidates);

/// `n` and `noun`, plural unless n is 1: "1 problem", "3 problems", "2 problems on a GPU" (the first word of
/// `noun` takes the s).
std::string counted(size_t n, const std::string& noun);
/// `n` and `singular` when n is 1, else `n` and `plural`: "1 entry", "3 entries".
std::string counted(size_t n, const std::string& singular, const std::string& plural);

/// A time in ms with 3 decimals, or more (up to 6) to keep 3 significant digits: "1.373", "0.415",
/// "0.0135", "0.00420". No unit.
std::string ms_text(double ms);

/// A count of floating-point operations with a unit that keeps its digits: "0.166 GFLOP" from 0.1 GFLOP
/// up, "48.672 MFLOP" from 0.1 MFLOP, "4868 FLOP" below.
std::string flop_text(double flop);

/// A rate in TFLOP/s, always in that unit so that a CPU line and a GPU line read alike, with 3 decimals or
/// more (up to 9) to keep 3 significant digits: "0.156 TFLOP/s", "0.0750 TFLOP/s", "0.00000778 TFLOP/s".
std::string rate_text(double tflops);

/// `text` with its ASCII letters in lower (upper) case; other bytes unchanged, whatever the locale.
std::string lower_case(std::string text);
std::string upper_case(std::string text);

}  // namespace convbench

// The progress line of a run on a terminal's stderr.
#pragma once

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <ostream>
#include <string>

#include "convbench/backend.hpp"
#include "convbench/text.hpp"

namespace convbench {

/// Progress on a terminal's stderr, one line that is redrawn and never wider than the terminal: for
/// several problems a bar, the count, an ETA and the label; within a problem, the device's timed runs.
class Progress {
  using Clock = std::chrono::steady_clock;

 public:
  Progress(std::ostream& err, size_t total, bool enabled)
      : err_(err), total_(total), enabled_(enabled), columns_(output_columns(STDERR_FILENO)) {}
  void problem(size_t done, const std::string& label) {
    done_ = done;
    label_ = label;
    runs_.clear();
    draw();
  }
  void runs(DeviceKind kind, int done, int total) {
    runs_ = fmt::format("{}: run {} of {}", to_string(kind), done + 1, total);
    draw();
  }
  void clear() {
    if (enabled_) err_ << "\r\033[K" << std::flush;
  }

 private:
  void draw() {
    if (!enabled_) return;
    std::string text;
    if (total_ > 1) {
      const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
      const double eta = done_ ? elapsed / static_cast<double>(done_) * static_cast<double>(total_ - done_) : 0;
      const size_t filled = done_ * 20 / total_;
      text = fmt::format("[{}{}] {}/{} ETA {} {}", std::string(filled, '#'), std::string(20 - filled, '.'), done_,
                         total_, done_ ? fmt::format("{}m{:02}s", int(eta) / 60, int(eta) % 60) : "--", label_);
      if (!runs_.empty()) text += ", ";
    }
    text += runs_;
    // One column short of the width: a line that reaches the last column wraps on some terminals, and a
    // wrapped line is not erased by the next redraw.
    if (text.size() > columns_ - 1) text.resize(columns_ - 1);
    err_ << "\r\033[K" << text << std::flush;
  }

  std::ostream& err_;
  size_t total_;
  bool enabled_;
  size_t columns_;
  size_t done_ = 0;
  std::string label_, runs_;
  Clock::time_point start_ = Clock::now();
};

}  // namespace convbench

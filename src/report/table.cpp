// The human report. One problem: its header before it runs, what each device ran and how it verified,
// then a headline block (medians, sums, the speedup or why there is none). Several problems: a row each,
// and a summary. --verbose prints the details a person rarely needs (ISA, affinity, FTZ/DAZ, spread, setup
// times, roofline) and keeps a block per problem. No line is wider than TableStyle::columns.
#include <fmt/format.h>
#include <fmt/ostream.h>

#include <algorithm>
#include <map>
#include <set>

#include "convbench/pairing.hpp"
#include "convbench/report.hpp"
#include "convbench/text.hpp"

namespace convbench {
namespace {

std::string check_text(const char* against, const Check& c) {
  std::string t = fmt::format("{} vs {}: error {:.1e} ({} {}, tolerance {:.0e})", c.ok() ? "ok" : "FAILED", against,
                              c.error, c.points, c.sampled ? "sampled points" : "points", c.tolerance);
  if (c.nonfinite_inputs > 0)
    t += fmt::format("; {} non-finite inputs, {} non-finite expected outputs matched exactly", c.nonfinite_inputs,
                     c.nonfinite_expected);
  if (c.overflowed > 0)
    t += fmt::format("; {} beyond the output type's range, infinite as rounding makes them",
                     counted(static_cast<size_t>(c.overflowed), "output"));
  if (c.mismatch_index >= 0) t += fmt::format("; a non-finite value disagrees at output index {}", c.mismatch_index);
  return t;
}

/// A reason's first clause: "no NVIDIA driver: libcuda.so.1 cannot be loaded; install ..." stops at ';'.
std::string first_clause(const std::string& reason) { return reason.substr(0, reason.find(';')); }

/// Why there is no speedup when the run asked for one device only: "only the CPU was asked for".
std::string only_asked_for(DeviceKind kind) {
  return fmt::format("only the {} was asked for", upper_case(to_string(kind)));
}

/// `text` cut to `width` columns, with '~' marking the cut.
std::string fit(const std::string& text, size_t width) {
  return text.size() <= width ? text : text.substr(0, width - 1) + "~";
}

/// A label cut in the middle, since suite labels share their start and differ at the end.
std::string fit_label(const std::string& text, size_t width) {
  if (text.size() <= width) return text;
  const size_t head = (width - 1) / 3;
  return text.substr(0, head) + "~" + text.substr(text.size() - (width - 1 - head));
}

class TablePrinter final : public Printer {
 public:
  TablePrinter(std::ostream& out, const TableStyle& style)
      : out_(out), style_(style), width_(std::max<size_t>(style.columns, 40)) {}

 protected:
  void do_start(const ProblemStart& p) override {
    start_ = p;
    if (rows()) {
      if (p.index == 0) print_row_header();
      return;
    }
    if (!p.label.empty()) {
      if (p.index) fmt::print(out_, "\n");
      line("", "== " + p.label + " ==");
    }
    line("problem: ", p.problem.describe() + " --seed " + std::to_string(p.seed), "", wrap_command);
    // The output shape in the record's order, [N, K, OH, OW], whatever the layout.
    line("         ",
         fmt::format("output {}x{}x{}x{} (N, K, OH, OW), {} per run; {}{} warm-up{}, then {} "
                     "timed run{}",
                     p.problem.n, p.problem.k, p.problem.out_h(), p.problem.out_w(), flop_text(p.problem.flops()),
                     p.rounds > 1 ? fmt::format("{} rounds of ", p.rounds) : "", p.warmup, p.warmup == 1 ? "" : "s",
                     p.runs, p.runs == 1 ? "" : "s"));
    out_.flush();  // the header shows while a long problem runs
  }

  void do_record(const RunResult& r) override {
    for (const DeviceResult& d : r.devices) asked_.insert(d.kind);
    if (rows()) return print_row(r);
    for (const DeviceResult& d : r.devices) print_device(d);
    if (r.cross_check) line("gpu: ", "verify " + paint(check_text("cpu", *r.cross_check), r.cross_check->ok()));
    if (r.gpu_index >= 0)
      line("gpu: ", r.gpu_deviation ? fmt::format("GPU {}: {:+.1f}% from the node's median GPU{}", r.gpu_index,
                                                  *r.gpu_deviation * 100, r.straggler ? ": STRAGGLER" : "")
                                    : fmt::format("GPU {}", r.gpu_index));
    fmt::print(out_, "\n");
    for (const DeviceResult& d : r.devices) print_timing(d);
    print_speedup(r);
  }

  void do_end(const SuiteSummary& s) override {
    if (s.total <= 1 && !s.interrupted && !rows()) return;
    for (const auto* reasons : {&other_mode_, &not_run_})
      for (const auto& [reason, count] : *reasons)
        line("", fmt::format("{}, on {} problem{}", reason, count, count == 1 ? "" : "s"), "    ");
    // The legend names only the marks that appeared.
    std::string legend;
    for (const auto& [mark, meaning] : {std::pair<const char*, const char*>{"*",
                                                                            "ran another mode than the dtype asked "
                                                                            "(which, and why: above)"},
                                        {"!", "warnings (printed on stderr)"},
                                        {"ERR", "a device failed (the reason is above)"},
                                        {"FAIL", "verification failed"},
                                        {"SLOW",
                                         "a GPU slower than the node's median GPU by more than the "
                                         "straggler threshold plus its noise"}})
      if (marks_.count(mark)) legend += fmt::format("{}{} = {}", legend.empty() ? "" : "; ", mark, meaning);
    if (!legend.empty()) line("", legend);
    fmt::print(out_, "\n");
    line("summary: ",
         fmt::format("{} of {} ran{}{}{}", s.completed, counted(s.total, "problem"),
                     s.interrupted ? " (interrupted)" : "",
                     s.device_failures ? fmt::format(", {} with a device that failed", s.device_failures) : "",
                     s.verify_failures ? fmt::format(", {} failed verification", s.verify_failures) : ""));
    std::string totals;
    if (s.cpu_ran) totals = fmt::format("cpu {} ms over {}", ms_text(s.cpu_total_ms), counted(s.cpu_ran, "problem"));
    if (s.gpu_ran)
      totals += fmt::format("{}gpu {} ms over {}", totals.empty() ? "" : ", ", ms_text(s.gpu_total_ms),
                            counted(s.gpu_ran, start_.gpus > 1 ? "problem on a GPU" : "problem"));
    if (!totals.empty()) line("totals: ", "medians add up to " + totals);
    if (!s.geomean_speedup) {
      line("", "no speedup: " + (asked_.size() == 1 ? only_asked_for(*asked_.begin())
                                                    : "the GPU and CPU did not both run and verify on any problem"));
      return;
    }
    line("", fmt::format("geometric-mean GPU speedup over CPU: {:.1f}x over {}", *s.geomean_speedup,
                         counted(s.speedups.size(), start_.gpus > 1 ? "problem on a GPU" : "problem")));
    line("best:  ", fmt::format("{:.1f}x  {}", s.best->speedup, s.best->label));
    line("worst: ", fmt::format("{:.1f}x  {}", s.worst->speedup, s.worst->label));
    if (style_.verbose) print_bars(s);
  }

 private:
  bool rows() const { return (start_.total > 1 || start_.gpus > 1) && !style_.verbose; }

  /// `head` then `text`, wrapped to the width by `wrapper`; continuation lines are indented under the text (or
  /// by `indent`).
  void line(const std::string& head, const std::string& text, const std::string& indent = "",
            std::string (*wrapper)(const std::string&, size_t, const std::string&) = wrap) {
    const std::string pad = indent.empty() ? std::string(head.size(), ' ') : indent;
    fmt::print(out_, "{}{}\n", head, wrapper(text, width_ - head.size(), pad));
  }

  void print_device(const DeviceResult& d) {
    const std::string head = std::string(to_string(d.kind)) + ": ";
    if (!d.measurement) return line(head, not_run_text(d));
    const Measurement& m = *d.measurement;
    std::string what =
        fmt::format("{}, {} {}", m.device.display_name(), m.device.library_text(), m.prepare.implementation);
    if (m.prepare.threads > 0) what += ", " + counted(static_cast<size_t>(m.prepare.threads), "thread");
    line(head, what + ", " + mode_name(d.kind, d.dtype));
    std::string details;
    for (const auto& [key, value] : m.prepare.details)
      if (style_.verbose || key == "mode") details += fmt::format("{}{} {}", details.empty() ? "" : ", ", key, value);
    if (!details.empty()) line(head, details);
    if (style_.verbose)
      line(head, fmt::format("runs: min {}, mean {} ± {} ms, cv {:.1f}%; setup {:.1f} ms, reorder {:.1f} "
                             "ms; cache {}",
                             ms_text(m.stats.min), ms_text(m.stats.mean), ms_text(m.stats.stddev), m.stats.cv * 100,
                             m.prepare.setup_ms, m.prepare.reorder_ms, to_string(m.cache)));
    if (m.interrupted)
      line(head, fmt::format("interrupted after {} of {} timed runs; the figures below are theirs", m.samples_ms.size(),
                             start_.runs));
    if (d.reference_check)
      line(head, "verify " + paint(check_text("f64 reference", *d.reference_check), d.reference_check->ok()));
    if (const auto& rl = d.roofline; rl && style_.verbose)
      line(head, fmt::format("roofline {:.1f}% of the {} compute ceiling ({:.2f} TFLOP/s), {:.1f}% of copy "
                             "bandwidth ({:.0f} GB/s); {:.1f} FLOP/byte against a ridge of {:.1f}: {}-bound "
                             "(ceilings of {})",
                             rl->compute_fraction * 100, to_string(d.dtype), rl->peak_tflops, rl->memory_fraction * 100,
                             rl->peak_gbps, rl->intensity, rl->ridge, rl->bound,
                             rl->measured.empty() ? "unknown date" : rl->measured));
  }

  /// The headline line of a device: median, sum, throughput (and the share of its ceiling, when known).
  void print_timing(const DeviceResult& d) {
    const std::string head = std::string(to_string(d.kind)) + ": ";
    if (!d.measurement) return line(head, d.failed() ? "failed" : "not run");
    const Measurement& m = *d.measurement;
    std::string t = fmt::format("median {} ms, sum of {} {} ms, {}", ms_text(m.stats.median),
                                counted(m.samples_ms.size(), "run"), ms_text(m.stats.sum), rate_text(m.tflops));
    if (d.roofline) t += fmt::format(" ({:.0f}% of its ceiling)", d.roofline->compute_fraction * 100);
    line(head, t);
  }

  void print_speedup(const RunResult& r) {
    if (r.speedup) {
      std::string pairing;
      for (DeviceKind kind : {DeviceKind::gpu, DeviceKind::cpu})
        if (const DeviceResult* d = r.device(kind))
          pairing += fmt::format("{}{} {}", pairing.empty() ? "" : " vs ", upper_case(to_string(kind)),
                                 mode_name(kind, d->dtype));
      line("", fmt::format("GPU speedup over CPU: {}{:.1f} ± {:.1f}x{} ({}, {} of runs)", style_.color ? "\033[1m" : "",
                           *r.speedup, r.speedup_uncertainty.value_or(0.0), style_.color ? "\033[0m" : "", pairing,
                           r.speedup_basis()));
      return;
    }
    line("no speedup: ", why_no_speedup(r));
  }

  std::string why_no_speedup(const RunResult& r) const {
    if (r.cross_check && !r.cross_check->ok()) return "the GPU and CPU outputs disagree";
    for (const DeviceResult& d : r.devices)
      if (d.reference_check && !d.reference_check->ok())
        return fmt::format("the {} output failed verification against the float64 reference", to_string(d.kind));
    for (const DeviceResult& d : r.devices) {
      if (!d.measurement) return fmt::format("{} {}", to_string(d.kind), first_clause(not_run_text(d)));
      if (d.measurement->interrupted) return "interrupted";
    }
    if (r.devices.size() == 1) return only_asked_for(r.devices[0].kind);
    return "the GPU and CPU did not both run";
  }

  // --- several problems: one row each (two lines when the width cannot hold label, shape and numbers) ---------
  static constexpr size_t kNumbers = 10 + 2 + 10 + 2 + 8 + 2 + 4;  // cpu ms, gpu ms, speedup, mark
  static constexpr size_t kMinNames = 2 * 16 + 4;                  // label and shape at their narrowest

  bool two_lines() const { return width_ < kNumbers + kMinNames; }
  size_t label_width() const { return std::clamp<size_t>((width_ - kNumbers - 4) * 45 / 100, 16, 30); }
  size_t shape_width() const { return width_ - kNumbers - 4 - label_width(); }
  std::string numbers(const std::string& cpu, const std::string& gpu, const std::string& speedup) const {
    return fmt::format("{:>10}  {:>10}  {:>8}", cpu, gpu, speedup);
  }

  void print_row_header() {
    const std::string title = style_.label_prefix.empty() ? "problem" : style_.label_prefix;
    if (two_lines()) {
      fmt::print(out_, "{}\n{}\n", fit(title + ", shape", width_), numbers("cpu ms", "gpu ms", "speedup"));
      return;
    }
    fmt::print(out_, "{:<{}}  {:<{}}  {}\n", fit(title, label_width()), label_width(), "shape", shape_width(),
               numbers("cpu ms", "gpu ms", "speedup"));
  }

  /// The row's label without the prefix the header already gives.
  std::string row_label(const std::string& label) const {
    const std::string& prefix = style_.label_prefix;
    const bool shared = !prefix.empty() && label.size() > prefix.size() &&
                        label.compare(0, prefix.size(), prefix) == 0 && label[prefix.size()] == ' ';
    return shared ? label.substr(prefix.size() + 1) : label;
  }

  void print_row(const RunResult& r) {
    std::string cells[2] = {"-", "-"};
    bool warned = false, errored = false;
    for (const DeviceResult& d : r.devices) {
      std::string& cell = cells[d.kind == DeviceKind::cpu ? 0 : 1];
      if (!d.measurement) {
        ++not_run_[fmt::format("{}: {}", to_string(d.kind), not_run_text(d))];
        errored = errored || d.failed();
        continue;
      }
      cell = ms_text(d.measurement->stats.median);
      warned = warned || !d.measurement->warnings.empty() || d.measurement->interrupted;
      // A bf16 row whose CPU ran f32 is marked in its cell, and the mode and why are listed below the rows.
      if (const std::string note = other_mode_note(r, d); !note.empty()) {
        cell += "*";
        marks_.insert("*");
        ++other_mode_[fmt::format("{} ran {}", to_string(d.kind), note)];
      }
    }
    const bool unverified = verification_failed(r), failed = errored || unverified;
    const std::string mark = errored ? "ERR" : unverified ? "FAIL" : r.straggler ? "SLOW" : warned ? "!" : "";
    if (!mark.empty()) marks_.insert(mark);
    std::string label = row_label(r.label);
    if (r.gpu_index >= 0)
      label += (label.empty() ? "" : " ") + (r.gpu_deviation
                                                 ? fmt::format("gpu{} {:+.1f}%", r.gpu_index, *r.gpu_deviation * 100)
                                                 : fmt::format("gpu{}", r.gpu_index));
    if (label.empty()) label = "-";
    const std::string nums = numbers(cells[0], cells[1], r.speedup ? fmt::format("{:.1f}x", *r.speedup) : "-") +
                             (mark.empty() ? "" : "  " + (failed ? paint(mark, false) : mark));
    if (two_lines())
      fmt::print(out_, "{}\n{}\n", fit(label + "  " + compact_shape(r.problem), width_), nums);
    else
      fmt::print(out_, "{:<{}}  {:<{}}  {}\n", fit_label(label, label_width()), label_width(),
                 fit(compact_shape(r.problem), shape_width()), shape_width(), nums);
    out_.flush();
  }

  void print_bars(const SuiteSummary& s) {
    double top = 0;
    size_t width = 0;
    for (const auto& e : s.speedups)
      top = std::max(top, e.speedup), width = std::max(width, std::min<size_t>(e.label.size(), width_ / 2));
    const size_t room = width_ > width + 12 ? std::min<size_t>(40, width_ - width - 12) : 1;
    for (const auto& e : s.speedups) {
      const auto bar = static_cast<size_t>(e.speedup / top * static_cast<double>(room) + 0.5);
      fmt::print(out_, "{:<{}} {:>8.1f}x {}\n", fit(e.label, width), width, e.speedup,
                 std::string(std::max<size_t>(bar, 1), '#'));
    }
  }

  /// Colours a verdict (the text's first word, "ok" or "FAILED"), not the whole line.
  std::string paint(const std::string& text, bool ok) const {
    if (!style_.color) return text;
    const auto space = std::min(text.find(' '), text.size());
    return (ok ? "\033[32m" : "\033[31m") + text.substr(0, space) + "\033[0m" + text.substr(space);
  }

  std::ostream& out_;
  TableStyle style_;
  size_t width_;
  ProblemStart start_;
  std::map<std::string, int> not_run_;  ///< each distinct "dev: not run: reason", with how many rows had it
  std::map<std::string, int> other_mode_;  ///< each distinct "dev ran MODE and why" (other_mode_note()), likewise
  std::set<std::string> marks_;         ///< the row marks printed so far
  std::set<DeviceKind> asked_;          ///< the devices the records so far asked for, run or not
};

}  // namespace

std::string not_run_text(const DeviceResult& d) { return (d.failed() ? "failed: " : "not run: ") + d.not_run_reason; }

std::string other_mode_note(const RunResult& r, const DeviceResult& d) {
  const DType asked = r.problem.dtype;
  const std::string mode = mode_name(d.kind, d.dtype);
  if (!d.measurement || mode == to_string(asked)) return "";
  for (const auto& [key, value] : d.measurement->prepare.details)
    if (key == "mode")
      return value.find(kByTime) == std::string::npos ? value
                                                      : mode + ", chosen by a timed trial (--cpu-dtype fastest)";
  if (d.kind == DeviceKind::cpu && d.dtype != cpu_dtypes_to_try(asked, std::nullopt).front())
    return mode + ", forced by --cpu-dtype";
  return fmt::format("{}, the {}'s mode for {}", mode, upper_case(to_string(d.kind)), to_string(asked));
}

std::string compact_shape(const Problem& p) {
  std::string s = fmt::format("{}x{}x{}x{} k{}x{}x{}", p.n, p.h, p.w, p.c, p.k, p.r, p.s);
  if (p.stride_h != 1 || p.stride_w != 1)
    s += p.stride_h == p.stride_w ? fmt::format(" s{}", p.stride_h) : fmt::format(" s{}x{}", p.stride_h, p.stride_w);
  if (p.pad_top || p.pad_bottom || p.pad_left || p.pad_right) s += fmt::format(" p{}", p.pad_top);
  if (p.dil_h != 1 || p.dil_w != 1) s += fmt::format(" d{}", p.dil_h);
  if (p.groups != 1) s += fmt::format(" g{}", p.groups);
  if (p.dtype != DType::f32) s += std::string(" ") + to_string(p.dtype);
  return s;
}

std::unique_ptr<Printer> make_table_printer(std::ostream& out, const TableStyle& style) {
  return std::make_unique<TablePrinter>(out, style);
}

}  // namespace convbench

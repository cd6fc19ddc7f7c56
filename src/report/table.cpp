// The human report: the problem and its GFLOP, one line per device, verification, the speedup; after
// several problems, a summary with a bar chart.
#include <fmt/format.h>
#include <fmt/ostream.h>

#include <algorithm>
#include <cctype>

#include "convbench/pairing.hpp"
#include "convbench/report.hpp"

namespace convbench {
namespace {

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string check_text(const char* against, const Check& c) {
  std::string t = fmt::format("{} vs {}: error {:.1e} ({} {}, tolerance {:.0e})", c.ok() ? "ok" : "FAILED", against,
                              c.error, c.points, c.sampled ? "sampled points" : "points", c.tolerance);
  if (c.nonfinite_inputs > 0)
    t += fmt::format("; {} non-finite inputs, {} non-finite expected outputs matched exactly", c.nonfinite_inputs,
                     c.nonfinite_expected);
  if (c.mismatch_index >= 0) t += fmt::format("; a non-finite value disagrees at output index {}", c.mismatch_index);
  return t;
}

class TablePrinter final : public Printer {
 public:
  TablePrinter(std::ostream& out, bool color) : out_(out), color_(color) {}

 protected:
  void do_record(const RunResult& r) override {
    const Problem& p = r.problem;
    const double gflop = p.flops() * 1e-9;
    if (!r.label.empty()) fmt::print(out_, "{}== {} ==\n", count_++ ? "\n" : "", r.label);
    fmt::print(out_, "problem: {} --seed {}\n", p.describe(), r.seed);
    fmt::print(out_, "         output {}x{}x{}x{}, {:.3f} GFLOP per run; {} warm-up, then timed runs\n", p.n, p.out_h(),
               p.out_w(), p.k, gflop, r.warmup);
    for (const DeviceResult& d : r.devices) {
      if (!d.measurement) {
        fmt::print(out_, "{}: not run: {}\n", to_string(d.kind), d.not_run_reason);
        continue;
      }
      const Measurement& m = *d.measurement;
      const Stats& s = m.stats;
      std::string impl = m.prepare.implementation;
      if (m.prepare.threads > 0) impl += fmt::format(", {} threads", m.prepare.threads);
      for (const auto& [key, value] : m.prepare.details) impl += fmt::format(", {} {}", key, value);
      fmt::print(out_,
                 "{}: {} | {} {} | sum of {} runs {:.3f} ms | median {:.3f} ms (min {:.3f}, mean {:.3f} ± {:.3f}, "
                 "cv {:.1f}%) | {:.3f} TFLOP/s | setup {:.1f} ms, reorder {:.1f} ms | cache {}\n",
                 to_string(d.kind), m.device.display_name(), m.device.library_text(), impl, m.samples_ms.size(), s.sum,
                 s.median, s.min, s.mean, s.stddev, s.cv * 100, m.tflops, m.prepare.setup_ms, m.prepare.reorder_ms,
                 to_string(m.cache));
      if (d.reference_check)
        fmt::print(out_, "{}: verify {}\n", to_string(d.kind),
                   paint(check_text("f64 reference", *d.reference_check), *d.reference_check));
      if (const auto& rl = d.roofline)
        fmt::print(out_,
                   "{}: roofline {:.1f}% of the {} compute ceiling ({:.2f} TFLOP/s), {:.1f}% of copy bandwidth "
                   "({:.0f} GB/s); {:.1f} FLOP/byte against a ridge of {:.1f}: {}-bound (ceilings of {})\n",
                   to_string(d.kind), rl->compute_fraction * 100, to_string(p.dtype), rl->peak_tflops,
                   rl->memory_fraction * 100, rl->peak_gbps, rl->intensity, rl->ridge, rl->bound,
                   rl->measured.empty() ? "unknown date" : rl->measured);
    }
    if (r.cross_check) fmt::print(out_, "gpu: verify {}\n", paint(check_text("cpu", *r.cross_check), *r.cross_check));
    if (r.speedup) {
      std::string pairing;
      for (DeviceKind kind : {DeviceKind::gpu, DeviceKind::cpu})
        for (const DeviceResult& d : r.devices)
          if (d.kind == kind)
            pairing +=
                fmt::format("{}{} {}", pairing.empty() ? "" : " vs ", upper(to_string(kind)), mode_name(kind, d.dtype));
      fmt::print(out_, "GPU speedup over CPU: {}{:.1f} ± {:.1f}x{} ({}, sum of runs)\n", color_ ? "\033[1m" : "",
                 *r.speedup, r.speedup_uncertainty.value_or(0.0), color_ ? "\033[0m" : "", pairing);
    } else if (r.cross_check && !r.cross_check->ok()) {
      fmt::print(out_, "no speedup reported: the GPU and CPU outputs disagree\n");
    }
  }

  void do_end(const SuiteSummary& s) override {
    if (s.total <= 1 && !s.interrupted) return;
    fmt::print(out_, "\nsummary: {} of {} problems ran{}", s.completed, s.total, s.interrupted ? " (interrupted)" : "");
    if (s.verify_failures) fmt::print(out_, ", {} failed verification", s.verify_failures);
    fmt::print(out_, "\n");
    if (!s.geomean_speedup) {
      fmt::print(out_, "no speedup: the GPU and CPU did not both run and verify on any problem\n");
      return;
    }
    fmt::print(out_, "geometric-mean GPU speedup over CPU: {:.1f}x over {} problems\n", *s.geomean_speedup,
               s.speedups.size());
    fmt::print(out_, "best:  {:.1f}x  {}\nworst: {:.1f}x  {}\n", s.best->speedup, s.best->label, s.worst->speedup,
               s.worst->label);
    double top = 0;
    size_t width = 0;
    for (const auto& e : s.speedups)
      top = std::max(top, e.speedup), width = std::max(width, std::min<size_t>(e.label.size(), 40));
    for (const auto& e : s.speedups) {
      const auto bar = static_cast<size_t>(e.speedup / top * 40 + 0.5);
      fmt::print(out_, "{:<{}} {:>8.1f}x {}\n", e.label.substr(0, 40), width, e.speedup,
                 std::string(std::max<size_t>(bar, 1), '#'));
    }
  }

 private:
  /// Colours the verdict word (the text's first word, "ok" or "FAILED"), not the whole line.
  std::string paint(const std::string& text, const Check& c) const {
    if (!color_) return text;
    const auto space = text.find(' ');
    return (c.ok() ? "\033[32m" : "\033[31m") + text.substr(0, space) + "\033[0m" + text.substr(space);
  }
  std::ostream& out_;
  bool color_;
  int count_ = 0;
};

}  // namespace

std::unique_ptr<Printer> make_table_printer(std::ostream& out, bool color) {
  return std::make_unique<TablePrinter>(out, color);
}

}  // namespace convbench

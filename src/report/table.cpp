// The human report: the problem and its GFLOP, one line per device, verification, the speedup.
#include <fmt/format.h>
#include <fmt/ostream.h>

#include "convbench/report.hpp"

namespace convbench {
namespace {

std::string check_text(const char* against, const Check& c) {
  return fmt::format("{} vs {}: error {:.1e} ({} {}, tolerance {:.0e})", c.ok() ? "ok" : "FAILED", against, c.error,
                     c.points, c.sampled ? "sampled points" : "points", c.tolerance);
}

class TablePrinter final : public Printer {
 public:
  using Printer::Printer;

 protected:
  void do_print(const RunResult& r) override {
    const Problem& p = r.problem;
    const double gflop = p.flops() * 1e-9;
    fmt::print(out(), "problem: {} --seed {}\n", p.describe(), r.seed);
    fmt::print(out(), "         output {}x{}x{}x{}, {:.3f} GFLOP per run; {} warm-up, then timed runs\n", p.n,
               p.out_h(), p.out_w(), p.k, gflop, r.warmup);
    for (const DeviceResult& d : r.devices) {
      if (!d.measurement) {
        fmt::print(out(), "{}: not run: {}\n", d.kind, d.not_run_reason);
        continue;
      }
      const Measurement& m = *d.measurement;
      const Stats& s = m.stats;
      std::string impl = m.prepare.implementation;
      if (m.prepare.threads > 0) impl += fmt::format(", {} threads", m.prepare.threads);
      for (const auto& [key, value] : m.prepare.details) impl += fmt::format(", {} {}", key, value);
      fmt::print(out(), "{}: {} | {} {} | sum of {} runs {:.3f} ms | median {:.3f} ms (min {:.3f}, mean {:.3f} ± {:.3f}) | "
                 "{:.3f} TFLOP/s | setup {:.1f} ms, reorder {:.1f} ms\n",
                 d.kind, m.device.name, m.device.library, impl, m.samples_ms.size(), s.sum, s.median, s.min, s.mean,
                 s.stddev, s.median > 0 ? gflop / s.median : 0.0, m.prepare.setup_ms, m.prepare.reorder_ms);
      if (d.reference_check) fmt::print(out(), "{}: verify {}\n", d.kind, check_text("f64 reference", *d.reference_check));
    }
    if (r.cross_check) fmt::print(out(), "gpu: verify {}\n", check_text("cpu", *r.cross_check));
    if (r.speedup) {
      fmt::print(out(), "GPU speedup over CPU: {:.1f}x (sum of runs)\n", *r.speedup);
    } else if (r.cross_check && !r.cross_check->ok()) {
      fmt::print(out(), "no speedup reported: the GPU and CPU outputs disagree\n");
    }
  }
};

}  // namespace

std::unique_ptr<Printer> make_table_printer(std::ostream& out) { return std::make_unique<TablePrinter>(out); }

}  // namespace convbench

// Markdown: a table to paste into a pull request or an issue, one row a problem, then the devices that
// ran, the modes a device ran other than the dtype asked and why, the reasons a device did not run, and the
// command line that reproduces the run.
#include <fmt/format.h>

#include <map>
#include <set>

#include "convbench/pairing.hpp"
#include "convbench/report.hpp"
#include "convbench/text.hpp"

namespace convbench {
namespace {

/// A table cell: '|' escaped, newlines flattened.
std::string md(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : c == '\n' ? std::string(" ") : std::string(1, c);
  return out;
}

class MarkdownPrinter final : public Printer {
 public:
  explicit MarkdownPrinter(std::ostream& out) : out_(out) {}

 protected:
  void do_begin(const RunMetadata& m) override {
    meta_ = m;
    out_ << "| problem | shape | CPU median (ms) | GPU median (ms) | GPU speedup over CPU | verified |\n"
            "|---|---|---:|---:|---:|---|\n";
  }

  void do_record(const RunResult& r) override {
    std::string cells[2] = {"-", "-"};
    for (const DeviceResult& d : r.devices) {
      if (!d.measurement) {
        reasons_.insert(fmt::format("{} {}", to_string(d.kind), not_run_text(d)));
        continue;
      }
      const Measurement& m = *d.measurement;
      std::string& cell = cells[d.kind == DeviceKind::cpu ? 0 : 1];
      cell = ms_text(m.stats.median);
      // A bf16 row whose CPU ran f32 says so in the row, not only below the table.
      if (const std::string note = other_mode_note(r, d); !note.empty()) {
        cell += fmt::format(" ({})", mode_name(d.kind, d.dtype));
        modes_.insert(fmt::format("{} ran {}", to_string(d.kind), note));
      }
      devices_.insert(fmt::format("{}: {}, {} {} ({})", to_string(d.kind), m.device.display_name(),
                                  m.device.library_text(), m.prepare.implementation, mode_name(d.kind, d.dtype)));
    }
    std::string label = r.label.empty() ? r.problem.describe() : r.label;
    if (r.gpu_index >= 0) label += fmt::format(" (gpu {})", r.gpu_index);
    out_ << fmt::format("| {} | {} | {} | {} | {} | {} |\n", md(label), md(compact_shape(r.problem)), cells[0],
                        cells[1],
                        r.speedup ? fmt::format("{:.1f} ± {:.1f}x", *r.speedup, r.speedup_uncertainty.value_or(0))
                                  : "-",
                        verified(r));
  }

  void do_end(const SuiteSummary& s) override {
    out_ << "\n";
    if (s.geomean_speedup)
      out_ << fmt::format("Geometric-mean GPU speedup over CPU: **{:.1f}x** over {}.\n\n", *s.geomean_speedup,
                          counted(s.speedups.size(), "problem"));
    for (const std::string& d : devices_) out_ << "- " << md(d) << "\n";
    for (const std::string& m : modes_) out_ << "- " << md(m) << "\n";
    for (const std::string& w : reasons_) out_ << "- " << md(w) << "\n";
    std::string command;
    for (const std::string& a : meta_.argv) command += (command.empty() ? "" : " ") + a;
    out_ << fmt::format("\n`{}` (convbench {}, {})\n", command, meta_.convbench, meta_.timestamp);
  }

 private:
  static std::string verified(const RunResult& r) {
    for (const DeviceResult& d : r.devices)
      if (d.failed()) return fmt::format("**{} failed**", to_string(d.kind));
    bool any = r.cross_check.has_value();
    bool ok = !r.cross_check || r.cross_check->ok();
    for (const DeviceResult& d : r.devices)
      if (d.reference_check) any = true, ok = ok && d.reference_check->ok();
    return !any ? "not checked" : ok ? "ok" : "**FAILED**";
  }

  std::ostream& out_;
  RunMetadata meta_;
  std::set<std::string> devices_, modes_, reasons_;
};

}  // namespace

std::unique_ptr<Printer> make_markdown_printer(std::ostream& out) { return std::make_unique<MarkdownPrinter>(out); }

}  // namespace convbench

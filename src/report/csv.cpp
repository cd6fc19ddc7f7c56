// CSV: a header, then one row per problem. Columns are documented in README.md.
#include <fmt/format.h>

#include "convbench/descriptor.hpp"
#include "convbench/record.hpp"
#include "convbench/report.hpp"

namespace convbench {

std::string csv_cell(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

namespace {

std::string num(double v) { return fmt::format("{:.6g}", v); }

class CsvPrinter final : public Printer {
 public:
  explicit CsvPrinter(std::ostream& out) : out_(out) {}

 protected:
  void do_begin(const RunMetadata&) override {
    out_ << "schema_version,label,descriptor,dtype,layout,n,c,h,w,k,r,s,stride_h,stride_w,pad_top,pad_bottom,pad_left,"
            "pad_right,dil_h,dil_w,groups,gflop,seed";
    for (DeviceKind k : kDeviceKinds)
      out_ << fmt::format(
          ",{0}_ran,{0}_dtype,{0}_implementation,{0}_runs,{0}_sum_ms,{0}_median_ms,{0}_min_ms,{0}_mean_ms,"
          "{0}_stddev_ms,{0}_setup_ms,{0}_tflops,{0}_verify_error",
          to_string(k));
    out_ << ",cross_check_error,speedup,speedup_uncertainty";
    // Why a device did not run, last so that the columns before keep the places they had.
    for (DeviceKind k : kDeviceKinds) out_ << fmt::format(",{0}_exit_code,{0}_reason", to_string(k));
    // The mode a device ran where it is not the dtype asked, and why; after the reasons, for the same cause.
    for (DeviceKind k : kDeviceKinds) out_ << fmt::format(",{}_other_mode", to_string(k));
    out_ << "\n";
  }
  void do_record(const RunResult& r) override {
    const Problem& p = r.problem;
    out_ << fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}", kSchemaVersion,
                        csv_cell(r.label), format_descriptor(p), to_string(p.dtype), to_string(p.layout), p.n, p.c, p.h,
                        p.w, p.k, p.r, p.s, p.stride_h, p.stride_w, p.pad_top, p.pad_bottom, p.pad_left, p.pad_right,
                        p.dil_h, p.dil_w, p.groups, num(p.flops() * 1e-9), r.seed);
    for (DeviceKind kind : kDeviceKinds) {
      const DeviceResult* d = r.device(kind);
      if (!d || !d->measurement) {
        out_ << ",false,,,,,,,,,,,";
        continue;
      }
      const Measurement& m = *d->measurement;
      const Stats& s = m.stats;
      out_ << fmt::format(",true,{},{},{},{},{},{},{},{},{},{},{}", to_string(d->dtype),
                          csv_cell(m.prepare.implementation), m.samples_ms.size(), num(s.sum), num(s.median),
                          num(s.min), num(s.mean), num(s.stddev), num(m.prepare.setup_ms), num(m.tflops),
                          d->reference_check ? num(d->reference_check->error) : "");
    }
    out_ << fmt::format(",{},{},{}", r.cross_check ? num(r.cross_check->error) : "", r.speedup ? num(*r.speedup) : "",
                        r.speedup_uncertainty ? num(*r.speedup_uncertainty) : "");
    for (DeviceKind kind : kDeviceKinds) {
      const DeviceResult* d = r.device(kind);
      if (d && !d->measurement)
        out_ << fmt::format(",{},{}", static_cast<int>(d->not_run_code), csv_cell(d->not_run_reason));
      else
        out_ << ",,";
    }
    for (DeviceKind kind : kDeviceKinds) {
      const DeviceResult* d = r.device(kind);
      out_ << "," << (d ? csv_cell(other_mode_note(r, *d)) : "");
    }
    out_ << "\n";
    out_.flush();
  }

 private:
  std::ostream& out_;
};

}  // namespace

std::unique_ptr<Printer> make_csv_printer(std::ostream& out) { return std::make_unique<CsvPrinter>(out); }

}  // namespace convbench

// Printers: one per output format, all reading results and computing nothing. A run calls begin() once,
// record() as each problem finishes (so output streams), and end() with the summary.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "convbench/result.hpp"

namespace convbench {

class Printer {
 public:
  virtual ~Printer() = default;
  void begin(const RunMetadata& m) { do_begin(m); }
  void record(const RunResult& r) { do_record(r); }
  void end(const SuiteSummary& s) { do_end(s); }

 protected:
  virtual void do_begin(const RunMetadata&) {}
  virtual void do_record(const RunResult& r) = 0;
  virtual void do_end(const SuiteSummary&) {}
};

/// Sends every call on to several printers.
class PrinterMultiplexer final : public Printer {
 public:
  void add(std::unique_ptr<Printer> p) { printers_.push_back(std::move(p)); }

 protected:
  void do_begin(const RunMetadata& m) override;
  void do_record(const RunResult& r) override;
  void do_end(const SuiteSummary& s) override;

 private:
  std::vector<std::unique_ptr<Printer>> printers_;
};

enum class Format { table, json, jsonl, csv };
/// "table", "json", "jsonl", "csv"; throws UsageError naming --format otherwise.
Format parse_format(const std::string& text);

/// The human report: per problem, the problem line, a line per device, verification and the speedup;
/// after several problems, the geometric-mean speedup, best and worst, and a bar chart. `color` adds ANSI
/// colours (for terminals only).
std::unique_ptr<Printer> make_table_printer(std::ostream& out, bool color = false);
/// `json`: one array of records, streamed; `jsonl`: one record per line.
std::unique_ptr<Printer> make_json_printer(std::ostream& out, bool lines);
/// A header, then one row per record.
std::unique_ptr<Printer> make_csv_printer(std::ostream& out);
std::unique_ptr<Printer> make_printer(Format f, std::ostream& out, bool color = false);

}  // namespace convbench

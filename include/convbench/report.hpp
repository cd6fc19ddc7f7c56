// Printers: one per output format, all reading results and computing nothing. A run calls begin() once,
// record() as each problem finishes (so output streams), and end() with the summary.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "convbench/result.hpp"

namespace convbench {

/// What is known of a problem before it runs.
struct ProblemStart {
  std::string label;
  Problem problem;
  uint64_t seed = 0;
  int warmup = 0, runs = 0;
  size_t index = 0, total = 1;  ///< its place in the run's list of problems
  int rounds = 1;               ///< --rounds: the warm-up and timed runs are repeated this many times
  size_t gpus = 1;              ///< GPUs measured in turn, a record each
};

class Printer {
 public:
  virtual ~Printer() = default;
  void begin(const RunMetadata& m) { do_begin(m); }
  void start(const ProblemStart& p) { do_start(p); }
  void record(const RunResult& r) { do_record(r); }
  void end(const SuiteSummary& s) { do_end(s); }

 protected:
  virtual void do_begin(const RunMetadata&) {}
  virtual void do_start(const ProblemStart&) {}
  virtual void do_record(const RunResult& r) = 0;
  virtual void do_end(const SuiteSummary&) {}
};

/// Sends every call on to several printers.
class PrinterMultiplexer final : public Printer {
 public:
  void add(std::unique_ptr<Printer> p) { printers_.push_back(std::move(p)); }

 protected:
  void do_begin(const RunMetadata& m) override;
  void do_start(const ProblemStart& p) override;
  void do_record(const RunResult& r) override;
  void do_end(const SuiteSummary& s) override;

 private:
  std::vector<std::unique_ptr<Printer>> printers_;
};

enum class Format { table, json, jsonl, csv, markdown };
/// "table", "json", "jsonl", "csv", "markdown"; throws UsageError naming --format otherwise.
Format parse_format(const std::string& text);

/// How the human report is laid out.
struct TableStyle {
  bool color = false;    ///< ANSI colour on the verdict words (terminals only)
  bool verbose = false;  ///< every detail: ISA, affinity, FTZ/DAZ, run spread, setup, roofline; a block per problem
  size_t columns = 100;  ///< no line is wider
  /// A start every problem's label shares, before a space (a suite's name): rows leave it out and it heads
  /// their problem column instead. Empty: labels as they are.
  std::string label_prefix;
};

/// The human report. One problem (or --verbose): its header before it runs, a line per device, verification,
/// then a headline block: each device's median and sum, and the speedup or why there is none. Several
/// problems: one row each (label, shape, CPU and GPU medians, speedup, a mark for warnings or failures),
/// reasons that repeat printed once, and a summary with totals.
std::unique_ptr<Printer> make_table_printer(std::ostream& out, const TableStyle& style = {});
/// `json`: one array of records, streamed; `jsonl`: one record per line.
std::unique_ptr<Printer> make_json_printer(std::ostream& out, bool lines);
/// `s` as one CSV cell: quoted (RFC 4180) when it holds a comma, a quote or a newline.
std::string csv_cell(const std::string& s);
/// A header, then one row per record.
std::unique_ptr<Printer> make_csv_printer(std::ostream& out);
/// A Markdown table, one row a problem, then the devices, reasons and the command line (for pull requests).
std::unique_ptr<Printer> make_markdown_printer(std::ostream& out);

/// A problem's shape in a few characters: input NxHxWxC, `k` and the filters KxRxS, then the stride (s),
/// padding (p, the top), dilation (d), groups (g) and dtype where they differ from the defaults.
std::string compact_shape(const Problem& p);
/// Why a device has no measurement: "not run: REASON", or "failed: REASON" when it started and failed.
std::string not_run_text(const DeviceResult& d);
/// For the summaries that do not print each device's details (Markdown, HTML): the mode `d` ran and why, where
/// it is not the dtype `r` asked for, else "". Its "mode" detail says why ("f32 instead of bf16: ..."; a
/// --cpu-dtype fastest trial's as "f32, chosen by a timed trial (--cpu-dtype fastest)"); without one, the mode
/// is the CPU's for that dtype (tf32's "f32 with bf16 math") or a --cpu-dtype that forced it.
std::string other_mode_note(const RunResult& r, const DeviceResult& d);
std::unique_ptr<Printer> make_printer(Format f, std::ostream& out, const TableStyle& style = {});

}  // namespace convbench

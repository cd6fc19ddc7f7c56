// The printer multiplexer and the format registry.
#include "convbench/error.hpp"
#include "convbench/report.hpp"

namespace convbench {

void PrinterMultiplexer::do_begin(const RunMetadata& m) {
  for (auto& p : printers_) p->begin(m);
}
void PrinterMultiplexer::do_start(const ProblemStart& p) {
  for (auto& printer : printers_) printer->start(p);
}
void PrinterMultiplexer::do_record(const RunResult& r) {
  for (auto& p : printers_) p->record(r);
}
void PrinterMultiplexer::do_end(const SuiteSummary& s) {
  for (auto& p : printers_) p->end(s);
}

Format parse_format(const std::string& text) {
  if (text == "table") return Format::table;
  if (text == "json") return Format::json;
  if (text == "jsonl") return Format::jsonl;
  if (text == "csv") return Format::csv;
  if (text == "markdown") return Format::markdown;
  throw UsageError("--format", text, "expected table, json, jsonl, csv or markdown");
}

std::unique_ptr<Printer> make_printer(Format f, std::ostream& out, const TableStyle& style) {
  switch (f) {
    case Format::table:
      return make_table_printer(out, style);
    case Format::json:
      return make_json_printer(out, false);
    case Format::jsonl:
      return make_json_printer(out, true);
    case Format::csv:
      return make_csv_printer(out);
    case Format::markdown:
      return make_markdown_printer(out);
  }
  return make_table_printer(out, style);
}

}  // namespace convbench

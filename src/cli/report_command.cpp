// `convbench report FILE... --html OUT`: its flags, and the records turned into the page.
#include "report_command.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "convbench/atomic_file.hpp"
#include "convbench/error.hpp"
#include "convbench/html_report.hpp"
#include "convbench/record.hpp"
#include "fleet.hpp"

namespace convbench {
namespace {

using nlohmann::json;

std::string text_of(const json& meta, const char* key) {
  return meta.contains(key) && meta.at(key).is_string() ? meta.at(key).get<std::string>() : "";
}

ReportRecord report_record(const json& j, const std::string& what) {
  ReportRecord r;
  r.result = result_from_json(j, what);
  const json meta = j.value("metadata", json::object());
  r.host = text_of(meta, "host");
  r.timestamp = text_of(meta, "timestamp");
  r.convbench = text_of(meta, "convbench");
  r.onednn = text_of(meta, "onednn");
  r.cudnn = text_of(meta, "cudnn");
  r.gpu_name = text_of(meta, "gpu_name");
  r.cpu_model = text_of(meta, "cpu_model");
  if (meta.contains("argv") && meta.at("argv").is_array())
    for (const json& a : meta.at("argv")) r.command += (r.command.empty() ? "" : " ") + a.get<std::string>();
  return r;
}

}  // namespace

CLI::App* declare_report(CLI::App& app, ReportFlags& f) {
  CLI::App* report = app.add_subcommand(
      "report",
      "Write the records of one or more files (or - for stdin) as one self-contained HTML page of SVG charts: "
      "medians and speedups, a roofline per device, each node's or GPU's deviation from the fleet median.");
  report->add_option("FILES", f.files, "result files (json or jsonl), or - for stdin")->required()->type_name("FILE...");
  // --output too: the name the run itself gives the file it writes.
  report->add_option("--html,--output", f.html, "the page to write, atomically")->required()->type_name("OUT.html");
  return report;
}

ReportOptions to_report_options(const ReportFlags& f) {
  ReportOptions o;
  o.files = f.files;
  o.html = f.html;
  if (o.html.empty() || o.html == "-") throw UsageError("--html", o.html, "expected a file to write the page to");
  return o;
}

Outcome run_report(const ReportOptions& o) {
  check_writable_output(o.html, "--html");
  std::vector<NamedFile> inputs;
  for (const std::string& f : o.files) inputs.push_back({"the input", f});
  check_distinct_files(inputs, {{"--html", o.html}});
  const std::vector<json> all = read_record_files(o.files, "report");
  if (all.empty()) return {ExitCode::nothing_compared, "report: the files hold no records"};
  std::vector<ReportRecord> records;
  for (size_t i = 0; i < all.size(); ++i) records.push_back(report_record(all[i], fmt::format("report: record {}", i + 1)));
  // The fleet chart is for records of several nodes or GPUs.
  std::vector<FleetMark> marks;
  const FleetReport fleet = build_fleet(all, FleetOptions{});
  if (fleet.nodes.size() > 1)
    for (const FleetEntry& e : fleet.entries)
      if (e.failure.empty()) marks.push_back({e.label.empty() ? e.problem : e.label, e.node, e.deviation, e.straggler});
  AtomicFile page(o.html, "--html");
  page.stream() << html_report(records, marks);
  page.commit();
  return {};
}

}  // namespace convbench

// The HTML report: a page of inline SVG charts built from records; it formats what the records hold.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "convbench/html_report.hpp"
#include "convbench/pairing.hpp"
#include "convbench/report.hpp"
#include "convbench/svg.hpp"

namespace convbench {
namespace {

constexpr const char* kStyle = R"(
body { font-family: sans-serif; margin: 24px; color: #222; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
svg text { font-family: sans-serif; font-size: 11px; fill: #222; }
svg text.tick { fill: #666; } svg text.title { font-size: 12px; font-weight: bold; }
.grid { stroke: #ddd; stroke-width: 1; } .axis { stroke: #444; stroke-width: 1; }
.bar.cpu, .point.cpu, .key.cpu { fill: #4878a8; } .bar.gpu, .point.gpu, .key.gpu { fill: #76b041; }
.point { stroke: #fff; stroke-width: 1; fill-opacity: 0.9; }
.roof { fill: none; stroke: #c44; stroke-width: 2; }
.bar.fleet { fill: #888; } .bar.fleet.straggler { fill: #d33; }
table { border-collapse: collapse; font-size: 13px; } td, th { border: 1px solid #ccc; padding: 3px 8px; text-align: left; }
)";

std::string row_label(const RunResult& r) {
  std::string label = r.label.empty() ? r.problem.describe() : r.label;
  if (r.gpu_index >= 0) label += " (gpu " + std::to_string(r.gpu_index) + ")";
  return label;
}

const Measurement* measured(const RunResult& r, DeviceKind kind) {
  const DeviceResult* d = r.device(kind);
  return d && d->measurement ? &*d->measurement : nullptr;
}

/// Medians per problem on a log axis, CPU and GPU bars side by side, the speedup beside them.
std::string medians_chart(const std::vector<ReportRecord>& records) {
  double lo = 1e300, hi = 0;
  for (const ReportRecord& rec : records)
    for (DeviceKind k : kDeviceKinds)
      if (const Measurement* m = measured(rec.result, k); m && m->stats.median > 0)
        lo = std::min(lo, m->stats.median), hi = std::max(hi, m->stats.median);
  if (hi <= 0) return "<p>No device measured any problem.</p>\n";
  const double left = 300, right = 820, row = 30, top = 30;
  const LogAxis x(lo, hi, left, right);
  Svg svg(900, top + row * static_cast<double>(records.size()) + 40, "medians per problem, log scale");
  for (double d : x.decades()) {
    svg.line(x(d), top - 6, x(d), top + row * static_cast<double>(records.size()), "grid");
    svg.text(x(d), top - 10, fmt::format("{:g} ms", d), "tick", "middle");
  }
  for (size_t i = 0; i < records.size(); ++i) {
    const RunResult& r = records[i].result;
    const double y = top + row * static_cast<double>(i);
    const std::string label = row_label(r);
    svg.text(left - 8, y + 18, label.size() > 48 ? label.substr(0, 47) + "~" : label, "label", "end");
    for (DeviceKind k : kDeviceKinds)
      if (const Measurement* m = measured(r, k)) {
        const DeviceResult& d = *r.device(k);
        const std::string mode = other_mode_note(r, d).empty() ? "" : " (" + mode_name(k, d.dtype) + ")";
        svg.rect(left, y + 4 + (k == DeviceKind::gpu ? 11 : 0), x(m->stats.median) - left, 10,
                 std::string("bar ") + to_string(k),
                 fmt::format("{}: {} median {:.4g} ms{}", label, to_string(k), m->stats.median, mode));
      }
    std::string speedup = r.speedup ? fmt::format("{:.1f}x", *r.speedup) : "-";
    if (const DeviceResult* g = r.device(DeviceKind::gpu); !r.speedup && g && !g->measurement)
      speedup = g->failed() ? "gpu failed" : "gpu not run";
    svg.text(right + 8, y + 18, speedup, "speedup");
  }
  const double key_y = top + row * static_cast<double>(records.size()) + 20;
  svg.rect(left, key_y - 9, 10, 10, "key cpu");
  svg.text(left + 14, key_y, "CPU median", "tick");
  svg.rect(left + 100, key_y - 9, 10, 10, "key gpu");
  svg.text(left + 114, key_y, "GPU median", "tick");
  svg.text(right + 8, key_y, "speedup", "tick");
  return svg.str();
}

/// Achieved TFLOP/s against FLOP per tensor byte for one device, under its ceilings when the records have them.
std::string roofline_chart(const std::vector<ReportRecord>& records, DeviceKind kind) {
  struct Point {
    double intensity, tflops;
    std::string title;
  };
  std::vector<Point> points;
  const Roofline* roof = nullptr;
  for (const ReportRecord& rec : records)
    for (const DeviceResult& d : rec.result.devices) {
      if (d.kind != kind || !d.measurement || d.measurement->stats.median <= 0) continue;
      const Problem& p = rec.result.problem;
      const double intensity = p.effective_flops() / static_cast<double>(p.tensor_bytes());
      const double tflops = p.effective_flops() / d.measurement->stats.median * 1e-9;
      points.push_back({intensity, tflops, fmt::format("{}: {:.3g} FLOP/byte, {:.3g} TFLOP/s ({})",
                                                       row_label(rec.result), intensity, tflops,
                                                       mode_name(kind, d.dtype))});
      if (d.roofline && !roof) roof = &*d.roofline;
    }
  if (points.empty()) return "";
  double xlo = 1e300, xhi = 0, ylo = 1e300, yhi = 0;
  for (const Point& p : points)
    xlo = std::min(xlo, p.intensity), xhi = std::max(xhi, p.intensity), ylo = std::min(ylo, p.tflops),
    yhi = std::max(yhi, p.tflops);
  // With ceilings, the axes hold the roof's bend (the ridge) and its flat top.
  if (roof) yhi = std::max(yhi, roof->peak_tflops), xlo = std::min(xlo, roof->ridge / 2), xhi = std::max(xhi, roof->ridge * 2);
  const double left = 70, right = 620, top = 30, bottom = 380;
  const LogAxis x(xlo, xhi, left, right), y(ylo, yhi, bottom, top);
  Svg svg(660, 430, std::string(to_string(kind)) + " roofline");
  for (double d : x.decades()) {
    svg.line(x(d), top, x(d), bottom, "grid");
    svg.text(x(d), bottom + 16, fmt::format("{:g}", d), "tick", "middle");
  }
  for (double d : y.decades()) {
    svg.line(left, y(d), right, y(d), "grid");
    svg.text(left - 6, y(d) + 4, fmt::format("{:g}", d), "tick", "end");
  }
  svg.text((left + right) / 2, bottom + 34, "FLOP per tensor byte", "tick", "middle");
  svg.text(left, top - 12, "TFLOP/s achieved", "tick");
  if (roof) {
    // The roof: bandwidth-bound up to the ridge, compute-bound after it.
    const double gb = roof->peak_gbps / 1000;  // TFLOP/s per FLOP/byte
    svg.polyline({{x(x.lo()), y(x.lo() * gb)}, {x(roof->ridge), y(roof->peak_tflops)}, {x(x.hi()), y(roof->peak_tflops)}},
                 "roof");
    svg.text(right, y(roof->peak_tflops) - 6,
             fmt::format("ceilings: {:.3g} TFLOP/s, {:.0f} GB/s ({})", roof->peak_tflops, roof->peak_gbps,
                         roof->measured),
             "tick", "end");
  }
  for (const Point& p : points)
    svg.circle(x(p.intensity), y(p.tflops), 5, std::string("point ") + to_string(kind), p.title);
  return svg.str();
}

/// Each entry's deviation from its fleet median, stragglers marked.
std::string fleet_chart(const std::vector<FleetMark>& fleet) {
  double span = 0.1;
  for (const FleetMark& f : fleet) span = std::max(span, std::fabs(f.deviation) * 1.2);
  const double left = 360, right = 820, mid = (left + right) / 2, row = 22, top = 30;
  const auto px = [&](double dev) { return mid + dev / span * (right - mid); };
  Svg svg(900, top + row * static_cast<double>(fleet.size()) + 20, "deviation from the fleet median");
  for (double t : {-span, -span / 2, 0.0, span / 2, span}) {
    svg.line(px(t), top - 6, px(t), top + row * static_cast<double>(fleet.size()), t == 0 ? "axis" : "grid");
    svg.text(px(t), top - 10, fmt::format("{:+.0f}%", t * 100), "tick", "middle");
  }
  for (size_t i = 0; i < fleet.size(); ++i) {
    const FleetMark& f = fleet[i];
    const double y = top + row * static_cast<double>(i);
    const std::string name = f.label + " @ " + f.node;
    svg.text(left - 8, y + 15, name.size() > 56 ? name.substr(0, 55) + "~" : name, "label", "end");
    const double a = px(std::min(0.0, f.deviation)), b = px(std::max(0.0, f.deviation));
    svg.rect(a, y + 4, std::max(b - a, 1.0), 14, f.straggler ? "bar fleet straggler" : "bar fleet",
             fmt::format("{} on {}: {:+.1f}% from the fleet median{}", f.label, f.node, f.deviation * 100,
                         f.straggler ? " (straggler)" : ""));
  }
  return svg.str();
}

/// One row per device and `what(record, device)` that is not empty, with the problems it stands for (a list
/// without a GPU would otherwise repeat one reason a row a problem), under the column `heading`. Empty when
/// `what` is empty for every device.
template <class What>
std::string problems_by_device_table(const std::vector<ReportRecord>& records, const char* heading, What what) {
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> reasons;
  std::vector<std::pair<std::string, std::string>> order;
  for (const ReportRecord& rec : records)
    for (const DeviceResult& d : rec.result.devices) {
      const std::pair<std::string, std::string> key{to_string(d.kind), what(rec.result, d)};
      if (key.second.empty()) continue;
      auto& problems = reasons[key];
      if (problems.empty()) order.push_back(key);
      problems.push_back(row_label(rec.result));
    }
  if (order.empty()) return "";
  std::string t = fmt::format("<table>\n<tr><th>device</th><th>{}</th><th>problems</th></tr>\n", heading);
  for (const auto& key : order) {
    const std::vector<std::string>& problems = reasons[key];
    std::string list;
    for (size_t i = 0; i < problems.size() && i < 10; ++i) list += (i ? ", " : "") + xml_escape(problems[i]);
    if (problems.size() > 10) list += fmt::format(" and {} more", problems.size() - 10);
    t += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n", key.first, xml_escape(key.second), list);
  }
  return t + "</table>\n";
}

/// Where and how the records were made: each distinct value, once.
std::string metadata_table(const std::vector<ReportRecord>& records) {
  const auto distinct = [&](auto field) {
    std::set<std::string> values;
    for (const ReportRecord& r : records)
      if (const std::string v = field(r); !v.empty()) values.insert(v);
    std::string out;
    for (const std::string& v : values) out += (out.empty() ? "" : "<br>") + xml_escape(v);
    return out.empty() ? std::string("-") : out;
  };
  std::string t = "<table>\n";
  const auto row = [&](const char* name, const std::string& value) {
    t += fmt::format("<tr><th>{}</th><td>{}</td></tr>\n", name, value);
  };
  row("records", std::to_string(records.size()));
  row("hosts", distinct([](const ReportRecord& r) { return r.host; }));
  row("CPU", distinct([](const ReportRecord& r) { return r.cpu_model; }));
  row("GPU", distinct([](const ReportRecord& r) { return r.gpu_name; }));
  row("convbench", distinct([](const ReportRecord& r) { return r.convbench; }));
  row("oneDNN", distinct([](const ReportRecord& r) { return r.onednn; }));
  row("cuDNN", distinct([](const ReportRecord& r) { return r.cudnn; }));
  row("dates (UTC)", distinct([](const ReportRecord& r) { return r.timestamp; }));
  row("command lines", distinct([](const ReportRecord& r) { return r.command; }));
  return t + "</table>\n";
}

}  // namespace

std::string html_report(const std::vector<ReportRecord>& records, const std::vector<FleetMark>& fleet) {
  std::string page = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>convbench report</title>\n"
      "<style>{}</style>\n</head>\n<body>\n<h1>convbench: GPU (cuDNN) against CPU (oneDNN)</h1>\n",
      kStyle);
  page += "<h2>Median per problem (log scale), and the GPU's speedup over the CPU</h2>\n" + medians_chart(records);
  for (DeviceKind k : kDeviceKinds)
    if (const std::string chart = roofline_chart(records, k); !chart.empty())
      page += fmt::format("<h2>{} roofline: each problem a point (hover for its name)</h2>\n",
                          k == DeviceKind::cpu ? "CPU" : "GPU") +
              chart;
  if (!fleet.empty())
    page += "<h2>Deviation from the fleet median (red: straggler)</h2>\n" + fleet_chart(fleet);
  // Each device that ran another mode than the dtype asked (a bf16 problem run as f32 on the CPU), and why.
  if (const std::string table = problems_by_device_table(records, "mode, and why", other_mode_note); !table.empty())
    page += "<h2>Devices that ran another mode than the dtype asked</h2>\n" + table;
  // Each device that did not run a problem, and why.
  if (const std::string table = problems_by_device_table(
          records, "why", [](const RunResult&, const DeviceResult& d) { return d.measurement ? "" : not_run_text(d); });
      !table.empty())
    page += "<h2>Devices that did not run a problem</h2>\n" + table;
  page += "<h2>Where and how</h2>\n" + metadata_table(records) + "</body>\n</html>\n";
  return page;
}

}  // namespace convbench

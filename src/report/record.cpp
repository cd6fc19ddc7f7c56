// The JSON record of one problem, and reading records back.
#include "convbench/record.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "convbench/descriptor.hpp"
#include "convbench/error.hpp"
#include "convbench/pairing.hpp"
#include "convbench/system.hpp"
#include "convbench/text_input.hpp"

namespace convbench {
namespace {

using nlohmann::json;

json stats_json(const Stats& s) {
  return {{"sum", s.sum},   {"median", s.median}, {"min", s.min}, {"max", s.max},
          {"mean", s.mean}, {"stddev", s.stddev}, {"cv", s.cv},   {"outliers", s.outliers}};
}

json clock_json(const std::optional<ClockSample>& c) {
  if (!c) return nullptr;
  return {{"sm_mhz", c->sm_mhz}, {"throttle_reasons", c->throttle_reasons}, {"throttle", c->throttle_text}};
}

json check_json(const std::optional<Check>& c) {
  if (!c) return nullptr;
  return {{"error", c->error},
          {"tolerance", c->tolerance},
          {"points", c->points},
          {"sampled", c->sampled},
          {"nonfinite_inputs", c->nonfinite_inputs},
          {"nonfinite_expected", c->nonfinite_expected},
          {"overflowed", c->overflowed},
          {"mismatch_index", c->mismatch_index < 0 ? json(nullptr) : json(c->mismatch_index)},
          {"ok", c->ok()}};
}

json problem_json(const Problem& p) {
  return {{"descriptor", format_descriptor(p)},
          {"flags", p.describe()},
          {"n", p.n},
          {"c", p.c},
          {"h", p.h},
          {"w", p.w},
          {"k", p.k},
          {"r", p.r},
          {"s", p.s},
          {"stride", {p.stride_h, p.stride_w}},
          {"padding", {p.pad_top, p.pad_bottom, p.pad_left, p.pad_right}},
          {"dilation", {p.dil_h, p.dil_w}},
          {"groups", p.groups},
          {"dtype", to_string(p.dtype)},
          {"layout", to_string(p.layout)},
          {"output", {p.n, p.k, p.out_h(), p.out_w()}},
          {"gflop", p.flops() * 1e-9},
          {"gflop_effective", p.effective_flops() * 1e-9}};
}

json device_json(const DeviceResult& d) {
  if (!d.measurement)
    return {{"ran", false}, {"reason", d.not_run_reason}, {"exit_code", static_cast<int>(d.not_run_code)}};
  const std::string mode = mode_name(d.kind, d.dtype);
  const Measurement& m = *d.measurement;
  json details = json::object();
  for (const auto& [k, v] : m.prepare.details) details[k] = v;
  return {{"ran", true},
          {"dtype", to_string(d.dtype)},
          {"mode", mode},
          {"name", m.device.name},
          {"library", m.device.library_text()},
          {"library_name", m.device.library},
          {"library_version", m.device.library_version},
          {"arch", m.device.arch},
          {"implementation", m.prepare.implementation},
          {"threads", m.prepare.threads},
          {"details", details},
          {"setup_ms", m.prepare.setup_ms},
          {"reorder_ms", m.prepare.reorder_ms},
          {"device_bytes", m.prepare.device_bytes},
          {"cache", to_string(m.cache)},
          {"clock_before", clock_json(m.clock_before)},
          {"clock_after", clock_json(m.clock_after)},
          {"warnings", m.warnings},
          {"roofline", d.roofline ? json{{"peak_tflops", d.roofline->peak_tflops},
                                         {"compute_fraction", d.roofline->compute_fraction},
                                         {"peak_gbps", d.roofline->peak_gbps},
                                         {"memory_fraction", d.roofline->memory_fraction},
                                         {"intensity", d.roofline->intensity},
                                         {"ridge", d.roofline->ridge},
                                         {"bound", d.roofline->bound},
                                         {"ceilings_measured", d.roofline->measured}}
                                  : json(nullptr)},
          {"samples_ms", m.samples_ms},
          {"interrupted", m.interrupted},
          {"round_medians_ms", m.round_medians_ms},
          {"cpu_time_ms", m.cpu_time_ms ? json(*m.cpu_time_ms) : json(nullptr)},
          {"cpu_share", m.cpu_share ? json(*m.cpu_share) : json(nullptr)},
          {"stats", stats_json(m.stats)},
          {"tflops", m.tflops},
          {"verify", check_json(d.reference_check)}};
}

template <typename T>
T field(const json& j, const char* key, const std::string& what) {
  if (!j.contains(key)) throw Error(ExitCode::usage, fmt::format("{}: the record has no '{}'", what, key));
  try {
    return j.at(key).get<T>();
  } catch (const json::exception&) {
    throw Error(ExitCode::usage, fmt::format("{}: '{}' has the wrong type", what, key));
  }
}

std::optional<Check> check_from(const json& j) {
  if (j.is_null()) return std::nullopt;
  Check c;
  c.error = j.value("error", 0.0);
  c.tolerance = j.value("tolerance", 0.0);
  c.points = j.value("points", int64_t{0});
  c.sampled = j.value("sampled", false);
  c.nonfinite_inputs = j.value("nonfinite_inputs", int64_t{0});
  c.nonfinite_expected = j.value("nonfinite_expected", int64_t{0});
  c.overflowed = j.value("overflowed", int64_t{0});
  if (j.contains("mismatch_index") && j["mismatch_index"].is_number_integer())
    c.mismatch_index = j["mismatch_index"].get<int64_t>();
  return c;
}

}  // namespace

json to_json(const RunResult& r, const RunMetadata& m) {
  json devices = json::object();
  const DeviceResult* gpu = nullptr;
  int threads = 0;
  for (const DeviceResult& d : r.devices) {
    devices[to_string(d.kind)] = device_json(d);
    if (d.kind == DeviceKind::gpu && d.measurement) gpu = &d;
    if (d.kind == DeviceKind::cpu && d.measurement) threads = d.measurement->prepare.threads;
  }
  json scheduler = json::object();
  for (const auto& [name, value] : m.scheduler) scheduler[name] = value;
  json speedup = nullptr;
  if (r.speedup)
    speedup = {
        {"value", *r.speedup}, {"uncertainty", r.speedup_uncertainty.value_or(0.0)}, {"basis", r.speedup_basis()}};
  const DeviceInfo* g = gpu ? &gpu->measurement->device : nullptr;
  const std::string cudnn = g ? g->library_version : "";
  return {{"schema_version", kSchemaVersion},
          {"label", r.label},
          {"problem", problem_json(r.problem)},
          {"seed", r.seed},
          {"seed_text", std::to_string(r.seed)},
          {"warmup", r.warmup},
          {"devices", devices},
          {"cross_check", check_json(r.cross_check)},
          {"speedup", speedup},
          {"memory", {{"tensor_bytes", r.problem.tensor_bytes()}, {"peak_host_bytes", r.peak_host_bytes}}},
          {"gpu_index", r.gpu_index >= 0 ? json(r.gpu_index) : json(nullptr)},
          {"gpu_deviation", r.gpu_deviation ? json(*r.gpu_deviation) : json(nullptr)},
          {"straggler", r.straggler},
          {"metadata",
           {{"convbench", m.convbench},
            {"onednn", m.onednn},
            {"cudnn", g ? json(cudnn) : json(nullptr)},
            {"cuda_runtime", g ? json(g->runtime) : json(nullptr)},
            {"driver", g ? json(g->driver) : json(nullptr)},
            {"gpu_name", g ? json(g->name) : json(nullptr)},
            {"gpu_uuid", g ? json(g->uuid) : json(nullptr)},
            {"gpu_pci_bus_id", g && !g->pci_bus_id.empty() ? json(g->pci_bus_id) : json(nullptr)},
            {"cpu_model", m.cpu_model},
            {"threads", threads},
            {"seed", r.seed},
            {"argv", m.argv},
            {"host", m.host},
            {"scheduler", scheduler},
            {"timestamp", m.timestamp}}}};
}

namespace {

Problem problem_from_json(const json& pj, const std::string& what) {
  Problem p;
  p.n = field<int64_t>(pj, "n", what), p.c = field<int64_t>(pj, "c", what), p.h = field<int64_t>(pj, "h", what);
  p.w = field<int64_t>(pj, "w", what), p.k = field<int64_t>(pj, "k", what), p.r = field<int64_t>(pj, "r", what);
  p.s = field<int64_t>(pj, "s", what), p.groups = field<int64_t>(pj, "groups", what);
  const auto stride = field<std::vector<int64_t>>(pj, "stride", what);
  const auto pad = field<std::vector<int64_t>>(pj, "padding", what);
  const auto dil = field<std::vector<int64_t>>(pj, "dilation", what);
  if (stride.size() != 2 || pad.size() != 4 || dil.size() != 2)
    throw Error(ExitCode::usage, what + ": stride, padding or dilation has the wrong length");
  p.stride_h = stride[0], p.stride_w = stride[1];
  p.pad_top = pad[0], p.pad_bottom = pad[1], p.pad_left = pad[2], p.pad_right = pad[3];
  p.dil_h = dil[0], p.dil_w = dil[1];
  const std::string dtype = field<std::string>(pj, "dtype", what), layout = field<std::string>(pj, "layout", what);
  const auto named_dtype = dtype_from_string(dtype);
  const auto named_layout = layout_from_string(layout);
  if (!named_dtype) throw Error(ExitCode::usage, fmt::format("{}: unknown dtype '{}'", what, dtype));
  if (!named_layout) throw Error(ExitCode::usage, fmt::format("{}: unknown layout '{}'", what, layout));
  p.dtype = *named_dtype;
  p.layout = *named_layout;
  // Every printer divides by groups and strides and sizes the output from them: a hand-edited record
  // with groups 0 or a filter larger than its input is refused here, as the command line would refuse it.
  try {
    p.validate();
  } catch (const Error& e) {
    throw Error(ExitCode::usage, fmt::format("{}: the problem is not one convbench can run ({})", what, e.what()));
  }
  return p;
}

DeviceInfo device_info_from_json(DeviceKind kind, const json& dj) {
  DeviceInfo info;
  info.kind = kind;
  if (dj.contains("library_name")) {  // version 2: the facts apart
    info.library = dj.value("library_name", "");
    info.library_version = dj.value("library_version", "");
    info.arch = dj.value("arch", "");
  } else {  // version 1 kept only the joined text
    info.library = dj.value("library", "");
  }
  info.name = dj.value("name", "");
  return info;
}

std::optional<double> optional_number(const json& dj, const char* key) {
  if (dj.contains(key) && dj.at(key).is_number()) return dj.at(key).get<double>();
  return std::nullopt;
}

Measurement measurement_from_json(DeviceKind kind, const json& dj, const std::string& what) {
  Measurement m;
  m.device = device_info_from_json(kind, dj);
  m.prepare.implementation = dj.value("implementation", "");
  m.prepare.threads = dj.value("threads", 0);
  m.prepare.setup_ms = dj.value("setup_ms", 0.0);
  m.prepare.reorder_ms = dj.value("reorder_ms", 0.0);
  m.prepare.device_bytes = dj.value("device_bytes", uint64_t{0});
  m.tflops = dj.value("tflops", 0.0);
  m.cpu_share = optional_number(dj, "cpu_share");
  m.interrupted = dj.value("interrupted", false);
  m.round_medians_ms = dj.value("round_medians_ms", std::vector<double>{});
  m.cpu_time_ms = optional_number(dj, "cpu_time_ms");
  m.cache = dj.value("cache", "hot") == "cold" ? CacheMode::cold : CacheMode::hot;
  m.warnings = dj.value("warnings", std::vector<std::string>{});
  for (auto [key, target] : {std::pair<const char*, std::optional<ClockSample>*>{"clock_before", &m.clock_before},
                             {"clock_after", &m.clock_after}})
    if (dj.contains(key) && dj.at(key).is_object())
      *target = ClockSample{dj.at(key).value("sm_mhz", 0.0), dj.at(key).value("throttle_reasons", uint64_t{0}),
                            dj.at(key).value("throttle", "")};
  if (dj.contains("details"))
    for (const auto& [k, v] : dj.at("details").items()) m.prepare.details.emplace_back(k, v.get<std::string>());
  m.samples_ms = field<std::vector<double>>(dj, "samples_ms", what);
  const json& sj = field<json>(dj, "stats", what);
  m.stats = {field<double>(sj, "sum", what),
             field<double>(sj, "median", what),
             field<double>(sj, "min", what),
             field<double>(sj, "max", what),
             field<double>(sj, "mean", what),
             field<double>(sj, "stddev", what),
             sj.value("cv", 0.0),
             sj.value("outliers", std::vector<size_t>{})};
  return m;
}

DeviceResult device_from_json(const std::string& kind, const json& dj, DType problem_dtype, const std::string& what) {
  DeviceResult d;
  const auto named_kind = device_kind_from_string(kind);
  if (!named_kind) throw Error(ExitCode::usage, fmt::format("{}: unknown device '{}'", what, kind));
  d.kind = *named_kind;
  d.dtype = problem_dtype;  // version 1: every device ran the problem's dtype
  if (dj.contains("dtype")) {
    const auto ran = dtype_from_string(dj.value("dtype", ""));
    if (!ran) throw Error(ExitCode::usage, fmt::format("{}: unknown {} dtype '{}'", what, kind, dj.value("dtype", "")));
    d.dtype = *ran;
  }
  if (!field<bool>(dj, "ran", what)) {
    d.not_run_reason = dj.value("reason", "");
    d.not_run_code = static_cast<ExitCode>(dj.value("exit_code", 0));  // absent before schema 2's exit_code
    return d;
  }
  d.measurement = measurement_from_json(d.kind, dj, what);
  if (dj.contains("roofline") && dj.at("roofline").is_object()) {
    const json& rj = dj.at("roofline");
    d.roofline = Roofline{rj.value("peak_tflops", 0.0), rj.value("compute_fraction", 0.0),
                          rj.value("peak_gbps", 0.0),   rj.value("memory_fraction", 0.0),
                          rj.value("intensity", 0.0),   rj.value("ridge", 0.0),
                          rj.value("bound", ""),        rj.value("ceilings_measured", "")};
  }
  if (dj.contains("verify")) d.reference_check = check_from(dj.at("verify"));
  return d;
}

RunResult record_from(const json& j, const std::string& what) {
  const int version = field<int>(j, "schema_version", what);
  if (version != 1 && version != kSchemaVersion)
    throw Error(ExitCode::usage, fmt::format("{}: schema_version {} is not supported (this convbench reads 1 and {})",
                                             what, version, kSchemaVersion));
  RunResult r;
  r.label = j.value("label", "");
  r.problem = problem_from_json(j.at("problem"), what);
  r.seed = j.value("seed", uint64_t{0});
  if (j.contains("seed_text") && j.at("seed_text").is_string()) {  // exact, whatever the JSON tool did to "seed"
    const std::string text = j.at("seed_text").get<std::string>();
    uint64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size())
      throw Error(ExitCode::usage, fmt::format("{}: seed_text '{}' is not a whole number", what, text));
    r.seed = v;
  }
  if (j.contains("memory")) r.peak_host_bytes = j.at("memory").value("peak_host_bytes", uint64_t{0});
  if (j.contains("gpu_index") && j.at("gpu_index").is_number_integer()) r.gpu_index = j.at("gpu_index").get<int>();
  if (j.contains("gpu_deviation") && j.at("gpu_deviation").is_number())
    r.gpu_deviation = j.at("gpu_deviation").get<double>();
  r.straggler = j.value("straggler", false);
  r.warmup = j.value("warmup", 0);
  const json devices = field<json>(j, "devices", what);
  for (const auto& [kind, dj] : devices.items()) r.devices.push_back(device_from_json(kind, dj, r.problem.dtype, what));
  if (j.contains("cross_check")) r.cross_check = check_from(j.at("cross_check"));
  if (j.contains("speedup") && !j.at("speedup").is_null()) {
    r.speedup = field<double>(j.at("speedup"), "value", what);
    r.speedup_uncertainty = j.at("speedup").value("uncertainty", 0.0);
  }
  return r;
}

}  // namespace

RunResult result_from_json(const json& j, const std::string& what) {
  if (!j.is_object()) throw Error(ExitCode::usage, what + ": a record must be a JSON object");
  try {
    return record_from(j, what);
  } catch (const json::exception& e) {
    // field() names a required field that is missing or of the wrong type; this catches the rest: an
    // optional field of the wrong type, or a part that is not an object (a hand-edited or foreign file).
    throw Error(ExitCode::usage, fmt::format("{}: not a record as convbench writes it ({})", what, e.what()));
  }
}

std::vector<json> read_records(const std::string& file, const std::string& what) {
  const std::string path = file == "-" ? "/dev/stdin" : file;
  if (file == "-") {
    if (const std::string why = stdin_read_error(); !why.empty())
      throw Error(ExitCode::usage, fmt::format("{}: cannot read stdin: {}", what, why));
    // Typed at a terminal (a '-' meant for a pipe), the read would otherwise wait in silence.
    if (isatty(STDIN_FILENO) == 1)
      std::cerr << "convbench: " << what << ": reading records from the terminal; Ctrl-D ends them\n";
  }
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))  // opens, but reads as nothing: "holds no records" misled
    throw Error(ExitCode::usage, fmt::format("{}: cannot read '{}': it is a folder, not a file", what, path));
  if (!std::filesystem::exists(path, ec))
    throw Error(ExitCode::usage, fmt::format("{}: cannot read '{}': no such file", what, path));
  std::ifstream in(path);
  if (!in) throw Error(ExitCode::usage, fmt::format("{}: cannot read '{}'", what, path));
  const std::string text = read_record_text(in, path, what);
  std::vector<json> out;
  try {
    const json whole = json::parse(text);
    if (whole.is_array()) return whole.get<std::vector<json>>();
    out.push_back(whole);
    return out;
  } catch (const json::parse_error&) {
    // Not one document: JSON Lines.
  }
  std::istringstream lines(text);
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    try {
      out.push_back(json::parse(line));
    } catch (const json::parse_error&) {
      // convbench's other formats, saved as a baseline by mistake: say which, and how to get records.
      const bool csv = number == 1 && line.rfind("schema_version,", 0) == 0;
      const bool markdown = number == 1 && line.rfind("| problem |", 0) == 0;
      const bool table = number == 1 && (line.rfind("problem ", 0) == 0 || line.rfind("problem:", 0) == 0);
      if (csv || markdown || table)
        throw Error(ExitCode::usage, fmt::format("{}: '{}' is convbench's {}, not records; write them with --format "
                                                 "json or --format jsonl",
                                                 what, path,
                                                 csv        ? "CSV"
                                                 : markdown ? "Markdown table"
                                                            : "table"));
      throw Error(ExitCode::usage,
                  fmt::format("{}: '{}' line {} is not JSON (expected a JSON array, object or JSON Lines)", what, path,
                              number));
    }
  }
  return out;
}

std::vector<json> read_record_files(const std::vector<std::string>& files, const std::string& what) {
  if (std::count(files.begin(), files.end(), "-") > 1)
    throw Error(ExitCode::usage,
                fmt::format("{}: '-' (standard input) is given more than once; it can be read once", what));
  std::vector<json> out;
  for (const std::string& f : files) {
    const std::vector<json> part = read_records(f, what);
    out.insert(out.end(), part.begin(), part.end());
  }
  return out;
}

}  // namespace convbench

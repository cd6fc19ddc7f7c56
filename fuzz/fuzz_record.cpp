// Fuzzes what compare, fleet and report do with a result file: any JSON either reads as records, which
// compare, fleet, every printer and a write-and-read-back then handle, or is refused with convbench::Error.
// Anything else escaping (a JSON library exception, an out-of-range index) is a bug: "internal error".
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/compare.hpp"
#include "cli/fleet.hpp"
#include "convbench/error.hpp"
#include "convbench/record.hpp"
#include "convbench/report.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using nlohmann::json;
  // As read_records reads a file: one JSON document (an array of records, or one), else JSON Lines.
  std::vector<json> records;
  if (const json doc = json::parse(data, data + size, nullptr, false); !doc.is_discarded()) {
    records = doc.is_array() ? doc.get<std::vector<json>>() : std::vector<json>{doc};
  } else {
    std::istringstream lines(std::string(reinterpret_cast<const char*>(data), size));
    for (std::string line; std::getline(lines, line);)
      if (json j = json::parse(line, nullptr, false); !j.is_discarded()) records.push_back(std::move(j));
  }
  std::vector<convbench::RunResult> results;
  for (const json& j : records) {
    try {
      results.push_back(convbench::result_from_json(j, "fuzz"));
    } catch (const convbench::Error&) {
    }
  }
  try {
    convbench::build_fleet(records, {});
    convbench::FleetOptions cpu;
    cpu.device = convbench::DeviceKind::cpu;
    convbench::build_fleet(records, cpu);
  } catch (const convbench::Error&) {
  }
  if (results.empty()) return 0;
  convbench::compare_results(results, results, convbench::DeviceSelection::all, 0.05);
  std::ostringstream sink;
  const convbench::RunMetadata meta{};
  for (const convbench::Format f :
       {convbench::Format::table, convbench::Format::json, convbench::Format::csv, convbench::Format::markdown}) {
    const auto printer = convbench::make_printer(f, sink);
    printer->begin(meta);
    for (const convbench::RunResult& r : results) printer->record(r);
    printer->end(convbench::summarize_suite(results, static_cast<int>(results.size()), false));
  }
  // What convbench writes, it reads back.
  for (const convbench::RunResult& r : results) convbench::result_from_json(convbench::to_json(r, meta), "round trip");
  return 0;
}

// The JSON record of one problem (schema_version 1), shared by the JSON/JSONL printers, the CSV columns'
// sources and `convbench compare`.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "convbench/result.hpp"

namespace convbench {

/// 2 added each device's `dtype` and `mode`; version 1 records are still read (both devices ran the
/// problem's dtype then).
constexpr int kSchemaVersion = 2;

nlohmann::json to_json(const RunResult& r, const RunMetadata& m);
/// Reads back what to_json wrote (outputs are not part of a record). Throws Error(usage) naming `what`
/// when a required field is missing or has the wrong type.
RunResult result_from_json(const nlohmann::json& j, const std::string& what);
/// The records of a result file (`-`: standard input): a JSON array, one JSON object, or JSON Lines.
/// Throws Error(usage).
std::vector<nlohmann::json> read_records(const std::string& file, const std::string& what);
/// The records of every file in turn, `-` being standard input, which can be named once: a second `-` would
/// read nothing. Throws Error(usage).
std::vector<nlohmann::json> read_record_files(const std::vector<std::string>& files, const std::string& what);

}  // namespace convbench

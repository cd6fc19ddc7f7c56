// The JSON record: round trips, version 1, missing fields, CSV columns, reading arrays and JSON Lines.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "convbench/descriptor.hpp"
#include "convbench/record.hpp"
#include "convbench/report.hpp"
#include "sample_result.hpp"
#include "scratch_dir.hpp"

using namespace convbench;
using namespace convbench::testing;

TEST(Record, JsonRoundTrips) {
  RunResult r = sample_result(40, 2, 1);
  // Fields that compare reads back: the cache mode and each round's median.
  r.devices[1].measurement->cache = CacheMode::cold;
  r.devices[1].measurement->round_medians_ms = {2.1, 1.9, 2.0};
  const auto j = to_json(r, kMeta);
  EXPECT_EQ(j.at("devices").at("gpu").at("cache"), "cold");
  EXPECT_EQ(j.at("schema_version"), 2);
  EXPECT_EQ(j.at("devices").at("cpu").at("dtype"), "bf16");
  EXPECT_EQ(j.at("devices").at("cpu").at("mode"), "bf16");
  EXPECT_EQ(j.at("problem").at("descriptor"), format_descriptor(r.problem));
  EXPECT_EQ(j.at("devices").at("cpu").at("samples_ms").size(), 3u);
  EXPECT_EQ(j.at("metadata").at("argv").size(), 3u);
  EXPECT_EQ(j.at("metadata").at("seed"), 77);
  const RunResult back = result_from_json(nlohmann::json::parse(j.dump()), "test");
  EXPECT_EQ(back.problem, r.problem);
  EXPECT_EQ(to_json(back, kMeta), j);
}

TEST(Record, VersionOneRecordsAreStillReadAndDeviceModesComeBack) {
  RunResult r = sample_result(40, 2, 1);
  r.problem.dtype = DType::tf32;
  for (DeviceResult& d : r.devices) d.dtype = d.kind == DeviceKind::cpu ? DType::f32 : DType::tf32;
  auto j = to_json(r, kMeta);
  const RunResult back = result_from_json(j, "v2");
  for (const DeviceResult& d : back.devices)
    EXPECT_EQ(d.dtype, d.kind == DeviceKind::cpu ? DType::f32 : DType::tf32) << to_string(d.kind);
  // Version 1 had no per-device dtype: every device ran the problem's.
  j["schema_version"] = 1;
  for (auto& [kind, dj] : j.at("devices").items()) dj.erase("dtype"), dj.erase("mode");
  const RunResult v1 = result_from_json(j, "v1");
  for (const DeviceResult& d : v1.devices) EXPECT_EQ(d.dtype, DType::tf32) << to_string(d.kind);
  // An unknown name is refused, not read as f32.
  j["problem"]["dtype"] = "fp8";
  try {
    result_from_json(j, "rec");
    ADD_FAILURE() << "accepted fp8";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "rec: unknown dtype 'fp8'");
  }
}

TEST(Record, MissingFieldsAreNamed) {
  auto j = to_json(sample_result(40, 2), kMeta);
  j.erase("devices");
  try {
    result_from_json(j, "rec");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "rec: the record has no 'devices'");
  }
  j = to_json(sample_result(40, 2), kMeta);
  j["schema_version"] = 99;
  EXPECT_THROW(result_from_json(j, "rec"), Error);
}

TEST(Record, AProblemTheCommandLineWouldRefuseIsRefused) {
  // groups 0 once reached a division by zero in describe() (found by fuzz_record); a zero stride or a
  // filter larger than the input would size the output wrongly in every printer.
  const auto base = to_json(sample_result(40, 2), kMeta);
  const std::vector<std::pair<const char*, nlohmann::json>> edits = {
      {"groups", 0}, {"stride", {0, 1}}, {"r", 4000}, {"n", -3}};
  const std::vector<std::string> reasons = {"--groups: '0' is not valid; each size must be an integer from 1 to",
                                            "--stride: '0x1' is not valid; each size must be an integer from 1 to",
                                            "--filter: the 4000x",
                                            "--batch: '-3' is not valid; each size must be an integer from 1 to"};
  for (size_t i = 0; i < edits.size(); ++i) {
    auto j = base;
    j["problem"][edits[i].first] = edits[i].second;
    try {
      result_from_json(j, "rec");
      ADD_FAILURE() << "accepted " << edits[i].first;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ExitCode::usage);
      EXPECT_EQ(std::string(e.what()).rfind("rec: the problem is not one convbench can run (" + reasons[i], 0), 0u)
          << e.what();
    }
  }
}

namespace {
/// One CSV line's cells, with RFC 4180 quoting undone.
std::vector<std::string> csv_cells(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char ch = line[i];
    if (quoted && ch == '"' && i + 1 < line.size() && line[i + 1] == '"')
      out.back() += '"', ++i;
    else if (ch == '"')
      quoted = !quoted;
    else if (ch == ',' && !quoted)
      out.emplace_back();
    else
      out.back() += ch;
  }
  return out;
}

/// The header and each row of `records` in CSV, as a column-name lookup per row.
std::vector<std::map<std::string, std::string>> csv_rows(const std::vector<RunResult>& records, size_t& columns) {
  std::ostringstream out;
  auto csv = make_csv_printer(out);
  csv->begin(kMeta);
  for (const RunResult& r : records) csv->record(r);
  std::istringstream lines(out.str());
  std::string line;
  std::getline(lines, line);
  const auto header = csv_cells(line);
  columns = header.size();
  std::vector<std::map<std::string, std::string>> rows;
  while (std::getline(lines, line)) {
    const auto cells = csv_cells(line);
    EXPECT_EQ(cells.size(), header.size()) << line;
    auto& row = rows.emplace_back();
    for (size_t i = 0; i < header.size() && i < cells.size(); ++i) row[header[i]] = cells[i];
    EXPECT_EQ(row.size(), header.size()) << "a column name repeats";
  }
  return rows;
}
}  // namespace

namespace {

/// sample_result() (a bf16 problem) whose CPU ran `mode`, with `detail` as its "mode" detail unless empty.
RunResult cpu_ran(DType mode, const std::string& detail, const std::string& label) {
  RunResult r = sample_result(40, 2);
  r.label = label;
  r.devices[0].dtype = mode;
  if (!detail.empty()) r.devices[0].measurement->prepare.details.emplace_back("mode", detail);
  return r;
}

}  // namespace

TEST(Record, CsvHeaderAndColumns) {
  size_t columns = 0;
  const auto rows = csv_rows({sample_result(40, 2)}, columns);
  EXPECT_EQ(columns, 23u + 2 * 12 + 3 + 2 * 2 + 2);
  ASSERT_EQ(rows.size(), 1u);
  auto col = [&](const std::string& name) {
    const auto it = rows[0].find(name);
    if (it != rows[0].end()) return it->second;
    ADD_FAILURE() << "no column " << name;
    return std::string();
  };
  EXPECT_EQ(col("schema_version"), "2");
  EXPECT_EQ(col("cpu_dtype"), "bf16");  // sample_result's devices run the dtype asked
  EXPECT_EQ(col("dtype"), "bf16");
  EXPECT_EQ(col("pad_bottom"), "2");
  EXPECT_EQ(col("cpu_ran"), "true");
  EXPECT_EQ(col("cpu_median_ms"), "40");
  EXPECT_EQ(col("gpu_median_ms"), "2");
  EXPECT_EQ(col("gpu_implementation"), "fake:direct");
  EXPECT_EQ(col("speedup"), "20");
  EXPECT_EQ(col("speedup_uncertainty"), "0.5");
  for (const char* device_ran :
       {"cpu_exit_code", "cpu_reason", "gpu_exit_code", "gpu_reason", "cpu_other_mode", "gpu_other_mode"})
    EXPECT_EQ(col(device_ran), "") << device_ran;
}

// A bf16 row whose CPU ran f32 said so in cpu_dtype only: why (no kernel, a trial, a forced mode) was not there.
TEST(Record, CsvSaysWhyADeviceRanAnotherMode) {
  size_t columns = 0;
  const auto rows = csv_rows(
      {cpu_ran(DType::f32, "f32 instead of bf16: no bf16, \"here\"", "a"), cpu_ran(DType::f32, "", "b")}, columns);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].at("cpu_dtype"), "f32");
  EXPECT_EQ(rows[0].at("cpu_other_mode"), "f32 instead of bf16: no bf16, \"here\"");
  EXPECT_EQ(rows[1].at("cpu_other_mode"), "f32, forced by --cpu-dtype");
  EXPECT_EQ(rows[0].at("gpu_other_mode"), "");
}

// A device that did not run said only `gpu_ran` false in CSV: why, and whether it failed, was in JSON alone.
TEST(Record, CsvSaysWhyADeviceDidNotRun) {
  RunResult failed = sample_result(40, 2), absent = sample_result(40, 2);
  failed.devices[1].measurement.reset();
  failed.devices[1].not_run_reason = "cuDNN: CUDNN_STATUS_EXECUTION_FAILED, \"engine 12\"";
  failed.devices[1].not_run_code = ExitCode::library;
  failed.speedup.reset();
  failed.cross_check.reset();
  absent.devices.pop_back();  // --device cpu: the GPU was not asked for
  absent.speedup.reset();
  size_t columns = 0;
  const auto rows = csv_rows({failed, absent}, columns);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].at("gpu_ran"), "false");
  EXPECT_EQ(rows[0].at("gpu_exit_code"), "7");
  EXPECT_EQ(rows[0].at("gpu_reason"), "cuDNN: CUDNN_STATUS_EXECUTION_FAILED, \"engine 12\"");
  EXPECT_EQ(rows[0].at("gpu_median_ms"), "");
  EXPECT_EQ(rows[0].at("cpu_median_ms"), "40");
  EXPECT_EQ(rows[0].at("cpu_exit_code"), "");
  EXPECT_EQ(rows[1].at("gpu_ran"), "false");
  EXPECT_EQ(rows[1].at("gpu_exit_code"), "");
  EXPECT_EQ(rows[1].at("gpu_reason"), "");
}

TEST(Record, CsvQuotesACellWithACommaAQuoteOrALineBreak) {
  EXPECT_EQ(csv_cell("brgconv:avx512_core"), "brgconv:avx512_core");
  EXPECT_EQ(csv_cell("a, b"), "\"a, b\"");
  EXPECT_EQ(csv_cell("say \"x\""), "\"say \"\"x\"\"\"");
  // A library's message may hold a line break: unquoted, it would end the row.
  EXPECT_EQ(csv_cell("cuDNN: failed\nplan 3"), "\"cuDNN: failed\nplan 3\"");
}

TEST(Record, ASpeedupOverUnequalRunCountsSaysItIsARatioOfMeans) {
  RunResult r = sample_result(40, 2);
  EXPECT_EQ(to_json(r, kMeta).at("speedup").at("basis"), "sum");
  r.devices[1].measurement->samples_ms.pop_back();  // the GPU ran fewer rounds (lost on a later problem)
  EXPECT_EQ(to_json(r, kMeta).at("speedup").at("basis"), "mean");
}

TEST(Record, ReadsArraysObjectsAndJsonLines) {
  const auto a = to_json(sample_result(40, 2), kMeta), b = to_json(sample_result(30, 3), kMeta);
  const ScratchDir dir("records");
  const std::string arr = dir.path + "/arr.json", one = dir.path + "/one.json", lines = dir.path + "/l.jsonl";
  std::ofstream(arr) << nlohmann::json::array({a, b}).dump(2);
  std::ofstream(one) << a.dump(2);
  std::ofstream(lines) << a.dump() << "\n" << b.dump() << "\n";
  EXPECT_EQ(read_records(arr, "t").size(), 2u);
  EXPECT_EQ(read_records(one, "t").size(), 1u);
  EXPECT_EQ(read_records(lines, "t").size(), 2u);
  std::ofstream(lines) << a.dump() << "\nnot json\n";
  try {
    read_records(lines, "t");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("line 2 is not JSON"), std::string::npos) << e.what();
  }
}

TEST(Record, SeedsAbove2To53SurviveToolsThatRoundNumbers) {
  RunResult r = sample_result(40, 2);
  r.seed = 18446744073709551557ull;  // far above 2^53
  auto j = to_json(r, kMeta);
  EXPECT_EQ(j.at("seed_text"), "18446744073709551557");
  j["seed"] = 18446744073709549568.0;  // what a double-based tool writes back (the nearest double)
  EXPECT_EQ(result_from_json(j, "rec").seed, 18446744073709551557ull);
}

TEST(Record, OtherModeNoteSaysWhichModeRanAndWhy) {
  const RunResult same = sample_result(40, 2);
  EXPECT_EQ(other_mode_note(same, same.devices[0]), "") << "the dtype asked";
  const RunResult fallback = cpu_ran(DType::f32, "f32 instead of bf16: no bf16 here", "a");
  EXPECT_EQ(other_mode_note(fallback, fallback.devices[0]), "f32 instead of bf16: no bf16 here");
  const RunResult timed =
      cpu_ran(DType::f32, "f32 by time: bf16 4.000 ms, f32 2.000 ms (best of 3+1 and 3 trial runs, 0.10 s)", "a");
  EXPECT_EQ(other_mode_note(timed, timed.devices[0]), "f32, chosen by a timed trial (--cpu-dtype fastest)");
  const RunResult forced = cpu_ran(DType::f32, "", "a");
  EXPECT_EQ(other_mode_note(forced, forced.devices[0]), "f32, forced by --cpu-dtype");
  RunResult paired = cpu_ran(DType::tf32, "", "a");
  paired.problem.dtype = DType::tf32;
  paired.devices[1].dtype = DType::tf32;
  EXPECT_EQ(other_mode_note(paired, paired.devices[0]), "f32 with bf16 math, the CPU's mode for tf32");
  EXPECT_EQ(other_mode_note(paired, paired.devices[1]), "") << "the GPU's tf32 is the dtype asked";
  RunResult absent = forced;
  absent.devices[0].measurement.reset();
  EXPECT_EQ(other_mode_note(absent, absent.devices[0]), "") << "a device that did not run ran no mode";
}

// The Markdown table showed only "(f32)" after the CPU's name below it: a bf16 row read as bf16 against bf16.
TEST(Record, MarkdownSaysInTheRowWhereTheCpuRanAnotherModeAndWhyBelow) {
  std::ostringstream out;
  auto md = make_markdown_printer(out);
  md->begin(kMeta);
  const std::vector<RunResult> rows = {
      cpu_ran(DType::f32, "f32 instead of bf16: no bf16 here", "a"),
      cpu_ran(DType::f32, "f32 instead of bf16: no bf16 here", "b"),
      cpu_ran(DType::f32, "f32 by time: bf16 4.000 ms, f32 2.000 ms (best of 3+1 and 3 trial runs, 0.10 s)", "c"),
      cpu_ran(DType::bf16, "bf16 by time: bf16 4.000 ms, f32 4.100 ms (best of 3 and 3+1 trial runs, 0.10 s)", "d")};
  for (const RunResult& r : rows) md->record(r);
  md->end(summarize_suite(rows, 2, false));
  const std::string s = out.str();
  EXPECT_NE(s.find("| a | 2x9x8x3 k4x3x2 p1 bf16 | 40.000 (f32) | 2.000 | 20.0 ± 0.5x | ok |\n"), std::string::npos)
      << s;
  EXPECT_NE(s.find("| c | 2x9x8x3 k4x3x2 p1 bf16 | 40.000 (f32) | 2.000 |"), std::string::npos) << s;
  EXPECT_NE(s.find("| d | 2x9x8x3 k4x3x2 p1 bf16 | 40.000 | 2.000 |"), std::string::npos) << "bf16 kept: " << s;
  // Below the table, once each.
  EXPECT_EQ(count(s, "- cpu ran f32 instead of bf16: no bf16 here\n"), 1u) << s;
  EXPECT_EQ(count(s, "- cpu ran f32, chosen by a timed trial (--cpu-dtype fastest)\n"), 1u) << s;
  EXPECT_EQ(count(s, "- cpu ran "), 2u) << s;
}

TEST(Record, MarkdownTableForAPullRequest) {
  std::ostringstream out;
  auto md = make_markdown_printer(out);
  md->begin(kMeta);
  RunResult r = sample_result(40, 2);
  r.label = "a|b";
  md->record(r);
  RunResult no_gpu = sample_result(40, 2);
  no_gpu.devices[1] = DeviceResult{DeviceKind::gpu, std::nullopt, "no NVIDIA driver", std::nullopt};
  no_gpu.speedup.reset();
  md->record(no_gpu);
  md->end(summarize_suite({r, no_gpu}, 2, false));
  const std::string s = out.str();
  EXPECT_EQ(s.rfind("| problem | shape | CPU median (ms) | GPU median (ms) | GPU speedup over CPU | verified |\n"
                    "|---|---|---:|---:|---:|---|\n",
                    0),
            0u)
      << s;
  EXPECT_NE(s.find("| a\\|b | 2x9x8x3 k4x3x2 p1 bf16 | 40.000 | 2.000 | 20.0 ± 0.5x | ok |\n"), std::string::npos) << s;
  EXPECT_NE(s.find("| unit | 2x9x8x3 k4x3x2 p1 bf16 | 40.000 | - | - | ok |\n"), std::string::npos) << s;
  EXPECT_NE(s.find("- gpu not run: no NVIDIA driver\n"), std::string::npos) << s;
  EXPECT_NE(s.find("\n`convbench --seed 77` (convbench 0.1.0, 2026-11-27T00:00:00Z)\n"), std::string::npos) << s;
}

// Records: the JSON schema round-trips, CSV columns, `compare` verdicts, problem lists, .npy files.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "cli/compare.hpp"
#include "cli/problem_flags.hpp"
#include "convbench/descriptor.hpp"
#include "convbench/npy.hpp"
#include "convbench/record.hpp"
#include "convbench/report.hpp"
#include "fake_backend.hpp"

using namespace convbench;
using convbench::testing::FakeBackend;

namespace {

std::vector<float> reference_output(const Problem& p, const HostTensors& t) {
  const auto ref = reference_conv(p, t);
  return std::vector<float>(ref.begin(), ref.end());
}

RunResult sample_result(double cpu_ms, double gpu_ms, double spread = 0.0) {
  Problem p;
  p.n = 2, p.h = 9, p.w = 8, p.k = 4, p.r = 3, p.s = 2, p.pad_top = 1, p.pad_bottom = 2, p.dtype = DType::bf16;
  const HostTensors t = make_inputs(p, 1);
  FakeBackend cpu({1, cpu_ms - spread, cpu_ms, cpu_ms + spread}, "cpu"),
      gpu({1, gpu_ms - spread / 10, gpu_ms, gpu_ms + spread / 10}, "gpu");
  RunResult r;
  r.label = "unit";
  r.problem = p;
  r.seed = 77;
  r.warmup = 1;
  r.devices.push_back(
      {DeviceKind::cpu, measure(cpu, p, t, {1, 3}), "", check_against_reference(p, t, reference_output(p, t), 1)});
  r.devices.push_back({DeviceKind::gpu, measure(gpu, p, t, {1, 3}), "", std::nullopt});
  r.devices[1].measurement->prepare.details = {{"workspace", "0 bytes"}};
  r.cross_check = Check{1e-7, 1e-2, 42, false};
  r.speedup = speedup(r.devices[0].measurement->stats, r.devices[1].measurement->stats);
  r.speedup_uncertainty = 0.5;
  return r;
}

const RunMetadata kMeta{"0.1.0", "2.6.3", "Test CPU", "2026-11-27T00:00:00Z", {"convbench", "--seed", "77"}};

std::string temp_path(const std::string& name) { return ::testing::TempDir() + "/" + name; }

}  // namespace

TEST(Record, JsonRoundTrips) {
  const RunResult r = sample_result(40, 2, 1);
  const auto j = to_json(r, kMeta);
  EXPECT_EQ(j.at("schema_version"), 2);
  EXPECT_EQ(j.at("devices").at("cpu").at("dtype"), "f32");
  EXPECT_EQ(j.at("devices").at("cpu").at("mode"), "f32");
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

TEST(Record, CsvHeaderAndColumns) {
  std::ostringstream out;
  auto csv = make_csv_printer(out);
  csv->begin(kMeta);
  csv->record(sample_result(40, 2));
  std::istringstream lines(out.str());
  std::string header, row;
  std::getline(lines, header);
  std::getline(lines, row);
  auto split = [](const std::string& s) {
    std::vector<std::string> v;
    std::stringstream ss(s);
    for (std::string c; std::getline(ss, c, ',');) v.push_back(c);
    if (!s.empty() && s.back() == ',') v.push_back("");
    return v;
  };
  const auto h = split(header), c = split(row);
  ASSERT_EQ(h.size(), c.size()) << header << "\n" << row;
  EXPECT_EQ(h.size(), 23u + 2 * 12 + 3);
  auto col = [&](const std::string& name) {
    for (size_t i = 0; i < h.size(); ++i)
      if (h[i] == name) return c[i];
    ADD_FAILURE() << "no column " << name;
    return std::string();
  };
  EXPECT_EQ(h.front(), "schema_version");
  EXPECT_EQ(c.front(), "2");
  EXPECT_EQ(col("cpu_dtype"), "f32");  // sample_result's devices keep DeviceResult's default
  EXPECT_EQ(col("dtype"), "bf16");
  EXPECT_EQ(col("pad_bottom"), "2");
  EXPECT_EQ(col("cpu_ran"), "true");
  EXPECT_EQ(col("cpu_median_ms"), "40");
  EXPECT_EQ(col("gpu_median_ms"), "2");
  EXPECT_EQ(col("gpu_implementation"), "fake:direct");
  EXPECT_EQ(col("speedup"), "20");
  EXPECT_EQ(col("speedup_uncertainty"), "0.5");
}

TEST(Record, ReadsArraysObjectsAndJsonLines) {
  const auto a = to_json(sample_result(40, 2), kMeta), b = to_json(sample_result(30, 3), kMeta);
  const std::string arr = temp_path("arr.json"), one = temp_path("one.json"), lines = temp_path("l.jsonl");
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

TEST(Compare, VerdictsAgainstNoise) {
  const std::vector<RunResult> base{sample_result(40, 2, 0.4)};  // cpu spread ±1%
  // Same within noise, clearly slower, clearly faster.
  auto verdict = [&](double cpu_ms, double threshold) {
    const auto rep = compare_results(base, {sample_result(cpu_ms, 2, 0.4)}, DeviceSelection::cpu, threshold);
    EXPECT_EQ(rep.rows.size(), 1u);
    return rep.rows.at(0);
  };
  EXPECT_EQ(verdict(40.2, 0.05).verdict, Verdict::same);
  const Comparison slow = verdict(48, 0.05);
  EXPECT_EQ(slow.verdict, Verdict::slower);
  EXPECT_NEAR(slow.ratio, 1.2, 1e-9);
  EXPECT_TRUE(slow.regression);
  EXPECT_FALSE(verdict(48, 0.5).regression);  // slower, but within a 50% threshold
  EXPECT_EQ(verdict(20, 0.05).verdict, Verdict::faster);
  EXPECT_FALSE(verdict(20, 0.05).regression);
  // Noise widens "same": 10% spread on both sides hides a 15% change.
  const std::vector<RunResult> noisy{sample_result(40, 2, 4)};
  const auto rep = compare_results(noisy, {sample_result(46, 2, 4)}, DeviceSelection::cpu, 0.0);
  EXPECT_EQ(rep.rows.at(0).verdict, Verdict::same);
  EXPECT_FALSE(rep.rows.at(0).regression);
}

TEST(Compare, UnmatchedProblemsAreListed) {
  RunResult other = sample_result(40, 2);
  other.problem.n = 5;
  const auto rep = compare_results({sample_result(40, 2)}, {other}, DeviceSelection::all, 0.05);
  EXPECT_TRUE(rep.rows.empty());
  EXPECT_EQ(rep.only_in_base.size(), 1u);
  EXPECT_EQ(rep.only_in_new.size(), 1u);
  const auto both = compare_results({sample_result(40, 2)}, {sample_result(40, 2)}, DeviceSelection::all, 0.05);
  EXPECT_EQ(both.rows.size(), 2u);  // cpu and gpu
}

TEST(Compare, ADeviceThatRanAnotherModeIsListedNotCompared) {
  RunResult base = sample_result(40, 2), next = sample_result(20, 2);
  base.devices[0].dtype = DType::tf32;  // the CPU ran bf16 math in the base, strict FP32 now
  const auto rep = compare_results({base}, {next}, DeviceSelection::all, 0.05);
  ASSERT_EQ(rep.rows.size(), 1u);
  EXPECT_EQ(rep.rows[0].device, DeviceKind::gpu);
  ASSERT_EQ(rep.mode_changes.size(), 1u);
  EXPECT_EQ(rep.mode_changes[0], "cpu " + base.problem.describe() + ": f32 with bf16 math -> f32");
}

TEST(ProblemList, FlagsDescriptorsCommentsAndDefaults) {
  std::istringstream in(
      "# a comment\n\n--batch 3 --input 10x10x3 --filter 4x3x3\nmb2ic8ih12oc8kh3ph1 # with a comment\n"
      "--input 9x9x3 --filter 2x3x3 --dtype bf16\n");
  ProblemFlags d;
  d.batch = "7";
  d.layout = "nchw";
  const auto list = read_problem_list(in, "list.txt", d);
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].label, "list.txt:3");
  EXPECT_EQ(list[0].problem.n, 3);
  EXPECT_EQ(list[0].problem.layout, Layout::nchw);  // a default from the command line
  EXPECT_EQ(list[1].label, "list.txt:4");
  EXPECT_EQ(list[1].problem, parse_descriptor("mb2ic8ih12oc8kh3ph1", DType::f32, Layout::nchw));
  EXPECT_EQ(list[2].problem.n, 7);
  EXPECT_EQ(list[2].problem.dtype, DType::bf16);
}

TEST(ProblemList, ErrorsNameTheLine) {
  auto error_of = [](const std::string& text) {
    std::istringstream in(text);
    try {
      read_problem_list(in, "p.txt", {});
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ExitCode::usage);
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(error_of("--batch 2\n\n--batch 0\n"),
            "p.txt:3: --batch: '0' is not valid; expected a whole number from 1 to 2147483647");
  EXPECT_EQ(error_of("# ok\nmb2ic3oc4kh3\n"),
            "p.txt:2: descriptor 'mb2ic3oc4kh3' is not valid: 'ih' or 'iw' is required");
  EXPECT_EQ(error_of("--runs 5\n"), "p.txt:1: The following argument was not expected: --runs");
  EXPECT_EQ(error_of("mb2ic3ih10oc4kh3 --batch 4\n"),
            "p.txt:1: descriptor 'mb2ic3ih10oc4kh3' and shape flags (--batch, --input, --filter, --stride, --padding, "
            "--dilation, --groups) cannot be combined; give one or the other");
  EXPECT_EQ(error_of("# nothing\n"), "--problems: 'p.txt' lists no problems");
}

TEST(Npy, WritesAndReadsBack) {
  const std::string path = temp_path("a.npy");
  const std::vector<float> data{1.5f, -2.0f, 3.25f, 0.0f, 7.0f, 8.0f};
  write_npy(path, "--save-output", {1, 2, 3}, data);
  const NpyArray a = read_npy(path, "--input-data");
  EXPECT_EQ(a.shape, (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(a.data, data);
  EXPECT_EQ(a.descr, "<f4");
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ((bytes.size() - data.size() * 4) % 64, 0u);  // header padded to 64 bytes, as NumPy does
}

TEST(Npy, ReadsFloat16AndFormat2) {
  // Hand-built: version 2.0 header, '<f2' data [1.0, -2.0].
  std::string header = "{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }";
  header.append(64 - (12 + header.size() + 1) % 64, ' ');
  header += '\n';
  std::string bytes = std::string("\x93NUMPY\x02\x00", 8);
  for (int i = 0; i < 4; ++i) bytes += static_cast<char>((header.size() >> (8 * i)) & 0xff);
  bytes += header;
  bytes += std::string("\x00\x3c\x00\xc0", 4);
  const NpyArray a = parse_npy(bytes, "x");
  EXPECT_EQ(a.descr, "<f2");
  EXPECT_EQ(a.data, (std::vector<float>{1.0f, -2.0f}));
}

TEST(Npy, MalformedFilesAreRejectedWithAReason) {
  auto error_of = [](const std::string& bytes) {
    try {
      parse_npy(bytes, "f.npy");
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ExitCode::usage);
      return std::string(e.what());
    }
    return std::string();
  };
  auto npy = [](const std::string& dict, const std::string& data) {
    std::string h = dict + "\n";
    return std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(h.size() & 0xff) + static_cast<char>(h.size() >> 8) +
           h + data;
  };
  EXPECT_EQ(error_of("hello"), "f.npy: not a .npy file (bad magic)");
  EXPECT_EQ(error_of(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", std::string(8, '\0'))),
            "f.npy: dtype '<f8' is not supported; use little-endian float32 ('<f4') or float16 ('<f2')");
  EXPECT_EQ(error_of(npy("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", std::string(4, '\0'))),
            "f.npy: dtype '>f4' is not supported; use little-endian float32 ('<f4') or float16 ('<f2')");
  EXPECT_EQ(error_of(npy("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", std::string(4, '\0'))),
            "f.npy: Fortran-ordered arrays are not supported; save in C order");
  EXPECT_EQ(error_of(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", std::string(20, '\0'))),
            "f.npy: the data is 20 bytes, but shape (2, 3) of <f4 needs 24");
  EXPECT_EQ(error_of(npy("{'descr': '<f4', 'fortran_order': False, }", "")), "f.npy: the shape is missing");
  EXPECT_EQ(error_of(npy("not a dict", "")), "f.npy: the header is not a dictionary");
  EXPECT_EQ(error_of(std::string("\x93NUMPY\x01\x00\xff\x7f", 10)), "f.npy: truncated header");
  EXPECT_EQ(error_of(std::string("\x93NUMPY\x07\x00\x00\x00", 10)), "f.npy: unsupported .npy format version 7");
  try {
    read_npy("/nonexistent/x.npy", "--input-data");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "--input-data: cannot read '/nonexistent/x.npy': no such file");
  }
}

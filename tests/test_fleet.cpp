// `fleet`: records of several nodes grouped by problem and model, deviations from the fleet median, and the
// flags: a planted straggler and only it, failures, missing nodes.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <utility>

#include "cli/fleet.hpp"
#include "convbench/record.hpp"
#include "sample_result.hpp"
#include "scratch_dir.hpp"

using namespace convbench;
using namespace convbench::testing;

namespace {

/// A record from rank `rank` of host `host` whose GPU took `gpu_ms` a run (spread ±1%).
nlohmann::json node_record(const std::string& host, int rank, double gpu_ms) {
  RunResult r = sample_result(40, gpu_ms, gpu_ms * 0.1);  // the GPU's spread is a tenth of this: ±1%
  RunMetadata m = kMeta;
  m.host = host;
  m.scheduler = {{"SLURM_JOB_ID", "7"}, {"SLURM_PROCID", std::to_string(rank)}};
  return to_json(r, m);
}

}  // namespace

TEST(Fleet, ANodeIsItsHostAndTheRankAnyLauncherGave) {
  for (const char* rank : {"SLURM_PROCID", "OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"}) {
    RunMetadata m = kMeta;
    m.host = "n7";
    m.scheduler = {{rank, "5"}};
    EXPECT_EQ(node_of(to_json(sample_result(40, 2.0), m)), "n7:5") << rank;
  }
  RunMetadata alone = kMeta;
  alone.host = "n7";
  EXPECT_EQ(node_of(to_json(sample_result(40, 2.0), alone)), "n7");
}

TEST(Fleet, FlagsThePlantedStragglerAndOnlyIt) {
  std::vector<nlohmann::json> records;
  for (int rank = 0; rank < 4; ++rank) records.push_back(node_record("n1", rank, rank == 2 ? 2.24 : 2.0));
  FleetOptions o;
  const FleetReport rep = build_fleet(records, o);
  ASSERT_EQ(rep.entries.size(), 4u);
  EXPECT_EQ(rep.stragglers, 1);
  EXPECT_EQ(rep.nodes, (std::vector<std::string>{"n1:0", "n1:1", "n1:2", "n1:3"}));
  for (const FleetEntry& e : rep.entries) {
    EXPECT_EQ(e.straggler, e.node == "n1:2") << e.node;
    if (e.node == "n1:2") {
      EXPECT_NEAR(e.deviation, 0.12, 1e-9);
    }
  }
}

TEST(Fleet, EqualNodesWithinNoiseAreNotFlagged) {
  std::vector<nlohmann::json> records;
  const double ms[] = {2.0, 2.02, 1.99, 2.03};
  for (int rank = 0; rank < 4; ++rank) records.push_back(node_record("n" + std::to_string(rank), rank, ms[rank]));
  const FleetReport rep = build_fleet(records, FleetOptions{});
  EXPECT_EQ(rep.stragglers, 0);
  EXPECT_EQ(rep.failures, 0);
  EXPECT_TRUE(rep.missing.empty());
}

// A node is a straggler when it is slower than the median by more than the threshold plus its noise (twice
// its level's standard error). Runs spread by 1% give a noise of about 2.1%: 6% slower is within 5% + 2.1%,
// and beyond 3% + 2.1%.
TEST(Fleet, ANodeSlowerByLessThanTheThresholdPlusItsNoiseIsNotFlagged) {
  std::vector<nlohmann::json> records;
  for (int rank = 0; rank < 4; ++rank) records.push_back(node_record("n1", rank, rank == 3 ? 2.12 : 2.0));
  // Three runs at 0.99, 1 and 1.01 times the median: a robust spread of 1.4826%, whose median's standard
  // error is 1.2533 times that over the square root of 3.
  const double noise = 2 * 1.2533 * 0.014826 / std::sqrt(3.0);
  FleetOptions o;
  for (const auto& [threshold, flagged] : {std::pair{0.05, false}, std::pair{0.03, true}}) {
    SCOPED_TRACE(threshold);
    o.threshold = threshold;
    const FleetReport rep = build_fleet(records, o);
    ASSERT_EQ(rep.entries.size(), 4u);
    const FleetEntry& slow = rep.entries[3];
    ASSERT_EQ(slow.node, "n1:3");
    EXPECT_NEAR(slow.deviation, 0.06, 1e-9);
    EXPECT_NEAR(slow.noise, noise, 1e-6);
    EXPECT_EQ(slow.straggler, flagged);
    EXPECT_EQ(rep.stragglers, flagged ? 1 : 0);
  }
}

TEST(Fleet, FailuresAndMissingNodesAreFlagged) {
  std::vector<nlohmann::json> records{node_record("a", 0, 2.0), node_record("b", 1, 2.0)};
  RunResult broken = sample_result(40, 2);
  broken.devices[1] = DeviceResult{DeviceKind::gpu, std::nullopt, "no NVIDIA driver", std::nullopt};
  RunMetadata m = kMeta;
  m.host = "c";
  records.push_back(to_json(broken, m));
  FleetOptions o;
  o.expect_nodes = 4;
  const FleetReport rep = build_fleet(records, o);
  EXPECT_EQ(rep.failures, 1);
  EXPECT_EQ(rep.entries.back().failure, "not run: no NVIDIA driver");
  EXPECT_EQ(rep.entries.back().node, "c") << "no rank: the host alone";
  EXPECT_EQ(rep.missing, "expected 4 nodes, found 3");
}

namespace {

/// What `fleet` prints for `records` (written to a file in `dir`), and how it ends.
struct FleetRun {
  std::string out, err;
  Outcome outcome;
};

FleetRun run_on(const ScratchDir& dir, const std::vector<nlohmann::json>& records, FleetOptions o = {}) {
  const std::string path = dir.path + "/r.jsonl";
  std::ofstream f(path);
  for (const nlohmann::json& r : records) f << r.dump() << '\n';
  f.close();
  o.files = {path};
  std::ostringstream out, err;
  FleetRun run;
  run.outcome = run_fleet(o, out, err);
  run.out = out.str();
  run.err = err.str();
  return run;
}

}  // namespace

TEST(Fleet, TheTablesLastLineCountsInWords) {
  ScratchDir dir("fleet-count");
  const auto last_line = [&](const std::vector<nlohmann::json>& records) {
    const std::string s = run_on(dir, records).out;
    return s.substr(s.rfind('\n', s.size() - 2) + 1);
  };
  EXPECT_EQ(last_line({node_record("a", 0, 2.0)}), "1 node, 1 entry: 0 stragglers beyond 5.0% + noise, 0 failures\n");
  EXPECT_EQ(last_line({node_record("a", 0, 2.0), node_record("b", 1, 2.5), node_record("c", 2, 2.0)}),
            "3 nodes, 3 entries: 1 straggler beyond 5.0% + noise, 0 failures\n");
}

// The table cut node names to 16 characters and problems to 28: two ranks of "gpu-node-017.cluster.example"
// both read "gpu-node-017.clu", and a problem without a label lost everything after its --input.
TEST(Fleet, TheTableCutsNoNodeOrProblemName) {
  ScratchDir dir("fleet-names");
  std::vector<nlohmann::json> records;
  for (int rank = 0; rank < 2; ++rank) {
    nlohmann::json r = node_record("gpu-node-017.cluster.example", rank, rank == 1 ? 2.5 : 2.0);
    r["label"] = "";
    records.push_back(r);
  }
  records.push_back(node_record("gpu-node-018.cluster.example", 2, 2.0));
  const FleetRun run = run_on(dir, records);
  const std::string problem = result_from_json(records[0], "t").problem.describe();
  EXPECT_EQ(run.out, fmt::format("node                              median ms  deviation   noise  verdict    problem\n"
                                 "gpu-node-017.cluster.example:0       2.0000      +0.0%    2.1%  ok         {0}\n"
                                 "gpu-node-017.cluster.example:1       2.5000     +25.0%    2.1%  STRAGGLER  {0}\n"
                                 "gpu-node-018.cluster.example:2       2.0000      +0.0%    2.1%  ok         {0}\n"
                                 "3 nodes, 3 entries: 1 straggler beyond 5.0% + noise, 0 failures\n",
                                 problem));
  EXPECT_EQ(run.err, "");
}

// Two files from one host without a scheduler rank (two runs of one machine) merged into one node without a
// word; a fleet of GPU-less records said only that no record had a gpu result.
TEST(Fleet, SaysWhenOneNodeRanAProblemTwiceAndWhichDeviceTheRecordsHave) {
  ScratchDir dir("fleet-twice");
  RunMetadata m = kMeta;
  m.host = "vm";
  const nlohmann::json once = to_json(sample_result(40, 2.0), m);
  const FleetRun twice = run_on(dir, {once, once, node_record("other", 0, 2.0)});
  EXPECT_EQ(twice.outcome.code, ExitCode::ok);
  EXPECT_EQ(twice.err,
            "convbench: warning: fleet: node 'vm' has 2 records of 'unit': runs of one host without a scheduler "
            "rank count as one node; to compare two runs of one machine, use convbench compare\n");
  EXPECT_EQ(twice.out.substr(twice.out.rfind('\n', twice.out.size() - 2) + 1),
            "2 nodes, 3 entries: 0 stragglers beyond 5.0% + noise, 0 failures\n");
  RunResult cpu_only = sample_result(40, 2.0);
  cpu_only.devices.pop_back();
  const FleetRun none = run_on(dir, {to_json(cpu_only, m), to_json(cpu_only, m)});
  EXPECT_EQ(none.outcome.code, ExitCode::nothing_compared);
  EXPECT_EQ(none.outcome.error,
            "fleet: nothing to compare: no record has a gpu result; --device cpu compares the 2 records that asked "
            "for the cpu");
  FleetOptions cpu;
  cpu.device = DeviceKind::cpu;
  EXPECT_EQ(run_on(dir, {to_json(cpu_only, m)}, cpu).outcome.code, ExitCode::ok);
}

// A node whose CPU ran f32 for a bf16 problem, among nodes that ran bf16, was measured against their median: 50%
// "slower" for its mode, not its speed.
TEST(Fleet, EachNodeIsComparedOnlyWithThoseThatRanItsMode) {
  std::vector<nlohmann::json> records;
  const double cpu_ms[] = {40, 40.4, 48, 60};  // n2 is 20% slower than the bf16 median; n3 ran f32
  for (int i = 0; i < 4; ++i) {
    RunResult r = sample_result(cpu_ms[i], 2, cpu_ms[i] * 0.01);
    r.label = "stdin:1";
    if (i == 3) r.devices[0].dtype = DType::f32;
    RunMetadata m = kMeta;
    m.host = "n" + std::to_string(i);
    records.push_back(to_json(r, m));
  }
  FleetOptions o;
  o.device = DeviceKind::cpu;
  const FleetReport rep = build_fleet(records, o);
  ASSERT_EQ(rep.entries.size(), 4u);
  EXPECT_EQ(rep.stragglers, 1);
  for (const FleetEntry& e : rep.entries) {
    EXPECT_EQ(e.straggler, e.node == "n2") << e.node;
    EXPECT_EQ(e.other_mode, e.node == "n3") << e.node;
    EXPECT_EQ(e.mode, e.node == "n3" ? "f32" : "bf16") << e.node;
  }
  EXPECT_NEAR(rep.entries[2].deviation, 48 / 40.4 - 1, 1e-9) << "against the bf16 median, 40.4";
  EXPECT_EQ(rep.entries[3].deviation, 0) << "alone in its mode";
  ASSERT_EQ(rep.warnings.size(), 1u);
  EXPECT_EQ(rep.warnings[0],
            "fleet: 'stdin:1' ran the cpu in 2 modes (bf16 on 3 nodes, f32 on 1 node): each node is compared only "
            "with those that ran its mode");
  // The table says which mode the odd row ran.
  ScratchDir dir("fleet-modes");
  const FleetRun run = run_on(dir, {records[0], records[3]}, o);
  EXPECT_EQ(run.outcome.code, ExitCode::ok) << run.outcome.error;
  EXPECT_NE(run.out.find("  ok         stdin:1 (ran f32)\n"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("  ok         stdin:1\n"), std::string::npos) << run.out;
  EXPECT_NE(run.err.find("(bf16 on 1 node, f32 on 1 node)"), std::string::npos) << run.err;
}

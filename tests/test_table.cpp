// The table printer: the problem, one line per device, the speedup and its pairing.
#include <gtest/gtest.h>

#include <sstream>

#include "convbench/harness.hpp"
#include "convbench/reference.hpp"
#include "convbench/report.hpp"
#include "fake_backend.hpp"

using namespace convbench;
using convbench::testing::FakeBackend;

TEST(TablePrinter, PrintsProblemDevicesAndSpeedup) {
  Problem p;
  p.n = 1, p.h = 8, p.w = 8, p.k = 2, p.r = 3, p.s = 3;
  FakeBackend cpu({1, 200, 200}), gpu({1, 10, 10});
  const HostTensors t = make_inputs(p, 1);
  RunResult r;
  r.problem = p;
  r.seed = 5;
  r.warmup = 1;
  DeviceResult c{DeviceKind::cpu, measure(cpu, p, t, {1, 2}), "", std::nullopt};
  DeviceResult g{DeviceKind::gpu, measure(gpu, p, t, {1, 2}), "", std::nullopt};
  r.devices = {c, g};
  r.speedup = speedup(c.measurement->stats, g.measurement->stats);
  std::ostringstream out;
  make_table_printer(out)->record(r);
  const std::string s = out.str();
  EXPECT_NE(s.find("problem: " + p.describe() + " --seed 5\n"), std::string::npos) << s;
  EXPECT_NE(s.find("cpu: fake cpu | fake 1.0 fake:direct | sum of 2 runs 400.000 ms | median 200.000 ms"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("GPU speedup over CPU: 20.0 ± 0.0x (GPU f32 vs CPU f32, sum of runs)\n"), std::string::npos) << s;
  r.devices[1] = DeviceResult{DeviceKind::gpu, std::nullopt, "no NVIDIA driver", std::nullopt};
  r.speedup.reset();
  std::ostringstream out2;
  make_table_printer(out2)->record(r);
  EXPECT_NE(out2.str().find("gpu: not run: no NVIDIA driver\n"), std::string::npos);
  EXPECT_EQ(out2.str().find("speedup"), std::string::npos);
}

TEST(TablePrinter, ColourMarksTheVerdictWordOnly) {
  Problem p;
  p.n = 1, p.h = 8, p.w = 8, p.k = 2, p.r = 3, p.s = 3;
  FakeBackend cpu({1, 2, 2});
  const HostTensors t = make_inputs(p, 1);
  RunResult r;
  r.problem = p;
  const Measurement m = measure(cpu, p, t, {1, 2});
  r.devices = {DeviceResult{DeviceKind::cpu, m, "", check_against_reference(p, t, m.output, 1)}};
  std::ostringstream out;
  make_table_printer(out, true)->record(r);
  EXPECT_NE(out.str().find("cpu: verify \033[32mok\033[0m vs f64 reference: error "), std::string::npos) << out.str();
  std::ostringstream plain;
  make_table_printer(plain, false)->record(r);
  EXPECT_EQ(plain.str().find('\033'), std::string::npos);
}

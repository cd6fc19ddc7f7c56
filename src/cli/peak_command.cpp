// `convbench peak`: its flags and their conversion to PeakOptions.
#include "peak_command.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdlib>

#include "convbench/error.hpp"
#include "convbench/suites.hpp"
#include "convbench/system.hpp"
#include "flags.hpp"

namespace convbench {

CLI::App* declare_peak(CLI::App& app, PeakFlags& f) {
  CLI::App* peak =
      add_command(app, "peak",
                  "Measure this machine's ceilings (CPU: oneDNN matmul f32/bf16 and copy bandwidth; GPU: cuDNN 1x1 "
                  "convolution in every dtype and copy bandwidth) and cache them, so that results show the fraction "
                  "of the ceiling they reach.",
                  {{"--device", &f.device, nullptr, "which devices to measure (default all)", "cpu|gpu|all"},
                   {"--threads", &f.threads, nullptr, "CPU threads (default: all physical cores)", "N"},
                   {"--gpu", &f.gpu, nullptr, "index of the GPU (default 0)", "N"}});
  return peak;
}

PeakOptions to_peak_options(const PeakFlags& f) {
  PeakOptions po;
  po.device = parse_device(f.device);
  if (!f.threads.empty())
    po.backend.threads = static_cast<int>(parse_integer("--threads", f.threads, 1, usable_cpus()));
  po.backend.gpu_index = static_cast<int>(parse_integer("--gpu", f.gpu, 0, 1023));
  return po;
}

}  // namespace convbench

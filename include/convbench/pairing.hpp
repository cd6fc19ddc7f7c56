// Which mode each device runs for a requested --dtype, and how the two are compared. Each device runs its
// best mode for the data type: f32 is strict FP32 on both; tf32 is TF32 tensor cores on the GPU and, on
// the CPU, FP32 data with bf16 math where oneDNN's fpmath mode really changes the kernel, else strict FP32;
// bf16 and f16 run natively where the CPU can, else as FP32 on the very same (exactly representable) values.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "convbench/backend.hpp"
#include "convbench/problem.hpp"

namespace convbench {

/// The CPU modes to try for `requested`, best first (the first the CPU backend supports runs). A forced
/// `--cpu-dtype` is the only candidate.
std::vector<DType> cpu_dtypes_to_try(DType requested, std::optional<DType> forced);

/// A device's mode as printed and recorded: the dtype name, except the CPU's tf32, which is
/// "f32 with bf16 math" (oneDNN's fpmath mode).
std::string mode_name(DeviceKind kind, DType run);

/// The normwise tolerance for what a device ran: tolerance(run), except the CPU's tf32 (bf16 math), which
/// is held to bf16's.
double device_tolerance(DeviceKind kind, DType run);

/// One CPU mode's short timed trial for --cpu-dtype fastest: after one warm-up, kTrialMinRuns timed runs, or more
/// until the best run times their count reaches kTrialMinMs (at most kTrialMaxRuns, and no more once the runs add
/// up to kTrialMaxMs), so that a short problem is not judged on a few runs that one descheduling can swamp.
/// Modes are compared by their best run: noise from other work only adds time, so the best run of each is the
/// closest to what its kernel costs.
///
/// A mode that loses is timed once more, later (see trial_to_repeat()): noise only adds time, so a wrong choice
/// needs every run of the mode that should have won to be slowed, and a second window makes that much less likely
/// (a pipeline's consumer starting up beside the first trial was seen to slow all of one mode's runs 50-fold).
/// What counts there is the other moment, not more runs, so the second window needs kLaterTrialMinRuns, not
/// kTrialMinRuns (the other limits stay).
struct ModeTrial {
  DType mode = DType::f32;
  double best_ms = 0;  ///< over both windows, once repeated
  int runs = 0;        ///< timed runs of the first window
  int later_runs = 0;  ///< timed runs of the second; 0 until repeated (a window has at least one)
};
constexpr int kTrialMinRuns = 3, kLaterTrialMinRuns = 1, kTrialMaxRuns = 100;
constexpr double kTrialMinMs = 20, kTrialMaxMs = 500;

/// Between the mode kept and the trial's times in --cpu-dtype fastest's "mode" detail: "f32 by time: bf16 ...".
constexpr const char* kByTime = " by time: ";

/// A faster mode must beat the closer precision by this share to be kept, so that noise between two modes
/// of the same speed does not decide.
constexpr double kFasterBy = 0.05;
/// --cpu-dtype fastest: which of `trials` (in cpu_dtypes_to_try()'s order, closest precision first) runs:
/// the fastest by best run, unless a closer precision is within kFasterBy of it. Not empty.
size_t fastest_mode(const std::vector<ModeTrial>& trials);
/// Which of `trials` to time again before deciding: a mode fastest_mode() does not keep that has not been
/// repeated yet, or none. Repeating each such mode until none is left bounds the trial at two windows a mode.
std::optional<size_t> trial_to_repeat(const std::vector<ModeTrial>& trials);

}  // namespace convbench

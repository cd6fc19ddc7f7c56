// Facts about the host that several modules need: CPU model, physical cores, available memory.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace convbench {

/// "model name" from /proc/cpuinfo, or "unknown CPU".
std::string cpu_model();
/// Distinct (package, core) pairs among the CPUs this process may run on; at least 1.
int physical_cores();
/// CPUs this process may run on (its affinity mask); at least 1.
int usable_cpus();
/// The affinity mask as ranges, e.g. "0-15" or "0,2,4-7".
std::string affinity_text();
/// Whether colour may be used on a terminal: not when NO_COLOR is set (no-color.org) or TERM is "dumb".
bool colour_allowed();
/// CPU time (user + system) this process has used so far, in milliseconds.
double process_cpu_ms();

/// Opens /dev/null on each of descriptors 0, 1 and 2 that the process was started without, in the direction
/// that fails every use (stdin write-only, stdout and stderr read-only): each still behaves as closed, and no
/// file opened later takes its number (with stdout closed, the table went into --output's file). Call first.
void hold_closed_standard_descriptors();
/// Why stdin cannot be read ("it is closed", "it is not open for reading", "it is a folder, not a file"), or
/// empty. Each of these otherwise reads as an empty input, which says nothing of the cause.
std::string stdin_read_error();
/// Why a write to stdout fails now (strerror's text), for when an earlier failed write left no errno: a
/// closed descriptor, a pipe with no reader, a full file system or device; empty when none of these is found.
std::string stdout_write_error();

/// With CONVBENCH_PHASES=1 in the environment, writes "convbench: phase +T ms NAME" to stderr, T the time
/// since the process started (to the 10 ms of /proc/self/stat's start time), so that where a run's time goes
/// can be read from any build. Otherwise it does nothing.
void phase_mark(const std::string& name);
/// The kernel's memory report, the file available_memory_bytes reads unless told otherwise.
inline constexpr const char* kProcMeminfo = "/proc/meminfo";
/// MemAvailable from `meminfo` in bytes; without it, free plus buffer memory from sysinfo(2); 0 when
/// neither is known.
uint64_t available_memory_bytes(const char* meminfo = kProcMeminfo);
/// Size of the highest-level cache of CPU 0, from /sys, in bytes; 0 when unknown.
uint64_t last_level_cache_bytes();
/// This process's peak resident memory so far (getrusage), in bytes.
uint64_t peak_host_bytes();
/// The current time in UTC, ISO 8601 ("2026-11-27T18:00:00Z").
std::string utc_now();
/// This machine's host name (gethostname), or "unknown-host".
std::string host_name();
/// Where a launcher puts the task's rank, in the order they are looked at: Slurm, Open MPI, PMIx, then PMI
/// (MPICH's and Intel MPI's launchers).
inline constexpr const char* kRankVariables[] = {"SLURM_PROCID", "OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"};
/// Where a batch system puts the job's id, in the order they are looked at: Slurm, PBS (PBS Pro, Torque,
/// OpenPBS), LSF.
inline constexpr const char* kJobVariables[] = {"SLURM_JOB_ID", "PBS_JOBID", "LSB_JOBID"};
/// The scheduler's context of this process: each of the kJobVariables, SLURM_LOCALID, SLURM_NODEID,
/// SLURMD_NODENAME, the kRankVariables and CUDA_VISIBLE_DEVICES that is set, with its value, in that order.
std::vector<std::pair<std::string, std::string>> scheduler_context();
/// `path` with {host} (host_name()), {rank} (the first of kRankVariables that is set, else 0) and {job}
/// (the first of kJobVariables, else "local") replaced, so that one command line gives every task its own file.
std::string expand_output_path(const std::string& path);

}  // namespace convbench

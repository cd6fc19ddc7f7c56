// Host facts read from /proc and /sys.
#include "convbench/system.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <initializer_list>
#include <set>
#include <sstream>
#include <utility>

namespace convbench {

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(" \t", colon + 1));
    }
  return "unknown CPU";
}

int usable_cpus() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return 1;
  const int n = CPU_COUNT(&set);
  return n > 0 ? n : 1;
}

std::string affinity_text() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return "unknown";
  std::string out;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (!CPU_ISSET(cpu, &set)) continue;
    int last = cpu;
    while (last + 1 < CPU_SETSIZE && CPU_ISSET(last + 1, &set)) ++last;
    out += (out.empty() ? "" : ",") + std::to_string(cpu) + (last > cpu ? "-" + std::to_string(last) : "");
    cpu = last;
  }
  return out;
}

int physical_cores() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return 1;
  std::set<std::pair<int, int>> cores;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (!CPU_ISSET(cpu, &set)) continue;
    const std::string base = "/sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/topology/";
    int package = -1, core = cpu;
    std::ifstream(base + "physical_package_id") >> package;
    std::ifstream(base + "core_id") >> core;
    cores.emplace(package, core);
  }
  return cores.empty() ? 1 : static_cast<int>(cores.size());
}

bool colour_allowed() {
  const char* no_color = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  return !(no_color && *no_color) && !(term && std::string(term) == "dumb");
}

double process_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) * 1e-6;
}

namespace {
/// The process's start, in CLOCK_BOOTTIME milliseconds (/proc/self/stat field 22); 0 when unreadable.
double process_start_boottime_ms() {
  std::ifstream in("/proc/self/stat");
  std::string stat;
  std::getline(in, stat);
  const auto close = stat.rfind(')');  // the command name may hold spaces; the fields follow its ')'
  if (close == std::string::npos) return 0;
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; ++i)
    if (i == 22) return std::stod(field) * 1e3 / static_cast<double>(sysconf(_SC_CLK_TCK));
  return 0;
}
}  // namespace

namespace {
bool stdin_held = false;  // set when the process started with descriptor 0 closed
}  // namespace

void hold_closed_standard_descriptors() {
  for (const auto& [fd, flags] :
       {std::pair{STDIN_FILENO, O_WRONLY}, {STDOUT_FILENO, O_RDONLY}, {STDERR_FILENO, O_RDONLY}}) {
    // open() takes the lowest free number, which is fd: every lower one is open by now, or held here.
    if (fcntl(fd, F_GETFD) == -1 && errno == EBADF) {
      open("/dev/null", flags | O_CLOEXEC);
      if (fd == STDIN_FILENO) stdin_held = true;
    }
  }
}

std::string stdin_read_error() {
  const int flags = fcntl(STDIN_FILENO, F_GETFL);
  if (stdin_held || (flags == -1 && errno == EBADF)) return "it is closed";
  if (flags != -1 && (flags & O_ACCMODE) == O_WRONLY) return "it is not open for reading";
  struct stat st {};
  if (fstat(STDIN_FILENO, &st) == 0 && S_ISDIR(st.st_mode)) return "it is a folder, not a file";
  return "";
}

std::string stdout_write_error() {
  struct stat st {};
  if (fstat(STDOUT_FILENO, &st) != 0) return std::strerror(errno);
  if ((fcntl(STDOUT_FILENO, F_GETFL) & O_ACCMODE) == O_RDONLY) return std::strerror(EBADF);
  if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) {
    pollfd p{STDOUT_FILENO, POLLOUT, 0};
    if (poll(&p, 1, 0) == 1 && (p.revents & POLLERR)) return std::strerror(EPIPE);
  } else if (S_ISREG(st.st_mode)) {
    struct statvfs v {};
    if (fstatvfs(STDOUT_FILENO, &v) == 0 && (v.f_bavail == 0 || v.f_bfree == 0)) return std::strerror(ENOSPC);
  } else if (S_ISCHR(st.st_mode) && write(STDOUT_FILENO, "", 0) < 0) {
    return std::strerror(errno);  // /dev/full refuses even an empty write
  }
  return "";
}

void phase_mark(const std::string& name) {
  static const bool on = [] {
    const char* v = std::getenv("CONVBENCH_PHASES");
    return v && std::string(v) == "1";
  }();
  if (!on) return;
  static const double start = process_start_boottime_ms();
  timespec ts{};
  clock_gettime(CLOCK_BOOTTIME, &ts);
  const double now = static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) * 1e-6;
  std::fprintf(stderr, "convbench: phase +%.1f ms %s\n", now - start, name.c_str());
}

uint64_t available_memory_bytes(const char* meminfo) {
  std::ifstream in(meminfo);
  std::string key;
  uint64_t kib = 0;
  std::string unit;
  while (in >> key >> kib >> unit)
    if (key == "MemAvailable:") return kib * 1024;
  // Without /proc (a bare chroot or container): sysinfo(2) needs no file system. Free plus buffer memory
  // is a lower bound of MemAvailable, so a problem refused here would not fit there either.
  struct sysinfo si {};
  if (sysinfo(&si) == 0) return (static_cast<uint64_t>(si.freeram) + si.bufferram) * si.mem_unit;
  return 0;
}

uint64_t last_level_cache_bytes() {
  int best_level = 0;
  uint64_t best = 0;
  for (int i = 0; i < 8; ++i) {
    const std::string base = "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(i) + "/";
    int level = 0;
    std::string size;
    if (!(std::ifstream(base + "level") >> level) || !(std::ifstream(base + "size") >> size) || size.empty()) continue;
    uint64_t bytes = std::stoull(size);
    if (size.back() == 'K') bytes <<= 10;
    if (size.back() == 'M') bytes <<= 20;
    if (level > best_level) best_level = level, best = bytes;
  }
  return best;
}

uint64_t peak_host_bytes() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<uint64_t>(u.ru_maxrss) * 1024;  // Linux reports KiB
}

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "unknown-host";
  return buf;
}

std::vector<std::pair<std::string, std::string>> scheduler_context() {
  std::vector<std::pair<std::string, std::string>> out;
  std::vector<const char*> names(std::begin(kJobVariables), std::end(kJobVariables));
  names.insert(names.end(), {"SLURM_LOCALID", "SLURM_NODEID", "SLURMD_NODENAME"});
  names.insert(names.end(), std::begin(kRankVariables), std::end(kRankVariables));
  names.push_back("CUDA_VISIBLE_DEVICES");
  for (const char* name : names)
    if (const char* v = std::getenv(name)) out.emplace_back(name, v);
  return out;
}

std::string expand_output_path(const std::string& path) {
  const auto env_or = [](const auto& names, const char* otherwise) {
    for (const char* n : names)
      if (const char* v = std::getenv(n); v && *v) return std::string(v);
    return std::string(otherwise);
  };
  // Each value stays within its file name: a '/' in a variable (no scheduler sets one) cannot lead elsewhere.
  const auto in_name = [](std::string v) {
    std::replace(v.begin(), v.end(), '/', '_');
    return v;
  };
  const std::pair<const char*, std::string> fields[] = {{"{host}", in_name(host_name())},
                                                        {"{rank}", in_name(env_or(kRankVariables, "0"))},
                                                        {"{job}", in_name(env_or(kJobVariables, "local"))}};
  std::string out = path;
  for (const auto& [key, value] : fields)
    for (size_t at = out.find(key); at != std::string::npos; at = out.find(key, at + value.size()))
      out.replace(at, std::string(key).size(), value);
  return out;
}

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace convbench

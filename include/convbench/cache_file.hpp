// The files convbench keeps for itself between runs (the tuning cache, the ceilings of `peak`): read without
// ever blocking, and updated under a lock so that processes sharing one (ranks of a job, parallel CI jobs)
// keep each other's entries.
#pragma once

#include <functional>
#include <string>

namespace convbench {

/// The folder of convbench's own files: $XDG_CACHE_HOME/convbench, else $HOME/.cache/convbench; empty when
/// neither is set (never a shared folder such as /tmp, where another user could plant the file or a link).
std::string cache_dir();

/// What a cache file's path holds, read once.
struct CacheFileText {
  enum class State { absent, read, unusable };
  State state = State::absent;
  std::string text;     ///< the whole file, when read
  std::string problem;  ///< when unusable: "is not a regular file" or "cannot be read (<reason>)"
};

/// Reads the cache file at `path`. A pipe, device or directory there is `unusable` and never blocks the
/// read (it is opened non-blocking and checked before anything is read); a missing file is `absent`.
CacheFileText read_cache_file(const std::string& path);

/// Rewrites the cache file at `path` with `merge(now)`, where `now` is the file as it is at that moment:
/// read under an exclusive advisory lock on PATH.lock (tried for up to 2 s, then done without), so that
/// another process's entries stored since this one last read the file are seen and can be kept. Creates
/// the folder; writes atomically (temporary file, then rename). Throws Error(usage) naming `flag` when the
/// file cannot be written, or when it is unusable (a pipe would block the write): nothing is written then.
void update_cache_file(const std::string& path, const std::string& flag,
                       const std::function<std::string(const CacheFileText& now)>& merge);

}  // namespace convbench

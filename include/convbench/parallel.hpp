// Fixed-size chunks of an index range spread over the host's threads, for the untimed host work around a
// measurement (input generation, output comparison). The chunks do not depend on the thread count, so a
// result merged chunk by chunk in order is the same on every machine.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

namespace convbench {

/// How many chunks of `size` cover [0, n).
inline int64_t chunk_count(int64_t n, int64_t size) { return n <= 0 ? 0 : (n + size - 1) / size; }

/// Calls body(chunk, begin, end) for each chunk [chunk·size, min((chunk+1)·size, n)) of [0, n), on up to
/// hardware_concurrency threads (the caller's included).
template <class Body>
void for_each_chunk(int64_t n, int64_t size, Body&& body) {
  const int64_t chunks = chunk_count(n, size);
  std::atomic<int64_t> next{0};
  const auto work = [&] {
    for (int64_t c = next++; c < chunks; c = next++) body(c, c * size, std::min(n, (c + 1) * size));
  };
  const int64_t helpers = std::min<int64_t>(chunks, std::max<int64_t>(std::thread::hardware_concurrency(), 1)) - 1;
  std::vector<std::thread> threads;
  for (int64_t i = 0; i < helpers; ++i) threads.emplace_back(work);
  work();
  for (std::thread& t : threads) t.join();
}

}  // namespace convbench

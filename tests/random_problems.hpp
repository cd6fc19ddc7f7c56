// Seeded random small problems for the backend-versus-reference tests.
#pragma once

#include <vector>

#include "convbench/numeric.hpp"
#include "convbench/problem.hpp"

namespace convbench::testing {

/// `count` small valid problems covering stride, padding (including asymmetric), dilation, groups and
/// both layouts, all with dtype `d`. The same seed gives the same problems.
inline std::vector<Problem> random_problems(int count, DType d, uint64_t seed) {
  NormalSource rng(seed);
  auto pick = [&](int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(rng.next_u64() % uint64_t(hi - lo + 1)); };
  std::vector<Problem> out;
  while (static_cast<int>(out.size()) < count) {
    Problem p;
    p.dtype = d;
    p.layout = out.size() % 2 ? Layout::nchw : Layout::nhwc;
    p.groups = pick(0, 3) == 0 ? pick(2, 4) : 1;
    p.n = pick(1, 3);
    p.c = p.groups * pick(1, 6);
    p.k = p.groups * pick(1, 6);
    p.h = pick(3, 14);
    p.w = pick(3, 14);
    p.r = pick(1, 5);
    p.s = pick(1, 5);
    p.stride_h = pick(1, 3);
    p.stride_w = pick(1, 3);
    p.dil_h = pick(0, 3) == 0 ? 2 : 1;
    p.dil_w = pick(0, 3) == 0 ? 2 : 1;
    p.pad_top = pick(0, 2);
    p.pad_bottom = pick(0, 2);
    p.pad_left = pick(0, 2);
    p.pad_right = pick(0, 2);
    if ((p.r - 1) * p.dil_h + 1 > p.h + p.pad_top + p.pad_bottom) continue;
    if ((p.s - 1) * p.dil_w + 1 > p.w + p.pad_left + p.pad_right) continue;
    out.push_back(p);
  }
  return out;
}

}  // namespace convbench::testing

// benchdnn-style problem descriptors, e.g. "mb100ic3ih100oc32kh7" or "g32mb8ic32ih112oc32kh3ph1", and
// DeepBench's problem tuples, e.g. "std::make_tuple(700, 161, 1, 4, 32, 20, 5, 0, 0, 2, 2),".
#pragma once

#include <string>

#include "convbench/problem.hpp"

namespace convbench {

/// True when `text` looks like a descriptor rather than a flag (it starts with a descriptor key).
bool looks_like_descriptor(const std::string& text);

/// Parses a descriptor into a problem with the given dtype and layout. Keys: g mb ic ih iw oc oh ow kh kw
/// sh sw ph pw dh dw, each followed by a whole number; ic, ih (or iw), oc and kh (or kw) are required.
/// As in benchdnn: a missing iw/kw/sw/pw/dw copies its h twin, mb defaults to 2, dilation counts from 0
/// (dh0 = none), ph/pw pad the top/left, and the bottom/right padding equals it unless oh/ow is given, in
/// which case it is whatever gives that output size. A trailing _n"name" is ignored. Throws UsageError
/// naming the descriptor on anything else; the problem is validated.
/// `batch` stands for a missing `mb` (benchdnn's default is 2; a problem list passes the command line's --batch).
Problem parse_descriptor(const std::string& text, DType dtype = DType::f32, Layout layout = Layout::nhwc,
                         int64_t batch = 2);

/// True when `text` is written as a DeepBench problem rather than as flags or a descriptor: it starts with a
/// digit and has a comma, or starts with `std::make_tuple(`, `make_tuple(` or `(`.
bool looks_like_deepbench(const std::string& text);

/// A problem as DeepBench's conv_problems.h lists it: `std::make_tuple(W, H, C, N, K, S, R, pad_w, pad_h,
/// stride_w, stride_h),` where S is the filter's width and R its height, each padding on both sides of its
/// axis. The wrapper (or bare parentheses) and the `,` `;` `}` after it are optional, spaces anywhere; no
/// dilation, one group. Throws UsageError naming the text on anything else; the problem is validated.
Problem parse_deepbench(const std::string& text, DType dtype = DType::f32, Layout layout = Layout::nhwc);

/// The canonical descriptor of `p` (every key written; oh/ow only when the padding is asymmetric).
/// parse_descriptor(format_descriptor(p), p.dtype, p.layout) == p for every valid problem.
std::string format_descriptor(const Problem& p);

}  // namespace convbench

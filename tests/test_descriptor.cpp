// Descriptors: benchdnn's conventions, errors, and the format → parse property over random problems.
#include <gtest/gtest.h>

#include <vector>

#include "convbench/descriptor.hpp"
#include "convbench/error.hpp"
#include "convbench/numeric.hpp"

using namespace convbench;

namespace {

std::string error_of(const std::string& d) {
  try {
    parse_descriptor(d);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::usage);
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Descriptor, TheSeedProblem) {
  Problem seed;
  const Problem p = parse_descriptor("mb100ic3ih100oc32kh7");
  EXPECT_EQ(p, seed);
}

TEST(Descriptor, BenchdnnDefaultsAndTwins) {
  const Problem p = parse_descriptor("g32mb8ic32ih112oc32kh3ph1", DType::bf16, Layout::nchw);
  EXPECT_EQ(p.groups, 32);
  EXPECT_EQ(p.n, 8);
  EXPECT_EQ(p.w, 112);  // iw copies ih
  EXPECT_EQ(p.s, 3);    // kw copies kh
  EXPECT_EQ(p.pad_left, 1);
  EXPECT_EQ(p.pad_bottom, 1);
  EXPECT_EQ(p.stride_w, 1);
  EXPECT_EQ(p.dil_h, 1);  // dh defaults to 0 = none
  EXPECT_EQ(p.dtype, DType::bf16);
  EXPECT_EQ(p.layout, Layout::nchw);
  EXPECT_EQ(parse_descriptor("ic3ih10oc4kh3").n, 2);  // mb defaults to 2, as in benchdnn
}

TEST(Descriptor, DilationCountsFromZero) {
  const Problem p = parse_descriptor("mb1ic4ih20oc4kh3dh1dw2");
  EXPECT_EQ(p.dil_h, 2);
  EXPECT_EQ(p.dil_w, 3);
  EXPECT_EQ(p.out_h(), 20 - 5 + 1);
}

TEST(Descriptor, OutputSizeFixesTheTrailingPadding) {
  const Problem p = parse_descriptor("mb1ic3ih10oc4oh6kh3sh2ph1");  // (10 + 1 + pb - 3) / 2 + 1 = 6 → pb = 2
  EXPECT_EQ(p.pad_top, 1);
  EXPECT_EQ(p.pad_bottom, 2);
  EXPECT_EQ(p.out_h(), 6);
  // No w key at all: w copies h, output size and padding included (benchdnn), so the width is 6 too.
  EXPECT_EQ(p.pad_left, 1);
  EXPECT_EQ(p.pad_right, 2);
  EXPECT_EQ(p.out_w(), 6);
}

TEST(Descriptor, NameSuffixIsIgnored) {
  EXPECT_EQ(parse_descriptor("mb2ic3ih10oc4kh3_n\"first layer\""), parse_descriptor("mb2ic3ih10oc4kh3"));
}

TEST(Descriptor, Errors) {
  EXPECT_EQ(error_of("mb2ih10oc4kh3"), "descriptor 'mb2ih10oc4kh3' is not valid: 'ic' is required");
  EXPECT_EQ(error_of("mb2ic3oc4kh3"), "descriptor 'mb2ic3oc4kh3' is not valid: 'ih' or 'iw' is required");
  EXPECT_EQ(error_of("mb2ic3ih10oc4kh3zz1"), "descriptor 'mb2ic3ih10oc4kh3zz1' is not valid: unknown key at 'zz1'");
  EXPECT_EQ(error_of("mb2ic3ih10oc4khx"), "descriptor 'mb2ic3ih10oc4khx' is not valid: 'kh' needs a whole number");
  EXPECT_EQ(error_of("mb2mb3ic3ih10oc4kh3"), "descriptor 'mb2mb3ic3ih10oc4kh3' is not valid: 'mb' is given twice");
  EXPECT_EQ(error_of("mb2ic3ih10oc4kh3oh5"),
            "descriptor 'mb2ic3ih10oc4kh3oh5' is not valid: 'oh5' cannot be reached with this input, filter, stride "
            "and padding");
  EXPECT_EQ(error_of("mb0ic3ih10oc4kh3"), "descriptor 'mb0ic3ih10oc4kh3' is not valid: 'mb' must be at least 1");
  // Found by fuzz_descriptor: a zero stride used to divide by zero while fitting oh.
  EXPECT_EQ(error_of("mb1ic3ih10oc5oh0kh3sh0ph1dh1_n\"x\""),
            "descriptor 'mb1ic3ih10oc5oh0kh3sh0ph1dh1_n\"x\"' is not valid: 'oh' must be at least 1");
  EXPECT_EQ(error_of("mb1ic3ih10oc5kh3sh0"), "descriptor 'mb1ic3ih10oc5kh3sh0' is not valid: 'sh' must be at least 1");
  EXPECT_EQ(error_of("g2mb1ic3ih10oc4kh3"),
            "descriptor 'g2mb1ic3ih10oc4kh3' is not valid: --groups: 2 does not divide the input's 3 channels");
  EXPECT_EQ(error_of("mb1ic3ih10oc4kh99999999999"),
            "descriptor 'mb1ic3ih10oc4kh99999999999' is not valid: 'kh' is out of range");
}

TEST(Descriptor, LooksLikeDescriptor) {
  EXPECT_TRUE(looks_like_descriptor("mb100ic3ih100oc32kh7"));
  EXPECT_TRUE(looks_like_descriptor("g32mb8ic32ih112oc32kh3ph1"));
  EXPECT_FALSE(looks_like_descriptor("--batch"));
  EXPECT_FALSE(looks_like_descriptor("check"));
}

TEST(Descriptor, FormatThenParseGivesBackTheSameProblem) {
  // Property: over many seeded random valid problems, including asymmetric padding and dilation.
  NormalSource rng(2024);
  auto pick = [&](int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(rng.next_u64() % uint64_t(hi - lo + 1)); };
  int checked = 0;
  for (int i = 0; i < 2000; ++i) {
    Problem p;
    p.groups = pick(1, 4);
    p.n = pick(1, 64);
    p.c = p.groups * pick(1, 32);
    p.k = p.groups * pick(1, 32);
    p.h = pick(1, 300);
    p.w = pick(1, 300);
    p.r = pick(1, 11);
    p.s = pick(1, 11);
    p.stride_h = pick(1, 4), p.stride_w = pick(1, 4);
    p.dil_h = pick(1, 3), p.dil_w = pick(1, 3);
    p.pad_top = pick(0, 5), p.pad_bottom = pick(0, 5), p.pad_left = pick(0, 5), p.pad_right = pick(0, 5);
    p.dtype = static_cast<DType>(pick(0, 3));
    p.layout = static_cast<Layout>(pick(0, 1));
    try {
      p.validate();
    } catch (const Error&) {
      continue;
    }
    // Trailing padding of a stride-s convolution beyond what reaches another output row is unobservable;
    // keep only problems whose padding is all used, as a descriptor with oh/ow describes them.
    const Problem q = parse_descriptor(format_descriptor(p), p.dtype, p.layout);
    // Every problem comes back with the same output and FLOP count ...
    EXPECT_EQ(q.out_h(), p.out_h()) << format_descriptor(p);
    EXPECT_EQ(q.out_w(), p.out_w()) << format_descriptor(p);
    EXPECT_EQ(q.flops(), p.flops()) << format_descriptor(p);
    // ... and exactly equal wherever every padded row and column is used; otherwise a descriptor (like
    // benchdnn's) records the least trailing padding that gives the same output, which computes the same.
    const bool symmetric = p.pad_top == p.pad_bottom && p.pad_left == p.pad_right;
    if (symmetric || ((p.h + p.pad_top + p.pad_bottom - ((p.r - 1) * p.dil_h + 1)) % p.stride_h == 0 &&
                      (p.w + p.pad_left + p.pad_right - ((p.s - 1) * p.dil_w + 1)) % p.stride_w == 0)) {
      EXPECT_EQ(q, p) << format_descriptor(p);
      ++checked;
    }
  }
  EXPECT_GT(checked, 400);
}

// Descriptors against benchdnn's rules (tests/benchdnn/conv/conv_aux.cpp), each row worked out by hand:
// out = (in - span + 2p) / stride + 1 with span = (k - 1)(d + 1) + 1; an output size given without its
// padding gives total = (out - 1) stride + span - in, floor(total / 2) before and the rest after; a
// dimension with no key at all copies the other one, output size and padding included; in a dimension
// that has keys, a missing stride is 1, dilation 0 and padding 0.
TEST(Descriptor, TableOfBenchdnnShapesAndPaddings) {
  struct Row {
    const char* desc;
    int64_t h, w, r, s, sh, sw, dh, dw, pt, pb, pl, pr, oh, ow;
  };
  const Row rows[] = {
      // desc                                  h   w    r  s  sh sw dh dw pt pb pl pr  oh   ow
      {"mb1ic3ih10oc4kh3oh12ow12", 10, 10, 3, 3, 1, 1, 1, 1, 2, 2, 2, 2, 12, 12},
      {"mb1ic3ih10oc4kh3oh12", 10, 10, 3, 3, 1, 1, 1, 1, 2, 2, 2, 2, 12, 12},
      {"mb1ic3ih10oc4kh3oh11", 10, 10, 3, 3, 1, 1, 1, 1, 1, 2, 1, 2, 11, 11},
      {"mb1ic3ih10oc4kh3", 10, 10, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 8, 8},
      {"mb1ic3ih10oc4kh3ph1", 10, 10, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 10, 10},
      {"mb1ic3ih10iw20oc4kh3kw5", 10, 20, 3, 5, 1, 1, 1, 1, 0, 0, 0, 0, 8, 16},
      {"mb1ic3ih10iw20oc4kh3kw5sh2", 10, 20, 3, 5, 2, 1, 1, 1, 0, 0, 0, 0, 4, 16},
      {"mb1ic3ih10oc4kh3sh2", 10, 10, 3, 3, 2, 2, 1, 1, 0, 0, 0, 0, 4, 4},
      {"mb1ic3ih10iw10oc4kh3kw3pw1", 10, 10, 3, 3, 1, 1, 1, 1, 0, 0, 1, 1, 8, 10},
      {"mb1ic3ih10oc4kh3dh1", 10, 10, 3, 3, 1, 1, 2, 2, 0, 0, 0, 0, 6, 6},
      {"mb1ic3ih10iw10oc4kh3kw3dh1", 10, 10, 3, 3, 1, 1, 2, 1, 0, 0, 0, 0, 6, 8},
      {"mb1ic3ih7oc4oh4kh3sh2", 7, 7, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 4, 4},
      {"mb1ic3ih8oc4oh4kh3sh2", 8, 8, 3, 3, 2, 2, 1, 1, 0, 1, 0, 1, 4, 4},
      {"mb1ic3ih224oc64oh112kh7sh2", 224, 224, 7, 7, 2, 2, 1, 1, 2, 3, 2, 3, 112, 112},
      {"mb1ic3ih224oc64oh112kh7sh2ph3", 224, 224, 7, 7, 2, 2, 1, 1, 3, 2, 3, 2, 112, 112},
      {"mb1ic3ih10iw12oc4oh10ow12kh3kw3", 10, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 10, 12},
      {"mb1ic3ih10iw12oc4oh10kh3kw3", 10, 12, 3, 3, 1, 1, 1, 1, 1, 1, 0, 0, 10, 10},
      {"g2mb1ic4ih10oc4kh3", 10, 10, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 8, 8},
      {"mb1ic3ih5oc4kh5", 5, 5, 5, 5, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1},
      {"mb1ic3ih10oc4kh3oh9", 10, 10, 3, 3, 1, 1, 1, 1, 0, 1, 0, 1, 9, 9},
      {"mb1ic3ih10oc4kh3dh1oh10", 10, 10, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 10, 10},
      {"mb1ic3ih10iw10oc4kh3kw3sw2", 10, 10, 3, 3, 1, 2, 1, 1, 0, 0, 0, 0, 8, 4},
      {"mb1ic3ih10oc4kh3oh12ph2", 10, 10, 3, 3, 1, 1, 1, 1, 2, 2, 2, 2, 12, 12},
      {"mb1ic3ih10iw10oc4kh3kw3sh2oh5", 10, 10, 3, 3, 2, 1, 1, 1, 0, 1, 0, 0, 5, 8},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.desc);
    const Problem p = parse_descriptor(row.desc);
    EXPECT_EQ((std::vector<int64_t>{p.h, p.w, p.r, p.s, p.stride_h, p.stride_w, p.dil_h, p.dil_w}),
              (std::vector<int64_t>{row.h, row.w, row.r, row.s, row.sh, row.sw, row.dh, row.dw}));
    EXPECT_EQ((std::vector<int64_t>{p.pad_top, p.pad_bottom, p.pad_left, p.pad_right}),
              (std::vector<int64_t>{row.pt, row.pb, row.pl, row.pr}));
    EXPECT_EQ(p.out_h(), row.oh);
    EXPECT_EQ(p.out_w(), row.ow);
  }
}

// Where convbench accepts what benchdnn rejects or reads as 1-D: a given dimension missing its input or
// filter size takes its twin's, and a problem with only w keys is square.
TEST(Descriptor, BeyondBenchdnnMissingSizesTakeTheirTwins) {
  const Problem a = parse_descriptor("mb1ic3ih10iw10oc4kh3");  // benchdnn: no kw → fails
  EXPECT_EQ(a.s, 3);
  EXPECT_EQ(a.out_w(), 8);
  const Problem b = parse_descriptor("mb1ic3iw10oc4kw3");  // benchdnn: a 1-D problem
  EXPECT_EQ(b.h, 10);
  EXPECT_EQ(b.r, 3);
  EXPECT_EQ(b.out_h(), 8);
}

TEST(DeepBench, TuplesAsConvProblemsListsThemAreTheSuitesProblems) {
  // DeepBench's own lines (conv_problems.h: W, H, C, N, K, S = filter width, R = filter height, pad_w, pad_h,
  // stride_w, stride_h) against the descriptors of the built-in suites. The first has every pair unequal
  // across its axes but the padding, so that a swapped W/H, S/R or stride pair shows.
  EXPECT_EQ(parse_deepbench("    std::make_tuple(151, 40, 1, 1, 32, 20, 5, 8, 8, 8, 2),"),
            parse_descriptor("mb1ic1ih40iw151oc32kh5kw20sh2sw8ph8pw8"));
  EXPECT_EQ(parse_deepbench("std::make_tuple(700, 161, 1, 4, 32, 20, 5, 0, 0, 2, 2),"),
            parse_descriptor("mb4ic1ih161iw700oc32kh5kw20sh2sw2ph0pw0"));
  // The last line of a set ends the list; bare parentheses, no wrapper, no spaces; the dtype and layout given.
  EXPECT_EQ(parse_deepbench("std::make_tuple(7, 7, 2048, 2, 512, 1, 1, 3, 3, 2, 2)};"),
            parse_descriptor("mb2ic2048ih7iw7oc512kh1kw1sh2sw2ph3pw3"));
  EXPECT_EQ(parse_deepbench("(30, 20, 3, 2, 8, 5, 3, 2, 1, 2, 1)", DType::f16, Layout::nchw),
            parse_descriptor("mb2ic3ih20iw30oc8kh3kw5sh1sw2ph1pw2", DType::f16, Layout::nchw));
  EXPECT_EQ(parse_deepbench("30,20,3,2,8,5,3,2,1,2,1"), parse_descriptor("mb2ic3ih20iw30oc8kh3kw5sh1sw2ph1pw2"));
}

TEST(DeepBench, ErrorsNameTheTupleAndWhatIsWrong) {
  const auto error_of = [](const std::string& text) {
    try {
      parse_deepbench(text);
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ExitCode::usage);
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(error_of("std::make_tuple(1, 2),"),
            "DeepBench problem 'std::make_tuple(1, 2),' is not valid: expected 11 whole numbers (W, H, C, N, K, S, R, "
            "pad_w, pad_h, stride_w, stride_h), found 2");
  EXPECT_EQ(error_of("make_tuple(7, 7, 512, 1, 512, 3, 3, 1, 1, 1, 1"),
            "DeepBench problem 'make_tuple(7, 7, 512, 1, 512, 3, 3, 1, 1, 1, 1' is not valid: the ')' that closes it "
            "is missing");
  EXPECT_EQ(
      error_of("7, 7, -512, 1, 512, 3, 3, 1, 1, 1, 1"),
      "DeepBench problem '7, 7, -512, 1, 512, 3, 3, 1, 1, 1, 1' is not valid: '-512' is not a whole number from 0 "
      "to 2147483647");
  EXPECT_EQ(error_of("7, 7, 512, 1, 512, 3, 3, 1, 1, , 1"),
            "DeepBench problem '7, 7, 512, 1, 512, 3, 3, 1, 1, , 1' is not valid: '' is not a whole number from 0 to "
            "2147483647");
  EXPECT_EQ(
      error_of("7, 7, 512, 1, 512, 9, 9, 0, 0, 1, 1"),
      "DeepBench problem '7, 7, 512, 1, 512, 9, 9, 0, 0, 1, 1' is not valid: --filter: the 9x9 filter (extent 9x9 "
      "with dilation) is larger than the padded 7x7 input, so the output would be empty");
  EXPECT_TRUE(looks_like_deepbench(" 7,7,512,1,512,3,3,1,1,1,1"));
  EXPECT_TRUE(looks_like_deepbench("std::make_tuple(1)"));
  EXPECT_FALSE(looks_like_deepbench("mb1ic3ih10oc4kh3"));
  EXPECT_FALSE(looks_like_deepbench("--batch 2,3"));
}

#include <gtest/gtest.h>

#include "convbench/error.hpp"
#include "convbench/problem.hpp"

using namespace convbench;

TEST(Problem, SeedDefaultsDeriveShapesFlopsAndBytes) {
  const Problem p;
  EXPECT_EQ(p.out_h(), 94);
  EXPECT_EQ(p.out_w(), 94);
  EXPECT_EQ(p.input_elems(), 100 * 100 * 100 * 3);
  EXPECT_EQ(p.weight_elems(), 32 * 3 * 7 * 7);
  EXPECT_EQ(p.output_elems(), 100 * 32 * 94 * 94);
  EXPECT_DOUBLE_EQ(p.flops(), 2.0 * 100 * 32 * 94 * 94 * 3 * 7 * 7);
  EXPECT_EQ(p.tensor_bytes(), uint64_t(3000000 + 4704 + 28275200) * 4);
}

// The CPU backend reuses a primitive only for an equal problem: a problem that differs in any field, the
// dtype and layout included, is another problem.
TEST(Problem, ProblemsThatDifferInAnyFieldAreNotEqual) {
  const Problem p;
  EXPECT_EQ(p, Problem());
  for (int64_t Problem::*field :
       {&Problem::n, &Problem::c, &Problem::h, &Problem::w, &Problem::k, &Problem::r, &Problem::s, &Problem::stride_h,
        &Problem::stride_w, &Problem::pad_top, &Problem::pad_bottom, &Problem::pad_left, &Problem::pad_right,
        &Problem::dil_h, &Problem::dil_w, &Problem::groups}) {
    Problem q = p;
    q.*field += 1;
    EXPECT_FALSE(q == p) << q.describe();
  }
  Problem bf16 = p, nchw = p;
  bf16.dtype = DType::bf16;
  nchw.layout = Layout::nchw;
  EXPECT_FALSE(bf16 == p);
  EXPECT_FALSE(nchw == p);
}

TEST(Problem, StridePaddingDilationAndGroupsEnterTheShapes) {
  Problem p;
  p.n = 2, p.c = 8, p.h = 11, p.w = 9, p.k = 4, p.r = 3, p.s = 2;
  p.stride_h = 2, p.stride_w = 3, p.pad_top = 1, p.pad_bottom = 2, p.pad_left = 0, p.pad_right = 1;
  p.dil_h = 2, p.dil_w = 1, p.groups = 2;
  p.dtype = DType::bf16;
  p.validate();
  EXPECT_EQ(p.out_h(), (11 + 3 - 5) / 2 + 1);
  EXPECT_EQ(p.out_w(), (9 + 1 - 2) / 3 + 1);
  EXPECT_EQ(p.weight_elems(), 4 * 4 * 3 * 2);
  EXPECT_DOUBLE_EQ(p.flops(), 2.0 * 2 * 4 * p.out_h() * p.out_w() * 4 * 3 * 2);
  EXPECT_EQ(p.tensor_bytes(), uint64_t(p.input_elems() + p.weight_elems() + p.output_elems()) * 2);
}

TEST(Problem, DescribeIsTheCanonicalFlagForm) {
  Problem p;
  EXPECT_EQ(p.describe(),
            "--batch 100 --input 100x100x3 --filter 32x7x7x3 --stride 1 --padding 0 --dilation 1 --groups 1 "
            "--layout nhwc --dtype f32");
  p.stride_w = 2, p.pad_top = 1, p.pad_bottom = 2, p.layout = Layout::nchw, p.dtype = DType::tf32;
  EXPECT_EQ(p.describe(),
            "--batch 100 --input 100x100x3 --filter 32x7x7x3 --stride 1x2 --padding 1x2x0x0 --dilation 1 --groups 1 "
            "--layout nchw --dtype tf32");
}

static std::string validation_message(const Problem& p) {
  try {
    p.validate();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Problem, ValidateRejectsImpossibleProblems) {
  Problem p;
  p.groups = 2;
  EXPECT_EQ(validation_message(p), "--groups: 2 does not divide the input's 3 channels");
  p = Problem();
  p.c = 4, p.groups = 4, p.k = 6;
  EXPECT_EQ(validation_message(p), "--groups: 4 does not divide the filter count 6");
  p = Problem();
  p.h = 5;
  EXPECT_EQ(validation_message(p),
            "--filter: the 7x7 filter (extent 7x7 with dilation) is larger than the padded 5x100 input, so the output "
            "would be empty");
  p = Problem();
  p.n = 0;
  EXPECT_EQ(validation_message(p), "--batch: '0' is not valid; each size must be an integer from 1 to 2147483647");
}

TEST(Problem, ValidateRefusesElementCountsThatOverflow) {
  Problem p;
  p.n = 2147483647, p.h = 2147483647, p.w = 2147483647, p.c = 3;
  try {
    p.validate();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::out_of_memory);
    EXPECT_STREQ(e.what(), "input element count overflows 64 bits");
  }
}

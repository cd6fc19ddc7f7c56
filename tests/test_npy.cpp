// .npy files: writing and reading back, float16 and format 2, malformed files.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

#include "convbench/error.hpp"
#include "convbench/npy.hpp"
#include "sample_result.hpp"
#include "scratch_dir.hpp"

using namespace convbench;
using namespace convbench::testing;

TEST(Npy, WritesAndReadsBack) {
  const ScratchDir dir("npy");
  const std::string path = dir.path + "/a.npy";
  const std::vector<float> data{1.5f, -2.0f, 3.25f, 0.0f, 7.0f, 8.0f};
  write_npy(path, "--save-output", {1, 2, 3}, data);
  const NpyArray a = read_npy(path, "--input-data");
  EXPECT_EQ(a.shape, (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(a.data, data);
  EXPECT_EQ(a.descr, "<f4");
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ((bytes.size() - data.size() * 4) % 64, 0u);  // header padded to 64 bytes, as NumPy does
}

TEST(Npy, ReadsFloat16AndFormat2) {
  // Hand-built: version 2.0 header, '<f2' data [1.0, -2.0].
  std::string header = "{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }";
  header.append(64 - (12 + header.size() + 1) % 64, ' ');
  header += '\n';
  std::string bytes = std::string("\x93NUMPY\x02\x00", 8);
  for (int i = 0; i < 4; ++i) bytes += static_cast<char>((header.size() >> (8 * i)) & 0xff);
  bytes += header;
  bytes += std::string("\x00\x3c\x00\xc0", 4);
  const NpyArray a = parse_npy(bytes, "x");
  EXPECT_EQ(a.descr, "<f2");
  EXPECT_EQ(a.data, (std::vector<float>{1.0f, -2.0f}));
}

TEST(Npy, AVersion1HeaderLongerThan255BytesIsRead) {
  // The header's length is two little-endian bytes: 320 is 0x40 0x01. A long shape, or a writer that pads
  // more than NumPy does, reaches past one byte.
  std::string h = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1, 2), }";
  h.append(320 - 10 - h.size() - 1, ' ');
  h += '\n';
  ASSERT_EQ(h.size(), 310u);
  const std::string data("\x00\x00\x80\x3f\x00\x00\x00\xc0", 8);  // 1.0f, -2.0f
  const std::string bytes = std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(h.size() & 0xff) +
                            static_cast<char>(h.size() >> 8) + h + data;
  const NpyArray a = parse_npy(bytes, "x");
  EXPECT_EQ(a.shape, (std::vector<int64_t>{1, 1, 1, 2}));
  EXPECT_EQ(a.data, (std::vector<float>{1.0f, -2.0f}));
}

TEST(Npy, ReadsFloat64AsNumPySavesByDefault) {
  // np.save of np.random.randn(...) writes '<f8'. Each value is rounded to float32 (then to the run's dtype);
  // one past float32's range becomes inf.
  const std::vector<double> values{1.0 / 3.0, -2.5, 1e300, -0.0};
  std::string data(values.size() * 8, '\0');
  std::memcpy(data.data(), values.data(), data.size());
  std::string h = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }\n";
  const std::string bytes = std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(h.size() & 0xff) +
                            static_cast<char>(h.size() >> 8) + h + data;
  const NpyArray a = parse_npy(bytes, "x");
  EXPECT_EQ(a.descr, "<f8");
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(a.data, (std::vector<float>{1.0f / 3.0f, -2.5f, std::numeric_limits<float>::infinity(), -0.0f}));
  EXPECT_TRUE(std::signbit(a.data[3]));
}

TEST(Npy, MalformedFilesAreRejectedWithAReason) {
  auto error_of = [](const std::string& bytes) {
    try {
      parse_npy(bytes, "f.npy");
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ExitCode::usage);
      return std::string(e.what());
    }
    return std::string();
  };
  auto npy = [](const std::string& dict, const std::string& data) {
    std::string h = dict + "\n";
    return std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(h.size() & 0xff) + static_cast<char>(h.size() >> 8) +
           h + data;
  };
  EXPECT_EQ(error_of("hello"), "f.npy: not a .npy file (bad magic)");
  EXPECT_EQ(error_of(npy("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", std::string(8, '\0'))),
            "f.npy: dtype '<i8' is not supported; use little-endian float32 ('<f4'), float64 ('<f8') or float16 "
            "('<f2')");
  EXPECT_EQ(error_of(npy("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", std::string(4, '\0'))),
            "f.npy: dtype '>f4' is not supported; use little-endian float32 ('<f4'), float64 ('<f8') or float16 "
            "('<f2')");
  EXPECT_EQ(error_of(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", std::string(12, '\0'))),
            "f.npy: the data is 12 bytes, but shape (2) of <f8 needs 16");
  EXPECT_EQ(error_of(npy("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", std::string(4, '\0'))),
            "f.npy: Fortran-ordered arrays are not supported; save in C order");
  EXPECT_EQ(error_of(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", std::string(20, '\0'))),
            "f.npy: the data is 20 bytes, but shape (2, 3) of <f4 needs 24");
  EXPECT_EQ(error_of(npy("{'descr': '<f4', 'fortran_order': False, }", "")), "f.npy: the shape is missing");
  EXPECT_EQ(error_of(npy("not a dict", "")), "f.npy: the header is not a dictionary");
  EXPECT_EQ(error_of(std::string("\x93NUMPY\x01\x00\xff\x7f", 10)), "f.npy: truncated header");
  EXPECT_EQ(error_of(std::string("\x93NUMPY\x07\x00\x00\x00", 10)), "f.npy: unsupported .npy format version 7");
  try {
    read_npy("/nonexistent/x.npy", "--input-data");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "--input-data: cannot read '/nonexistent/x.npy': no such file");
  }
}

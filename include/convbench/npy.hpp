// NumPy .npy files: little-endian float32 or float16 arrays in C order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "convbench/host_buffer.hpp"

namespace convbench {

struct NpyArray {
  std::vector<int64_t> shape;
  std::vector<float> data;  ///< converted to float
  std::string descr;        ///< "<f4", "<f8" or "<f2"
};

/// Parses the bytes of a .npy file (format 1.0, 2.0 or 3.0). Throws Error(usage) starting with `what`
/// on anything else: bad magic, a header that is not a dict, a dtype other than <f4/<f8/<f2, Fortran order,
/// or a data size that does not match the shape.
NpyArray parse_npy(const std::string& bytes, const std::string& what);
/// Reads and parses a file; `flag` names the option in errors.
NpyArray read_npy(const std::string& path, const std::string& flag);
/// Writes float32 data with this shape, atomically.
void write_npy(const std::string& path, const std::string& flag, const std::vector<int64_t>& shape,
               FloatView data);

}  // namespace convbench

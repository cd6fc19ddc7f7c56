// A strict .npy reader and a float32 writer.
#include "convbench/npy.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/stat.h>

#include <charconv>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

#include "convbench/atomic_file.hpp"
#include "convbench/error.hpp"
#include "convbench/numeric.hpp"

namespace convbench {
namespace {

constexpr char kMagic[] = "\x93NUMPY";

/// The text after `'key':` in a header dict, trimmed, or empty.
std::string value_of(const std::string& header, const std::string& key) {
  const std::string quoted = "'" + key + "'";
  const auto at = header.find(quoted);
  if (at == std::string::npos) return "";
  auto colon = header.find(':', at + quoted.size());
  if (colon == std::string::npos) return "";
  ++colon;
  while (colon < header.size() && header[colon] == ' ') ++colon;
  return header.substr(colon);
}

/// The dimensions of a header's "shape" tuple, appended to `shape`; returns their product.
template <typename Fail>
int64_t read_shape(const std::string& text, std::vector<int64_t>& shape, const Fail& fail) {
  if (text.empty() || text[0] != '(' || text.find(')') == std::string::npos) throw fail("the shape is missing");
  const std::string dims = text.substr(1, text.find(')') - 1);
  int64_t count = 1;
  for (size_t i = 0; i < dims.size();) {
    while (i < dims.size() && (dims[i] == ' ' || dims[i] == ',')) ++i;
    if (i >= dims.size()) break;
    int64_t d = 0;
    const auto [end, ec] = std::from_chars(dims.data() + i, dims.data() + dims.size(), d);
    if (ec != std::errc() || d < 0) throw fail(fmt::format("bad shape ({})", dims));
    if (__builtin_mul_overflow(count, d, &count)) throw fail("the shape's element count overflows");
    shape.push_back(d);
    i = static_cast<size_t>(end - dims.data());
  }
  return count;
}

}  // namespace

NpyArray parse_npy(const std::string& bytes, const std::string& what) {
  const auto fail = [&what](const std::string& why) { return Error(ExitCode::usage, what + ": " + why); };
  if (bytes.size() < 10 || bytes.compare(0, 6, kMagic, 6) != 0) throw fail("not a .npy file (bad magic)");
  const auto major = static_cast<unsigned char>(bytes[6]);
  size_t header_len = 0, offset = 0;
  if (major == 1) {
    header_len =
        static_cast<unsigned char>(bytes[8]) | (static_cast<size_t>(static_cast<unsigned char>(bytes[9])) << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) throw fail("truncated header");
    for (int i = 0; i < 4; ++i) header_len |= static_cast<size_t>(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
    offset = 12;
  } else {
    throw fail(fmt::format("unsupported .npy format version {}", major));
  }
  if (header_len > bytes.size() - offset) throw fail("truncated header");
  const std::string header = bytes.substr(offset, header_len);
  offset += header_len;
  if (header.find('{') == std::string::npos || header.find('}') == std::string::npos)
    throw fail("the header is not a dictionary");

  NpyArray a;
  const std::string descr = value_of(header, "descr");
  if (descr.rfind("'<f4'", 0) == 0) {
    a.descr = "<f4";
  } else if (descr.rfind("'<f2'", 0) == 0) {
    a.descr = "<f2";
  } else if (descr.rfind("'<f8'", 0) == 0) {  // NumPy's default: np.random.randn() saves float64
    a.descr = "<f8";
  } else {
    const auto end = descr.find_first_of(",}");
    throw fail(
        fmt::format("dtype {} is not supported; use little-endian float32 ('<f4'), float64 ('<f8') or float16 ('<f2')",
                    descr.empty() ? "(missing)" : descr.substr(0, end)));
  }
  const std::string fortran = value_of(header, "fortran_order");
  if (fortran.rfind("False", 0) != 0) throw fail("Fortran-ordered arrays are not supported; save in C order");
  const int64_t count = read_shape(value_of(header, "shape"), a.shape, fail);
  const size_t item = a.descr == "<f4" ? 4 : a.descr == "<f8" ? 8 : 2;
  const size_t data_bytes = bytes.size() - offset;
  if (static_cast<uint64_t>(count) > std::numeric_limits<size_t>::max() / item ||
      static_cast<size_t>(count) * item != data_bytes)
    throw fail(fmt::format("the data is {} bytes, but shape ({}) of {} needs {}", data_bytes, fmt::join(a.shape, ", "),
                           a.descr, static_cast<unsigned long long>(count) * item));
  a.data.resize(static_cast<size_t>(count));
  const char* p = bytes.data() + offset;
  for (size_t i = 0; i < a.data.size(); ++i) {
    if (item == 4) {
      std::memcpy(&a.data[i], p + 4 * i, 4);
    } else if (item == 8) {
      double d;
      std::memcpy(&d, p + 8 * i, 8);
      a.data[i] = static_cast<float>(d);
    } else {
      uint16_t h;
      std::memcpy(&h, p + 2 * i, 2);
      a.data[i] = from_f16_bits(h);
    }
  }
  return a;
}

NpyArray read_npy(const std::string& path, const std::string& flag) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0)
    throw Error(ExitCode::usage, fmt::format("{}: cannot read '{}': no such file", flag, path));
  if (!S_ISREG(st.st_mode))  // a folder, or a pipe whose size the header check could not trust
    throw Error(ExitCode::usage, fmt::format("{}: cannot read '{}': not a regular file", flag, path));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ExitCode::usage, fmt::format("{}: cannot read '{}'", flag, path));
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_npy(ss.str(), fmt::format("{}: '{}'", flag, path));
}

void write_npy(const std::string& path, const std::string& flag, const std::vector<int64_t>& shape,
               FloatView data) {
  std::string dims;
  for (int64_t d : shape) dims += std::to_string(d) + ", ";
  if (shape.size() > 1) dims.resize(dims.size() - 1);  // "(a, b, c)"; a 1-D shape keeps its comma
  std::string header = fmt::format("{{'descr': '<f4', 'fortran_order': False, 'shape': ({}), }}", dims);
  // Pad with spaces so that the data starts on a 64-byte boundary, ending the header with a newline.
  const size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  AtomicFile f(path, flag);
  std::ostream& out = f.stream();
  out.write(kMagic, 6);
  out.put('\x01');
  out.put('\x00');
  out.put(static_cast<char>(header.size() & 0xff));
  out.put(static_cast<char>(header.size() >> 8));
  out << header;
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size() * 4));
  f.commit();
}

}  // namespace convbench

// benchdnn-style descriptors: parsing with benchdnn's defaults, and the canonical form.
#include "convbench/descriptor.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <limits>
#include <map>

#include "convbench/error.hpp"

namespace convbench {
namespace {

constexpr std::array<const char*, 16> kKeys = {"mb", "ic", "ih", "iw", "oc", "oh", "ow", "kh",
                                               "kw", "sh", "sw", "ph", "pw", "dh", "dw", "g"};

UsageError bad(const std::string& text, const std::string& why) {
  return UsageError(fmt::format("descriptor '{}' is not valid: {}", text, why));
}

}  // namespace

bool looks_like_descriptor(const std::string& text) {
  for (const char* k : kKeys)
    if (text.rfind(k, 0) == 0 && text.size() > std::string(k).size() &&
        std::isdigit(static_cast<unsigned char>(text[std::string(k).size()])))
      return true;
  return false;
}

Problem parse_descriptor(const std::string& text, DType dtype, Layout layout) {
  std::string body = text;
  if (const auto name = body.find("_n"); name != std::string::npos) body.resize(name);
  std::map<std::string, int64_t> v;
  size_t i = 0;
  while (i < body.size()) {
    // Longest key first: "g" must not shadow nothing, but "mb" etc. are all two letters.
    std::string key;
    for (const char* k : kKeys)
      if (body.compare(i, std::string(k).size(), k) == 0) {
        key = k;
        break;
      }
    if (key.empty()) throw bad(text, fmt::format("unknown key at '{}'", body.substr(i)));
    if (v.count(key)) throw bad(text, fmt::format("'{}' is given twice", key));
    i += key.size();
    const size_t start = i;
    while (i < body.size() && std::isdigit(static_cast<unsigned char>(body[i]))) ++i;
    if (start == i) throw bad(text, fmt::format("'{}' needs a whole number", key));
    int64_t n = 0;
    const auto [end, ec] = std::from_chars(body.data() + start, body.data() + i, n);
    if (ec != std::errc() || n > std::numeric_limits<int32_t>::max())
      throw bad(text, fmt::format("'{}' is out of range", key));
    v[key] = n;
  }
  for (const auto& [key, value] : v)
    if (value == 0 && key[0] != 'p' && key[0] != 'd') throw bad(text, fmt::format("'{}' must be at least 1", key));
  for (const char* required : {"ic", "oc"})
    if (!v.count(required)) throw bad(text, fmt::format("'{}' is required", required));
  if (!v.count("ih") && !v.count("iw")) throw bad(text, "'ih' or 'iw' is required");
  if (!v.count("kh") && !v.count("kw")) throw bad(text, "'kh' or 'kw' is required");
  const auto get = [&v](const char* key, const char* twin, int64_t fallback) {
    if (v.count(key)) return v[key];
    if (twin && v.count(twin)) return v[twin];
    return fallback;
  };
  Problem p;
  p.dtype = dtype;
  p.layout = layout;
  p.groups = get("g", nullptr, 1);
  p.n = get("mb", nullptr, 2);
  p.c = v["ic"];
  p.k = v["oc"];
  p.h = get("ih", "iw", 0);
  p.w = get("iw", "ih", 0);
  p.r = get("kh", "kw", 0);
  p.s = get("kw", "kh", 0);
  p.stride_h = get("sh", "sw", 1);
  p.stride_w = get("sw", "sh", 1);
  p.dil_h = get("dh", "dw", 0) + 1;
  p.dil_w = get("dw", "dh", 0) + 1;
  p.pad_top = p.pad_bottom = get("ph", "pw", 0);
  p.pad_left = p.pad_right = get("pw", "ph", 0);
  // An explicit output size fixes the bottom/right padding: the least that gives that many outputs.
  const auto fit = [&](const char* key, int64_t in, int64_t filter, int64_t dil, int64_t stride, int64_t before,
                       int64_t& after) {
    if (!v.count(key)) return;
    const int64_t out = v[key];
    after = std::max<int64_t>(0, (out - 1) * stride + (filter - 1) * dil + 1 - in - before);
    const int64_t reached = (in + before + after - ((filter - 1) * dil + 1)) / stride + 1;
    if (out < 1 || reached != out)
      throw bad(text, fmt::format("'{}{}' cannot be reached with this input, filter, stride and padding", key, out));
  };
  fit("oh", p.h, p.r, p.dil_h, p.stride_h, p.pad_top, p.pad_bottom);
  fit("ow", p.w, p.s, p.dil_w, p.stride_w, p.pad_left, p.pad_right);
  try {
    p.validate();
  } catch (const Error& e) {
    throw bad(text, e.what());
  }
  if (v.count("oh") && p.out_h() != v["oh"]) throw bad(text, fmt::format("'oh{}' does not match the shapes", v["oh"]));
  if (v.count("ow") && p.out_w() != v["ow"]) throw bad(text, fmt::format("'ow{}' does not match the shapes", v["ow"]));
  return p;
}

std::string format_descriptor(const Problem& p) {
  std::string d = fmt::format("g{}mb{}ic{}ih{}iw{}oc{}", p.groups, p.n, p.c, p.h, p.w, p.k);
  if (p.pad_top != p.pad_bottom || p.pad_left != p.pad_right) d += fmt::format("oh{}ow{}", p.out_h(), p.out_w());
  d += fmt::format("kh{}kw{}sh{}sw{}ph{}pw{}dh{}dw{}", p.r, p.s, p.stride_h, p.stride_w, p.pad_top, p.pad_left,
                   p.dil_h - 1, p.dil_w - 1);
  return d;
}

}  // namespace convbench

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

  // benchdnn's rules (conv_aux.cpp): a spatial dimension is "given" when any of its keys is (a zero ph or
  // pw alone does not count). A dimension with no key at all is a copy of the other one, output size and
  // padding included. In a given dimension a missing stride is 1, dilation 0 and padding 0, unless the
  // output size is given: then the total padding follows from it, floor(total/2) before and the rest after.
  // Beyond benchdnn: a given dimension without its input size or filter size takes its twin's.
  const auto given = [&v](const char* in, const char* k, const char* o, const char* d, const char* st,
                          const char* pk) {
    return v.count(in) || v.count(k) || v.count(o) || v.count(d) || (v.count(st) && v[st] != 1) ||
           (v.count(pk) && v[pk] > 0);
  };
  const bool has_h = given("ih", "kh", "oh", "dh", "sh", "ph"), has_w = given("iw", "kw", "ow", "dw", "sw", "pw");
  struct Axis {
    int64_t in = 0, filter = 0, stride = 1, dil = 1, before = 0, after = 0;
  };
  const auto axis = [&](const char* in, const char* k, const char* o, const char* d, const char* st, const char* pk,
                        const char* twin_in, const char* twin_k) {
    Axis a;
    a.in = v.count(in) ? v[in] : v[twin_in];
    a.filter = v.count(k) ? v[k] : v[twin_k];
    a.stride = v.count(st) ? v[st] : 1;
    a.dil = (v.count(d) ? v[d] : 0) + 1;
    const int64_t span = (a.filter - 1) * a.dil + 1;
    if (v.count(o)) {
      // The least total padding that gives that output; with the leading padding given, the trailing padding
      // is what remains (none when the leading padding already reaches it, as strides can skip rows).
      const int64_t total = total_padding(a.in, v[o], a.filter, a.stride, a.dil);
      if (total < 0 && !v.count(pk))
        throw bad(text, fmt::format("'{}{}' cannot be reached with this input, filter, stride and padding", o, v[o]));
      a.before = v.count(pk) ? v[pk] : total / 2;
      a.after = std::max<int64_t>(0, total - a.before);
      if ((a.in + a.before + a.after - span) / a.stride + 1 != v[o])
        throw bad(text, fmt::format("'{}{}' cannot be reached with this input, filter, stride and padding", o, v[o]));
    } else {
      a.before = a.after = v.count(pk) ? v[pk] : 0;
    }
    return a;
  };
  Axis h, w;
  if (has_h) h = axis("ih", "kh", "oh", "dh", "sh", "ph", "iw", "kw");
  if (has_w) w = axis("iw", "kw", "ow", "dw", "sw", "pw", "ih", "kh");
  if (!has_h) h = w;
  if (!has_w) w = h;

  Problem p;
  p.dtype = dtype;
  p.layout = layout;
  p.groups = v.count("g") ? v["g"] : 1;
  p.n = v.count("mb") ? v["mb"] : 2;
  p.c = v["ic"];
  p.k = v["oc"];
  p.h = h.in, p.r = h.filter, p.stride_h = h.stride, p.dil_h = h.dil, p.pad_top = h.before, p.pad_bottom = h.after;
  p.w = w.in, p.s = w.filter, p.stride_w = w.stride, p.dil_w = w.dil, p.pad_left = w.before, p.pad_right = w.after;
  try {
    p.validate();
  } catch (const Error& e) {
    throw bad(text, e.what());
  }
  const auto check_out = [&](const char* key, int64_t out) {
    if (v.count(key) && out != v[key]) throw bad(text, fmt::format("'{}{}' does not match the shapes", key, v[key]));
  };
  check_out("oh", p.out_h());
  check_out("ow", p.out_w());
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

// benchdnn-style descriptors: parsing with benchdnn's defaults, and the canonical form. DeepBench's tuples.
#include "convbench/descriptor.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <limits>
#include <map>
#include <vector>

#include "convbench/error.hpp"

namespace convbench {
namespace {

constexpr std::array<const char*, 16> kKeys = {"mb", "ic", "ih", "iw", "oc", "oh", "ow", "kh",
                                               "kw", "sh", "sw", "ph", "pw", "dh", "dw", "g"};

UsageError bad(const std::string& text, const std::string& why) {
  return UsageError(fmt::format("descriptor '{}' is not valid: {}", text, why));
}

using Keys = std::map<std::string, int64_t>;

/// The key/number pairs of a descriptor (a trailing `_n...` name ignored), each key at most once.
Keys read_keys(const std::string& text) {
  std::string body = text;
  if (const auto name = body.find("_n"); name != std::string::npos) body.resize(name);
  Keys v;
  size_t i = 0;
  while (i < body.size()) {
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
  return v;
}

/// One spatial axis, by its keys: "h" (ih kh oh dh sh ph) or "w", with the other as its twin.
struct Axis {
  int64_t in = 0, filter = 0, stride = 1, dil = 1, before = 0, after = 0;
};

std::string key(const char* name, char axis) { return std::string(name) + axis; }

/// benchdnn's rules (conv_aux.cpp): an axis is "given" when any of its keys is (a zero padding alone does
/// not count); in a given axis a missing stride is 1, dilation 0 and padding 0, unless the output size is
/// given: then the total padding follows from it, floor(total/2) before and the rest after.
bool axis_given(const Keys& v, char a) {
  const auto has = [&](const char* k) { return v.count(key(k, a)) > 0; };
  return has("i") || has("k") || has("o") || has("d") || (has("s") && v.at(key("s", a)) != 1) ||
         (has("p") && v.at(key("p", a)) > 0);
}

/// Beyond benchdnn: a given axis without its input size or filter size takes its twin's.
Axis read_axis(const Keys& v, char a, char twin, const std::string& text) {
  const auto get = [&](const char* k, int64_t fallback) {
    const auto it = v.find(key(k, a));
    return it == v.end() ? fallback : it->second;
  };
  Axis x;
  x.in = get("i", v.count(key("i", twin)) ? v.at(key("i", twin)) : 0);
  x.filter = get("k", v.count(key("k", twin)) ? v.at(key("k", twin)) : 0);
  x.stride = get("s", 1);
  x.dil = get("d", 0) + 1;
  const bool pad_given = v.count(key("p", a)) > 0;
  const std::string o = key("o", a);
  if (!v.count(o)) {
    x.before = x.after = get("p", 0);
    return x;
  }
  // The least total padding that gives that output; with the leading padding given, the trailing padding
  // is what remains (none when the leading padding already reaches it, as strides can skip rows).
  const int64_t out = v.at(o), total = total_padding(x.in, out, x.filter, x.stride, x.dil);
  const std::string unreachable =
      fmt::format("'{}{}' cannot be reached with this input, filter, stride and padding", o, out);
  if (total < 0 && !pad_given) throw bad(text, unreachable);
  x.before = pad_given ? get("p", 0) : total / 2;
  x.after = std::max<int64_t>(0, total - x.before);
  if ((x.in + x.before + x.after - ((x.filter - 1) * x.dil + 1)) / x.stride + 1 != out) throw bad(text, unreachable);
  return x;
}

}  // namespace

bool looks_like_descriptor(const std::string& text) {
  for (const char* k : kKeys)
    if (text.rfind(k, 0) == 0 && text.size() > std::string(k).size() &&
        std::isdigit(static_cast<unsigned char>(text[std::string(k).size()])))
      return true;
  return false;
}

Problem parse_descriptor(const std::string& text, DType dtype, Layout layout, int64_t batch) {
  const Keys v = read_keys(text);
  // An axis with no key at all is a copy of the other one, output size and padding included.
  const bool has_h = axis_given(v, 'h'), has_w = axis_given(v, 'w');
  Axis h, w;
  if (has_h) h = read_axis(v, 'h', 'w', text);
  if (has_w) w = read_axis(v, 'w', 'h', text);
  if (!has_h) h = w;
  if (!has_w) w = h;
  Problem p;
  p.dtype = dtype;
  p.layout = layout;
  p.groups = v.count("g") ? v.at("g") : 1;
  p.n = v.count("mb") ? v.at("mb") : batch;
  p.c = v.at("ic");
  p.k = v.at("oc");
  p.h = h.in, p.r = h.filter, p.stride_h = h.stride, p.dil_h = h.dil, p.pad_top = h.before, p.pad_bottom = h.after;
  p.w = w.in, p.s = w.filter, p.stride_w = w.stride, p.dil_w = w.dil, p.pad_left = w.before, p.pad_right = w.after;
  try {
    p.validate();
  } catch (const Error& e) {
    throw bad(text, e.what());
  }
  for (const auto& [k, out] : {std::pair<const char*, int64_t>{"oh", p.out_h()}, {"ow", p.out_w()}})
    if (v.count(k) && out != v.at(k)) throw bad(text, fmt::format("'{}{}' does not match the shapes", k, v.at(k)));
  return p;
}

namespace {

constexpr const char* kTupleOpenings[] = {"std::make_tuple(", "make_tuple(", "("};

std::string trimmed(const std::string& text) {
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

}  // namespace

bool looks_like_deepbench(const std::string& text) {
  const std::string t = trimmed(text);
  return (!t.empty() && std::isdigit(static_cast<unsigned char>(t[0])) && t.find(',') != std::string::npos) ||
         std::any_of(std::begin(kTupleOpenings), std::end(kTupleOpenings),
                     [&](const char* open) { return t.rfind(open, 0) == 0; });
}

Problem parse_deepbench(const std::string& text, DType dtype, Layout layout) {
  const std::string shown = trimmed(text);
  const auto bad = [&](const std::string& why) {
    return UsageError(fmt::format("DeepBench problem '{}' is not valid: {}", shown, why));
  };
  std::string body = shown;
  // A line copied from conv_problems.h ends with ",", the last of a set with ")};".
  while (!body.empty() && std::string(",;} \t").find(body.back()) != std::string::npos) body.pop_back();
  for (const char* open : kTupleOpenings) {
    if (body.rfind(open, 0) != 0) continue;
    if (body.back() != ')') throw bad("the ')' that closes it is missing");
    body = body.substr(std::string(open).size(), body.size() - std::string(open).size() - 1);
    break;
  }
  std::vector<int64_t> f;
  size_t start = 0;
  while (true) {
    const size_t comma = std::min(body.find(',', start), body.size());
    const std::string field = trimmed(body.substr(start, comma - start));
    int64_t n = -1;
    const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), n);
    if (field.empty() || ec != std::errc() || end != field.data() + field.size() || n < 0 ||
        n > std::numeric_limits<int32_t>::max())
      throw bad(fmt::format("'{}' is not a whole number from 0 to {}", field, std::numeric_limits<int32_t>::max()));
    f.push_back(n);
    if (comma == body.size()) break;
    start = comma + 1;
  }
  if (f.size() != 11)
    throw bad(fmt::format("expected 11 whole numbers (W, H, C, N, K, S, R, pad_w, pad_h, stride_w, stride_h), found {}",
                          f.size()));
  Problem p;
  p.dtype = dtype;
  p.layout = layout;
  p.w = f[0], p.h = f[1], p.c = f[2], p.n = f[3], p.k = f[4], p.s = f[5], p.r = f[6];
  p.pad_left = p.pad_right = f[7];
  p.pad_top = p.pad_bottom = f[8];
  p.stride_w = f[9], p.stride_h = f[10];
  try {
    p.validate();
  } catch (const Error& e) {
    throw bad(e.what());
  }
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

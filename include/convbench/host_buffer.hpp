// Host buffers for a device's output. An output can be hundreds of MB (the seed's is 113 MB), and a library
// overwrites all of it at once, so it is not zeroed first: a std::vector<float> of that size zero-fills it on
// one thread, page fault by page fault (57-72 ms for the seed on the build machine, as long as the oneDNN
// reorder that fills it). Its pages are first touched from every host thread instead.
#pragma once

#include <cstddef>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include "convbench/parallel.hpp"

namespace convbench {

/// std::allocator, except that a new element is default-initialized (for float: left unwritten), not zeroed.
template <class T>
struct UninitAllocator : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = UninitAllocator<U>;
  };
  UninitAllocator() = default;
  template <class U>
  UninitAllocator(const UninitAllocator<U>&) noexcept {}
  template <class U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

/// A device's output as float, in the problem's layout.
using OutputFloats = std::vector<float, UninitAllocator<float>>;

/// A buffer of `n` floats that the caller is about to overwrite whole: not zeroed, its pages touched from
/// every host thread (so that the page faults are not all taken by the one thread that copies into it).
inline OutputFloats floats_for_overwrite(size_t n) {
  OutputFloats v(n);
  constexpr int64_t kPage = 4096 / sizeof(float), kChunk = int64_t{1} << 20;
  float* data = v.data();
  for_each_chunk(static_cast<int64_t>(n), kChunk, [data](int64_t, int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; i += kPage) data[i] = 0.0f;
  });
  return v;
}

/// A read-only view of contiguous floats: an OutputFloats or a std::vector<float>.
class FloatView {
 public:
  template <class V, class = decltype(std::declval<const V&>().data() + std::declval<const V&>().size())>
  FloatView(const V& v) : data_(v.data()), size_(v.size()) {}  // NOLINT: implicit, as a span is
  const float* data() const { return data_; }
  size_t size() const { return size_; }
  const float& operator[](size_t i) const { return data_[i]; }
  const float* begin() const { return data_; }
  const float* end() const { return data_ + size_; }

 private:
  const float* data_;
  size_t size_;
};

}  // namespace convbench

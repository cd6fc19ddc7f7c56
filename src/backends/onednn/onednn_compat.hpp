// The one place that knows how oneDNN 2.x and 3.x differ. The backend (and the direct-call benchmark)
// build primitive descriptors and name ISAs through these helpers only; nothing else tests
// DNNL_VERSION_MAJOR.
//
// What changed in 3.0 that matters here: operation descriptors (convolution_forward::desc,
// matmul::desc) are gone, and primitive descriptors take the engine first and the operation's
// parameters directly; the CPU ISA enum lost the Xeon Phi entries and gained avx2_vnni_2,
// avx512_core_fp16 and avx512_core_amx_fp16.
#pragma once

#include <oneapi/dnnl/dnnl_version.h>

#include <oneapi/dnnl/dnnl.hpp>
#include <utility>

namespace convbench::onednn_compat {

/// A forward-inference direct convolution. `dilates` count from 0, as oneDNN counts them.
inline dnnl::convolution_forward::primitive_desc conv_pd(
    const dnnl::engine& eng, const dnnl::memory::desc& src, const dnnl::memory::desc& wei,
    const dnnl::memory::desc& dst, const dnnl::memory::dims& strides, const dnnl::memory::dims& dilates,
    const dnnl::memory::dims& pad_l, const dnnl::memory::dims& pad_r, const dnnl::primitive_attr& attr = {}) {
#if DNNL_VERSION_MAJOR >= 3
  return {eng,
          dnnl::prop_kind::forward_inference,
          dnnl::algorithm::convolution_direct,
          src,
          wei,
          dst,
          strides,
          dilates,
          pad_l,
          pad_r,
          attr};
#else
  const dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, src,
                                          wei, dst, strides, dilates, pad_l, pad_r);
  return {d, attr, eng};
#endif
}

/// C = A × B.
inline dnnl::matmul::primitive_desc matmul_pd(const dnnl::engine& eng, const dnnl::memory::desc& a,
                                              const dnnl::memory::desc& b, const dnnl::memory::desc& c,
                                              const dnnl::primitive_attr& attr = {}) {
#if DNNL_VERSION_MAJOR >= 3
  return {eng, a, b, c, attr};
#else
  return {dnnl::matmul::desc(a, b, c), attr, eng};
#endif
}

/// The name of the ISA oneDNN dispatches to, as oneDNN spells it ("avx512_core_bf16"), or "other".
inline const char* isa_name(dnnl::cpu_isa isa) {
  using dnnl::cpu_isa;
  static const std::pair<cpu_isa, const char*> kNames[] = {
      {cpu_isa::sse41, "sse41"},
      {cpu_isa::avx, "avx"},
      {cpu_isa::avx2, "avx2"},
      {cpu_isa::avx2_vnni, "avx2_vnni"},
      {cpu_isa::avx512_core, "avx512_core"},
      {cpu_isa::avx512_core_vnni, "avx512_core_vnni"},
      {cpu_isa::avx512_core_bf16, "avx512_core_bf16"},
      {cpu_isa::avx512_core_amx, "avx512_core_amx"},
#if DNNL_VERSION_MAJOR >= 3
      {cpu_isa::avx2_vnni_2, "avx2_vnni_2"},
      {cpu_isa::avx512_core_fp16, "avx512_core_fp16"},
      {cpu_isa::avx512_core_amx_fp16, "avx512_core_amx_fp16"},
#endif
  };
  for (const auto& [value, name] : kNames)
    if (value == isa) return name;
  return "other";
}

}  // namespace convbench::onednn_compat

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
  switch (isa) {
    case cpu_isa::sse41:
      return "sse41";
    case cpu_isa::avx:
      return "avx";
    case cpu_isa::avx2:
      return "avx2";
    case cpu_isa::avx2_vnni:
      return "avx2_vnni";
    case cpu_isa::avx512_core:
      return "avx512_core";
    case cpu_isa::avx512_core_vnni:
      return "avx512_core_vnni";
    case cpu_isa::avx512_core_bf16:
      return "avx512_core_bf16";
    case cpu_isa::avx512_core_amx:
      return "avx512_core_amx";
#if DNNL_VERSION_MAJOR >= 3
    case cpu_isa::avx2_vnni_2:
      return "avx2_vnni_2";
    case cpu_isa::avx512_core_fp16:
      return "avx512_core_fp16";
    case cpu_isa::avx512_core_amx_fp16:
      return "avx512_core_amx_fp16";
#endif
    default:
      return "other";
  }
}

}  // namespace convbench::onednn_compat

// Helpers of the cuDNN backend.
#include "backends/cudnn/cudnn_common.hpp"

#include "convbench/numeric.hpp"

namespace convbench::cudnn_impl {

fe::DataType_t io_type(DType d) {
  // In DType order: tf32 data is float.
  constexpr fe::DataType_t kTypes[] = {fe::DataType_t::FLOAT, fe::DataType_t::FLOAT, fe::DataType_t::BFLOAT16,
                                       fe::DataType_t::HALF};
  return kTypes[static_cast<size_t>(d)];
}

/// Numerical notes an engine must not carry for the dtype's math mode, as PyTorch filters them: strict f32
/// bars tensor cores (TF32), as with allow_tf32 off, and no mode lets inputs be down-converted. f16 and bf16
/// engines may use reduced-precision reductions, as PyTorch allows them.
std::vector<fe::NumericalNote_t> barred_notes(DType d) {
  std::vector<fe::NumericalNote_t> notes{fe::NumericalNote_t::DOWN_CONVERT_INPUTS};
  if (d == DType::f32) notes.push_back(fe::NumericalNote_t::TENSOR_CORE);
  return notes;
}

const char* math_mode(DType d) {
  constexpr const char* kText[] = {
      "strict fp32 (tensor-core engines excluded)", "tf32 tensor cores allowed",
      "tensor cores, float compute type (reduced-precision reductions allowed, as in PyTorch)",
      "tensor cores, float compute type (reduced-precision reductions allowed, as in PyTorch)"};  // in DType order
  return kText[static_cast<size_t>(d)];
}

/// Strides of an N×C×H×W (or K×C×R×S) tensor in the layout, as the frontend takes them.
std::vector<int64_t> strides(Layout l, int64_t c, int64_t h, int64_t w) {
  const auto st = layout_strides(l, c, h, w);
  return {st.begin(), st.end()};
}

std::string gib(double bytes) { return fmt::format("{:.2f} GiB", bytes / (1024.0 * 1024.0 * 1024.0)); }

std::vector<uint16_t> encode16(DType d, const std::vector<float>& v) {
  std::vector<uint16_t> out(v.size());
  for (size_t i = 0; i < v.size(); ++i) out[i] = d == DType::bf16 ? to_bf16_bits(v[i]) : to_f16_bits(v[i]);
  return out;
}

void decode16(DType d, const uint16_t* bits, OutputFloats& out) {
  for (size_t i = 0; i < out.size(); ++i) out[i] = d == DType::bf16 ? from_bf16_bits(bits[i]) : from_f16_bits(bits[i]);
}

/// Whether a frontend status means "cuDNN has no engine for this" (exit 4) rather than a failure (exit 7).
bool means_unsupported(fe::error_t e) {  // by value: error_t's getters are not const
  return e.get_code() == fe::error_code_t::GRAPH_NOT_SUPPORTED ||
         e.get_code() == fe::error_code_t::HEURISTIC_QUERY_FAILED ||
         e.get_code() == fe::error_code_t::GRAPH_EXECUTION_PLAN_CREATION_FAILED;
}

}  // namespace convbench::cudnn_impl

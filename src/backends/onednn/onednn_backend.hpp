// The CPU backend: oneDNN forward-inference convolution with format_tag::any.
#pragma once

#include <memory>
#include <string>

#include "convbench/backend.hpp"

namespace convbench {

std::unique_ptr<Conv2D> make_onednn_backend(const BackendSettings& s);
/// "oneDNN X.Y.Z".
std::string onednn_version();
/// The ISA oneDNN dispatches to on this CPU, e.g. "avx512_core_amx".
std::string onednn_isa();

}  // namespace convbench

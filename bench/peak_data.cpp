// Do a ceiling's operands change it on this CPU? `convbench peak` times oneDNN matmuls on seeded
// standard-normal values, as convolutions get; zeros can run faster (less switching, less power). Runs peak's
// own matmul ceiling on zeros and on random values, alternating, and prints each dtype's rates and the median
// ratio zeros / random: 1.00 means the data does not matter here.
// Usage: bench_peak_data [ROUNDS]   (default 5; each round times both fills in f32 and bf16, about 3 s)
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <vector>

#include "backends/onednn/onednn_backend.hpp"
#include "convbench/harness.hpp"

int main(int argc, char** argv) {
  using convbench::CeilingData;
  const int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  for (const convbench::DType d : {convbench::DType::f32, convbench::DType::bf16}) {
    std::vector<double> zeros, random, ratios;
    for (int i = 0; i < rounds; ++i) {
      // Taking turns to go first, so that a slow spell of the machine does not favour one fill.
      const bool zeros_first = i % 2 == 0;
      const double a = convbench::cpu_matmul_tflops(d, 0, zeros_first ? CeilingData::zeros : CeilingData::random);
      const double b = convbench::cpu_matmul_tflops(d, 0, zeros_first ? CeilingData::random : CeilingData::zeros);
      if (a <= 0 || b <= 0) break;  // this CPU has no such matmul
      zeros.push_back(zeros_first ? a : b);
      random.push_back(zeros_first ? b : a);
      ratios.push_back(zeros.back() / random.back());
    }
    if (ratios.empty()) {
      fmt::print("{:<5} not run: oneDNN has no matmul in this dtype here\n", to_string(d));
      continue;
    }
    fmt::print(
        "{:<5} zeros {:.3f} TFLOP/s, random {:.3f} TFLOP/s (medians of {}); zeros / random {:.3f} (range "
        "{:.3f}-{:.3f})\n",
        to_string(d), convbench::median_of(zeros), convbench::median_of(random), ratios.size(),
        convbench::median_of(ratios), *std::min_element(ratios.begin(), ratios.end()),
        *std::max_element(ratios.begin(), ratios.end()));
  }
}

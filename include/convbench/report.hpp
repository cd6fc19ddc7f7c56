// Printers: one per output format, all reading a RunResult and computing nothing.
#pragma once

#include <memory>
#include <ostream>

#include "convbench/result.hpp"

namespace convbench {

/// Base of every printer: the public call forwards to the format's hook.
class Printer {
 public:
  explicit Printer(std::ostream& out) : out_(out) {}
  virtual ~Printer() = default;
  void print(const RunResult& r) { do_print(r); }

 protected:
  std::ostream& out() { return out_; }
  virtual void do_print(const RunResult& r) = 0;

 private:
  std::ostream& out_;
};

/// The human report, in the spirit of the seed: the problem, a line per device, the speedup.
std::unique_ptr<Printer> make_table_printer(std::ostream& out);

}  // namespace convbench

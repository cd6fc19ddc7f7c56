// JSON (one streamed array) and JSON Lines (one record per line) printers.
#include "convbench/record.hpp"
#include "convbench/report.hpp"

namespace convbench {
namespace {

class JsonPrinter final : public Printer {
 public:
  JsonPrinter(std::ostream& out, bool lines) : out_(out), lines_(lines) {}

 protected:
  void do_begin(const RunMetadata& m) override {
    meta_ = m;
    if (!lines_) out_ << "[";
  }
  void do_record(const RunResult& r) override {
    const auto j = to_json(r, meta_);
    if (lines_) {
      out_ << j.dump() << '\n';
    } else {
      out_ << (first_ ? "\n" : ",\n") << j.dump(2);
    }
    first_ = false;
    out_.flush();  // a record is complete the moment it is written
  }
  void do_end(const SuiteSummary&) override {
    if (!lines_) out_ << (first_ ? "]\n" : "\n]\n");
    out_.flush();
  }

 private:
  std::ostream& out_;
  bool lines_;
  bool first_ = true;
  RunMetadata meta_;
};

}  // namespace

std::unique_ptr<Printer> make_json_printer(std::ostream& out, bool lines) {
  return std::make_unique<JsonPrinter>(out, lines);
}

}  // namespace convbench

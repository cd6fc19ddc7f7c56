// A CLI11 formatter that wraps descriptions to kDefaultColumns and names the program in every usage line.
#include "help_format.hpp"

#include "convbench/text.hpp"

namespace convbench {
namespace {

constexpr size_t kNameColumn = 34;

class HelpFormatter final : public CLI::Formatter {
 public:
  HelpFormatter() { column_width(kNameColumn); }

  std::string make_usage(const CLI::App* app, std::string name) const override {
    // A subcommand's help would otherwise say "Usage: compare ..." without the program.
    if (app->get_parent() != nullptr && name.rfind("convbench", 0) != 0) name = "convbench " + name;
    return CLI::Formatter::make_usage(app, name);
  }
  std::string make_description(const CLI::App* app) const override {
    const std::string& d = app->get_description();
    return d.empty() ? d : wrap(d, kDefaultColumns) + "\n";
  }
  std::string make_option_opts(const CLI::Option* opt) const override {
    // A positional's name is its form; CLI11 would repeat it and add "REQUIRED".
    return opt->get_positional() ? "" : CLI::Formatter::make_option_opts(opt);
  }
  std::string make_option_desc(const CLI::Option* opt) const override {
    return wrap(opt->get_description(), kDefaultColumns - kNameColumn);
  }
  std::string make_subcommand(const CLI::App* sub) const override {
    std::stringstream out;
    CLI::detail::format_help(out, sub->get_name(), wrap(sub->get_description(), kDefaultColumns - kNameColumn),
                             kNameColumn);
    return out.str();
  }
};

}  // namespace

std::shared_ptr<CLI::Formatter> make_help_formatter() { return std::make_shared<HelpFormatter>(); }

}  // namespace convbench

// A CLI11 formatter that wraps descriptions to kDefaultColumns and names the program in every usage line.
// It assembles the page and lays out its two-column lines itself, with no CLI11 internals, so that CLI11 2.1
// (Debian 12) to 2.6 (Ubuntu 26.04) print the same help: 2.5 removed detail::format_help, reflows
// descriptions, footers and option texts as paragraphs of 80 and 65 columns (which would break the lines
// wrapped here), writes its headings in capitals and leaves "Usage:" out of the usage line.
#include "help_format.hpp"

#include <cctype>
#include <string>
#include <vector>

#include "convbench/text.hpp"

namespace convbench {
namespace {

constexpr size_t kNameColumn = 34;

/// "OPTIONS" (CLI11 2.5 and later) and "Options" alike read "Options".
std::string heading(const std::string& group) {
  std::string h = group;
  for (size_t i = 1; i < h.size(); ++i) h[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(h[i])));
  return h;
}

/// `left` (indented by two) in the first kNameColumn columns, `text` beside it, each of its lines starting at
/// that column; a `left` as wide as the column puts `text` on the next line.
std::string two_columns(const std::string& left, const std::string& text) {
  std::string out = "  " + left;
  const std::string pad(kNameColumn, ' ');
  if (text.empty()) return out + "\n";
  out += out.size() < kNameColumn ? std::string(kNameColumn - out.size(), ' ') : "\n" + pad;
  for (const char c : text) {
    out += c;
    if (c == '\n') out += pad;
  }
  return out + "\n";
}

class HelpFormatter final : public CLI::Formatter {
 public:
  HelpFormatter() { column_width(kNameColumn); }

  /// The description, the usage line, the positionals, each group of options (a blank line after each
  /// but the last group), the subcommands, then the footer after a blank line.
  std::string make_help(const CLI::App* app, std::string name, CLI::AppFormatMode mode) const override {
    std::string out = make_description(app) + make_usage(app, name) + make_positionals(app);
    const std::vector<std::string> groups = app->get_groups();
    for (const std::string& group : groups) {
      const std::vector<const CLI::Option*> opts = app->get_options([&](const CLI::Option* o) {
        return o->get_group() == group && o->nonpositional() &&
               (mode != CLI::AppFormatMode::Sub || (o != app->get_help_ptr() && o != app->get_help_all_ptr()));
      });
      if (group.empty() || opts.empty()) continue;
      out += make_group(group, false, opts);
      if (group != groups.back()) out += "\n";
    }
    return out + make_subcommands(app, mode) + "\n" + make_footer(app);
  }
  std::string make_group(std::string group, bool positional, std::vector<const CLI::Option*> opts) const override {
    std::string out = "\n" + heading(group) + ":\n";
    for (const CLI::Option* opt : opts) out += make_option(opt, positional);
    return out;
  }
  std::string make_subcommands(const CLI::App* app, CLI::AppFormatMode) const override {
    std::string out;
    for (const CLI::App* sub : app->get_subcommands({}))
      if (!sub->get_name().empty() && !sub->get_group().empty()) out += make_subcommand(sub);
    return out.empty() ? out : "\nSubcommands:\n" + out;
  }
  std::string make_footer(const CLI::App* app) const override {
    const std::string& f = app->get_footer();
    return f.empty() ? f : f + "\n";
  }

  /// "Usage: convbench <command> [OPTIONS] <positionals> [SUBCOMMAND]": a subcommand's help would otherwise
  /// say "Usage: compare ..." without the program.
  std::string make_usage(const CLI::App* app, std::string name) const override {
    if (app->get_parent() != nullptr && name.rfind("convbench", 0) != 0) name = "convbench " + name;
    std::string out = "Usage: " + name;
    if (!app->get_options([](const CLI::Option* o) { return o->nonpositional(); }).empty()) out += " [OPTIONS]";
    for (const CLI::Option* o : app->get_options([](const CLI::Option* o) { return o->get_positional(); }))
      out += " " + make_option_usage(o);
    if (!app->get_subcommands([](const CLI::App* c) { return !c->get_disabled() && !c->get_name().empty(); }).empty())
      out += " [SUBCOMMAND]";
    return out + "\n";
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
  std::string make_option(const CLI::Option* opt, bool positional) const override {
    return two_columns(make_option_name(opt, positional) + make_option_opts(opt), make_option_desc(opt));
  }
  std::string make_subcommand(const CLI::App* sub) const override {
    return two_columns(sub->get_name(), wrap(sub->get_description(), kDefaultColumns - kNameColumn));
  }
};

}  // namespace

std::shared_ptr<CLI::Formatter> make_help_formatter() { return std::make_shared<HelpFormatter>(); }

}  // namespace convbench

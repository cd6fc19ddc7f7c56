// The SVG writer: escaped elements in a string, and the log axis.
#include "convbench/svg.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace convbench {

std::string xml_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

namespace {

std::string titled(const std::string& element, const std::string& attributes, const std::string& title) {
  if (title.empty()) return fmt::format("<{} {}/>\n", element, attributes);
  return fmt::format("<{} {}><title>{}</title></{}>\n", element, attributes, xml_escape(title), element);
}

}  // namespace

Svg::Svg(double width, double height, const std::string& label) : width_(width), height_(height), label_(label) {}

void Svg::rect(double x, double y, double w, double h, const std::string& cls, const std::string& title) {
  body_ += titled("rect",
                  fmt::format(R"(class="{}" x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}")", cls, x, y,
                              std::max(w, 0.0), std::max(h, 0.0)),
                  title);
}

void Svg::circle(double cx, double cy, double r, const std::string& cls, const std::string& title) {
  body_ += titled("circle", fmt::format(R"(class="{}" cx="{:.1f}" cy="{:.1f}" r="{:.1f}")", cls, cx, cy, r), title);
}

void Svg::line(double x1, double y1, double x2, double y2, const std::string& cls) {
  body_ += fmt::format(R"(<line class="{}" x1="{:.1f}" y1="{:.1f}" x2="{:.1f}" y2="{:.1f}"/>)", cls, x1, y1, x2, y2) +
           "\n";
}

void Svg::polyline(const std::vector<std::pair<double, double>>& points, const std::string& cls) {
  std::string p;
  for (const auto& [x, y] : points) p += fmt::format("{}{:.1f},{:.1f}", p.empty() ? "" : " ", x, y);
  body_ += fmt::format(R"(<polyline class="{}" points="{}"/>)", cls, p) + "\n";
}

void Svg::text(double x, double y, const std::string& content, const std::string& cls, const std::string& anchor) {
  body_ += fmt::format(R"(<text class="{}" x="{:.1f}" y="{:.1f}" text-anchor="{}">{}</text>)", cls, x, y, anchor,
                       xml_escape(content)) +
           "\n";
}

std::string Svg::str() const {
  return fmt::format(
      R"(<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{}" width="{:.0f}" height="{:.0f}" viewBox="0 0 {:.0f} {:.0f}">)"
      "\n{}</svg>\n",
      xml_escape(label_), width_, height_, width_, height_, body_);
}

LogAxis::LogAxis(double lo, double hi, double from, double to)
    : lo_(std::pow(10.0, std::floor(std::log10(lo)))),
      hi_(std::pow(10.0, std::ceil(std::log10(std::max(hi, lo * 1.0000001))))),
      from_(from),
      to_(to) {
  if (hi_ <= lo_) hi_ = lo_ * 10;
}

double LogAxis::operator()(double v) const {
  const double t = (std::log10(std::clamp(v, lo_, hi_)) - std::log10(lo_)) / (std::log10(hi_) - std::log10(lo_));
  return from_ + t * (to_ - from_);
}

std::vector<double> LogAxis::decades() const {
  std::vector<double> out;
  for (double d = lo_; d <= hi_ * 1.0000001; d *= 10) out.push_back(d);
  return out;
}

}  // namespace convbench

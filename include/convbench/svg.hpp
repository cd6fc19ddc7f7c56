// A small SVG writer for the HTML report: shapes with a class (styled by the page) and a hover title, text,
// and log-scale axes. Written here rather than taken from a library: the C++ SVG libraries looked at
// (simple-svg, svgpp, lunasvg, plutosvg) either render or parse SVG, or have no Debian package; what the
// report needs is a few escaped elements.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace convbench {

/// `text` with &, <, >, " and ' escaped for XML and HTML.
std::string xml_escape(const std::string& text);

class Svg {
 public:
  Svg(double width, double height, const std::string& label);
  /// Each shape takes a class for the page's style and a title, shown on hover (omitted when empty).
  void rect(double x, double y, double w, double h, const std::string& cls, const std::string& title = "");
  void circle(double cx, double cy, double r, const std::string& cls, const std::string& title = "");
  void line(double x1, double y1, double x2, double y2, const std::string& cls);
  void polyline(const std::vector<std::pair<double, double>>& points, const std::string& cls);
  /// `anchor`: start, middle or end.
  void text(double x, double y, const std::string& content, const std::string& cls,
            const std::string& anchor = "start");
  /// The <svg> element, with role="img" and the label as its accessible name.
  std::string str() const;

 private:
  double width_, height_;
  std::string label_, body_;
};

/// A base-10 logarithmic axis from the decade at or below `lo` to the decade at or above `hi` (both > 0),
/// mapped onto pixels [from, to].
class LogAxis {
 public:
  LogAxis(double lo, double hi, double from, double to);
  double operator()(double v) const;  ///< the pixel of `v` (clamped into the axis)
  std::vector<double> decades() const;  ///< every power of ten on the axis
  double lo() const { return lo_; }
  double hi() const { return hi_; }

 private:
  double lo_, hi_, from_, to_;
};

}  // namespace convbench

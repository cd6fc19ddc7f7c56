// The HTML report and its SVG writer: escaping, the log axis, and the charts' elements for known records.
#include <gtest/gtest.h>

#include "convbench/html_report.hpp"
#include "convbench/svg.hpp"
#include "sample_result.hpp"

using namespace convbench;
using namespace convbench::testing;

TEST(Svg, EscapesAndMapsALogAxis) {
  EXPECT_EQ(xml_escape("a<b & \"c\" 'd'>"), "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;");
  const LogAxis x(0.3, 42, 0, 300);  // decades 0.1 .. 100
  EXPECT_DOUBLE_EQ(x.lo(), 0.1);
  EXPECT_DOUBLE_EQ(x.hi(), 100);
  EXPECT_EQ(x.decades(), (std::vector<double>{0.1, 1, 10, 100}));
  EXPECT_NEAR(x(1), 100, 1e-9);
  EXPECT_NEAR(x(10), 200, 1e-9);
  EXPECT_NEAR(x(1e9), 300, 1e-9) << "clamped";
  Svg svg(10, 10, "t");
  svg.rect(1, 2, 3, 4, "bar cpu", "x<y");
  EXPECT_NE(svg.str().find(R"(<rect class="bar cpu" x="1.0" y="2.0" width="3.0" height="4.0"><title>x&lt;y</title></rect>)"),
            std::string::npos)
      << svg.str();
}

TEST(HtmlReport, OneBarPerMeasuredDeviceAndOnePointPerResult) {
  std::vector<ReportRecord> records(3);
  for (size_t i = 0; i < records.size(); ++i) {
    records[i].result = sample_result(40.0 * static_cast<double>(i + 1), 2);
    records[i].result.label = "entry <" + std::to_string(i) + ">";
    records[i].host = "node & co";
  }
  records[2].result.devices[1] = DeviceResult{DeviceKind::gpu, std::nullopt, "no NVIDIA driver", std::nullopt};
  const std::string page = html_report(records, {});
  EXPECT_EQ(count(page, R"(class="bar cpu")"), 3u);
  EXPECT_EQ(count(page, R"(class="bar gpu")"), 2u) << "the GPU did not run for the third";
  EXPECT_EQ(count(page, R"(class="point cpu")"), 3u);
  EXPECT_EQ(count(page, R"(class="point gpu")"), 2u);
  EXPECT_EQ(count(page, "bar fleet"), 0u) << "no fleet chart without fleet input";
  EXPECT_NE(page.find("entry &lt;1&gt;"), std::string::npos) << "labels are escaped";
  EXPECT_NE(page.find("node &amp; co"), std::string::npos);
  EXPECT_EQ(page.find("<script"), std::string::npos);
  EXPECT_EQ(page.find("http://www.w3.org/2000/svg"), page.find("http")) << "no request: only the SVG namespace";
  const std::string fleet = html_report(records, {{"a", "n1", 0.01, false}, {"a", "n2", 0.2, true}});
  EXPECT_EQ(count(fleet, R"(class="bar fleet")"), 1u);
  EXPECT_EQ(count(fleet, R"(class="bar fleet straggler")"), 1u);
}

// A device that did not run, or failed, left only a missing bar and a '-': the page did not say why.
TEST(HtmlReport, SaysWhichDeviceDidNotRunAndWhyOnceAReason) {
  std::vector<ReportRecord> records(4);
  for (size_t i = 0; i < records.size(); ++i) {
    records[i].result = sample_result(40, 2);
    records[i].result.label = "l:" + std::to_string(i + 1);
  }
  EXPECT_EQ(html_report(records, {}).find("did not run"), std::string::npos) << "every device ran";
  for (size_t i : {0, 2}) {
    records[i].result.devices[1] = DeviceResult{DeviceKind::gpu, std::nullopt, "no NVIDIA driver", std::nullopt};
    records[i].result.devices[1].not_run_code = ExitCode::gpu_unavailable;
    records[i].result.speedup.reset();
  }
  records[3].result.devices[1] = DeviceResult{DeviceKind::gpu, std::nullopt, "cuDNN <execute> failed", std::nullopt};
  records[3].result.devices[1].not_run_code = ExitCode::library;
  records[3].result.speedup.reset();
  const std::string page = html_report(records, {});
  EXPECT_EQ(count(page, R"(text-anchor="start">gpu not run<)"), 2u) << page;
  EXPECT_EQ(count(page, R"(text-anchor="start">gpu failed<)"), 1u) << page;
  EXPECT_NE(page.find("<h2>Devices that did not run a problem</h2>\n<table>\n"
                      "<tr><th>device</th><th>why</th><th>problems</th></tr>\n"
                      "<tr><td>gpu</td><td>not run: no NVIDIA driver</td><td>l:1, l:3</td></tr>\n"
                      "<tr><td>gpu</td><td>failed: cuDNN &lt;execute&gt; failed</td><td>l:4</td></tr>\n</table>\n"),
            std::string::npos)
      << page;
}

// The page showed the CPU's median for a bf16 problem without saying that the CPU ran f32, or why.
TEST(HtmlReport, SaysWhichDeviceRanAnotherModeAndWhyOnceAReason) {
  std::vector<ReportRecord> records(4);
  for (size_t i = 0; i < records.size(); ++i) {
    records[i].result = sample_result(40, 2);
    records[i].result.label = "l:" + std::to_string(i + 1);
  }
  EXPECT_EQ(html_report(records, {}).find("another mode"), std::string::npos) << "each ran the bf16 asked";
  for (size_t i : {0, 2}) {
    records[i].result.devices[0].dtype = DType::f32;
    records[i].result.devices[0].measurement->prepare.details.emplace_back("mode", "f32 instead of bf16: no <bf16>");
  }
  records[3].result.devices[0].dtype = DType::f32;  // no detail: --cpu-dtype f32
  const std::string page = html_report(records, {});
  EXPECT_NE(page.find("<h2>Devices that ran another mode than the dtype asked</h2>\n<table>\n"
                      "<tr><th>device</th><th>mode, and why</th><th>problems</th></tr>\n"
                      "<tr><td>cpu</td><td>f32 instead of bf16: no &lt;bf16&gt;</td><td>l:1, l:3</td></tr>\n"
                      "<tr><td>cpu</td><td>f32, forced by --cpu-dtype</td><td>l:4</td></tr>\n</table>\n"),
            std::string::npos)
      << page;
  // The medians chart's bars say it too, when hovered.
  EXPECT_EQ(count(page, "<title>l:1: cpu median 40 ms (f32)</title>"), 1u) << page;
  EXPECT_EQ(count(page, "<title>l:2: cpu median 40 ms</title>"), 1u) << page;
  EXPECT_EQ(page.find("did not run"), std::string::npos) << "every device ran";
}

#include "shoplake/server/metrics_text.hpp"

#include <fmt/format.h>

namespace shoplake::server {

void MetricsText::counter(std::string_view name, std::string_view help, double value) {
  metric(name, "counter", help, {}, value);
}

void MetricsText::gauge(std::string_view name, std::string_view help, double value) {
  metric(name, "gauge", help, {}, value);
}

void MetricsText::gauge(std::string_view name, std::string_view help, std::string_view labels,
                        double value) {
  metric(name, "gauge", help, labels, value);
}

void MetricsText::metric(std::string_view name, std::string_view type, std::string_view help,
                         std::string_view labels, double value) {
  fmt::format_to(std::back_inserter(text_), "# HELP {0} {1}\n# TYPE {0} {2}\n{0}", name, help,
                 type);
  if (!labels.empty()) fmt::format_to(std::back_inserter(text_), "{{{}}}", labels);
  fmt::format_to(std::back_inserter(text_), " {}\n", value);
}

}  // namespace shoplake::server

// Prometheus' text exposition format, written one metric at a time: what /metrics serves.
#pragma once

#include <string>
#include <string_view>

namespace shoplake::server {

class MetricsText {
 public:
  void counter(std::string_view name, std::string_view help, double value);
  void gauge(std::string_view name, std::string_view help, double value);
  // `labels` is the inside of the braces, e.g. version="0.1.0".
  void gauge(std::string_view name, std::string_view help, std::string_view labels, double value);
  const std::string& text() const { return text_; }

 private:
  void metric(std::string_view name, std::string_view type, std::string_view help,
              std::string_view labels, double value);
  std::string text_;
};

}  // namespace shoplake::server

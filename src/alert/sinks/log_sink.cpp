#include "log_sink.hpp"

#include <spdlog/spdlog.h>

#include <string_view>

#include "shoplake/core/time.hpp"

namespace shoplake::alert {

namespace {

// Data-made text kept to one line of reasonable length, whatever a category name holds.
constexpr std::size_t kLongestText = 1000;

std::string one_line(std::string_view text) {
  std::string line(text.substr(0, kLongestText));
  for (char& c : line) {
    if (static_cast<unsigned char>(c) < ' ' || c == 0x7f) c = ' ';
  }
  if (text.size() > kLongestText) {
    while (!line.empty() && (static_cast<unsigned char>(line.back()) & 0xC0) == 0x80) {
      line.pop_back();
    }
    if (!line.empty() && static_cast<unsigned char>(line.back()) >= 0xC0) line.pop_back();
    line += "…";
  }
  return line;
}

spdlog::level::level_enum level_for(const Alert& alert) {
  if (alert.state == AlertState::resolved) return spdlog::level::info;
  switch (alert.severity) {
    case Severity::critical:
      return spdlog::level::err;
    case Severity::warning:
      return spdlog::level::warn;
    default:
      return spdlog::level::info;
  }
}

std::string_view state_words(const Alert& alert) {
  if (alert.state == AlertState::resolved) return "resolved";
  return alert.repeat ? "still firing" : "firing";
}

class LogSink final : public Sink {
 public:
  core::Status send(const Alert& alert, std::stop_token, SinkTally&) override {
    spdlog::log(level_for(alert), "{}", log_line(alert));
    return core::ok_status();
  }
};

}  // namespace

std::string log_line(const Alert& alert) {
  std::string line = fmt::format("alert {} [{}] {}", state_words(alert), to_string(alert.severity),
                                 one_line(alert.rule));
  if (!alert.dimensions.empty()) line += " " + one_line(alert.dimensions);
  line += fmt::format(": {} (observed {}, expected {}, started {}, id {})", one_line(alert.summary),
                      alert.value, alert.expected, core::format_rfc3339_ms(alert.started_ms),
                      one_line(alert.id));
  if (!alert.hint.empty()) line += "; hint: " + one_line(alert.hint);
  return line;
}

std::unique_ptr<Sink> make_log_sink() {
  return std::make_unique<LogSink>();
}

}  // namespace shoplake::alert

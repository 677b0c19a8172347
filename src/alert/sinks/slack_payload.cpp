#include "slack_payload.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <string_view>

#include "shoplake/core/time.hpp"

namespace shoplake::alert {

namespace {

using nlohmann::json;

// Slack rejects a section text of 3,000 characters or more, a field of 2,000, a header of 150;
// these leave room for the labels in front. Counting bytes keeps under any character count.
constexpr std::size_t kSectionBytes = 2900;
constexpr std::size_t kFieldBytes = 1900;
constexpr std::size_t kHeaderBytes = 150;
constexpr std::string_view kEllipsis = "…";
constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";

// Bytes in the well-formed UTF-8 sequence at `at` (RFC 3629), 0 when it is not one.
std::size_t utf8_sequence_length(std::string_view text, std::size_t at) {
  const auto byte = [&](std::size_t i) {
    return at + i < text.size() ? static_cast<unsigned char>(text[at + i]) : 0u;
  };
  const unsigned lead = byte(0);
  if (lead < 0x80) return 1;
  const auto continues = [&](std::size_t i, unsigned low = 0x80, unsigned high = 0xBF) {
    return byte(i) >= low && byte(i) <= high;
  };
  if (lead >= 0xC2 && lead <= 0xDF) return continues(1) ? 2 : 0;
  if (lead >= 0xE0 && lead <= 0xEF) {
    const unsigned low = lead == 0xE0 ? 0xA0 : 0x80;
    const unsigned high = lead == 0xED ? 0x9F : 0xBF;
    return continues(1, low, high) && continues(2) ? 3 : 0;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    const unsigned low = lead == 0xF0 ? 0x90 : 0x80;
    const unsigned high = lead == 0xF4 ? 0x8F : 0xBF;
    return continues(1, low, high) && continues(2) && continues(3) ? 4 : 0;
  }
  return 0;
}

enum class Markup { mrkdwn, plain_text };

// Slack text made from data: malformed UTF-8 replaced, mrkdwn's control characters escaped (so
// that a category named "<!channel>" pings nobody), cut with an ellipsis to fit `max_bytes`.
std::string slack_text(std::string_view text, Markup markup, std::size_t max_bytes) {
  const std::size_t budget = max_bytes - kEllipsis.size();
  std::string out;
  std::size_t fitting = 0;  // the longest whole-character prefix that leaves room for "…"
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t length = utf8_sequence_length(text, at);
    std::string_view piece = length == 0 ? kReplacementCharacter : text.substr(at, length);
    at += std::max<std::size_t>(length, 1);
    if (markup == Markup::mrkdwn) {
      if (piece == "&") piece = "&amp;";
      if (piece == "<") piece = "&lt;";
      if (piece == ">") piece = "&gt;";
    } else if (piece.size() == 1 && static_cast<unsigned char>(piece[0]) < ' ') {
      piece = " ";  // a header is one line
    }
    out += piece;
    if (out.size() <= budget) fitting = out.size();
    if (out.size() > max_bytes) {
      out.resize(fitting);
      out += kEllipsis;
      return out;
    }
  }
  return out;
}

std::string number(double value) {
  if (!std::isfinite(value)) return fmt::format("{}", value);
  std::string text = std::abs(value) >= 1 || value == 0 ? fmt::format("{:.2f}", value)
                                                        : fmt::format("{:.4g}", value);
  if (text.find('.') != std::string::npos && text.find('e') == std::string::npos) {
    text.erase(text.find_last_not_of('0') + 1);
    if (text.back() == '.') text.pop_back();
  }
  return text;
}

std::string observed(const Alert& alert) {
  std::string text = number(alert.value);
  if (alert.expected != 0 && std::isfinite(alert.expected) && std::isfinite(alert.value)) {
    text +=
        fmt::format(" ({:+.0f}%)", (alert.value - alert.expected) / std::abs(alert.expected) * 100);
  }
  return text;
}

// "2024-05-01 12:03 UTC"
std::string utc_minute(std::int64_t epoch_ms) {
  const std::string rfc3339 = core::format_rfc3339_ms(epoch_ms);
  return rfc3339.substr(0, 10) + " " + rfc3339.substr(11, 5) + " UTC";
}

std::string_view emoji(const Alert& alert) {
  if (alert.state == AlertState::resolved) return ":white_check_mark:";
  switch (alert.severity) {
    case Severity::critical:
      return ":red_circle:";
    case Severity::warning:
      return ":large_orange_circle:";
    default:
      return ":large_blue_circle:";
  }
}

std::string_view severity_word(Severity severity) {
  switch (severity) {
    case Severity::critical:
      return "Critical";
    case Severity::warning:
      return "Warning";
    default:
      return "Info";
  }
}

// What a reader must see first: a resolution, a reminder or a new incident.
std::string headline_prefix(const Alert& alert) {
  if (alert.state == AlertState::resolved) return "Resolved: ";
  if (alert.repeat) return "Reminder, still firing: ";
  return std::string(severity_word(alert.severity)) + ": ";
}

json mrkdwn_object(std::string text) {
  return {{"type", "mrkdwn"}, {"text", std::move(text)}};
}

json field(std::string_view label, std::string_view value, Markup markup = Markup::mrkdwn) {
  std::string text = fmt::format("*{}*\n", label);
  text += slack_text(value, markup, kFieldBytes - text.size());
  return mrkdwn_object(std::move(text));
}

}  // namespace

std::string slack_payload(const Alert& alert) {
  const std::string prefix = headline_prefix(alert);
  std::string title = std::string(emoji(alert)) + " " + prefix + alert.rule;
  if (!alert.dimensions.empty()) title += " (" + alert.dimensions + ")";

  json fields = json::array();
  fields.push_back(field("Observed", observed(alert)));
  fields.push_back(field("Expected", number(alert.expected)));
  fields.push_back(field("Severity", severity_word(alert.severity)));
  fields.push_back(field("Rule", alert.rule));
  fields.push_back(field("Dimensions", alert.dimensions.empty() ? "whole shop" : alert.dimensions));
  fields.push_back(field("Started", utc_minute(alert.started_ms)));
  if (alert.state == AlertState::resolved) {
    fields.push_back(field("Resolved", utc_minute(alert.minute_ms)));
  } else if (alert.repeat) {
    fields.push_back(field("Still firing at", utc_minute(alert.minute_ms)));
  }

  json blocks = json::array();
  blocks.push_back({{"type", "header"},
                    {"text",
                     {{"type", "plain_text"},
                      {"text", slack_text(title, Markup::plain_text, kHeaderBytes)},
                      {"emoji", true}}}});
  if (!alert.summary.empty()) {
    blocks.push_back(
        {{"type", "section"},
         {"text", mrkdwn_object(slack_text(alert.summary, Markup::mrkdwn, kSectionBytes))}});
  }
  blocks.push_back({{"type", "section"}, {"fields", std::move(fields)}});
  if (!alert.hint.empty()) {
    const std::string label = "*What drove it*\n";
    blocks.push_back({{"type", "section"},
                      {"text", mrkdwn_object(label + slack_text(alert.hint, Markup::mrkdwn,
                                                                kSectionBytes - label.size()))}});
  }
  blocks.push_back(
      {{"type", "context"},
       {"elements", json::array({mrkdwn_object(
                        "shoplake alert " + slack_text(alert.id, Markup::mrkdwn, kFieldBytes))})}});

  const std::string_view about =
      alert.summary.empty() ? std::string_view(alert.rule) : alert.summary;
  json message = {
      {"text", slack_text(prefix + std::string(about), Markup::mrkdwn, kSectionBytes)},
      {"blocks", std::move(blocks)},
  };
  return message.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace shoplake::alert

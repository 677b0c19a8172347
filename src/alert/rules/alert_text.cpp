#include "alert_text.hpp"

#include <fmt/format.h>

#include <cmath>

#include "shoplake/core/time.hpp"

namespace shoplake::alert::rules {

namespace {

// "1234567" → "1,234,567"; digits only, the sign is the caller's.
std::string group_thousands(std::string_view digits) {
  std::string grouped;
  grouped.reserve(digits.size() + digits.size() / 3);
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (digits.size() - i) % 3 == 0) grouped.push_back(',');
    grouped.push_back(digits[i]);
  }
  return grouped;
}

std::string format_grouped(double value, int decimals) {
  if (!std::isfinite(value)) return "?";
  const std::string plain = fmt::format("{:.{}f}", std::abs(value), decimals);
  const std::size_t point = plain.find('.');
  const std::string whole = group_thousands(std::string_view(plain).substr(0, point));
  const std::string fraction = point == std::string::npos ? "" : plain.substr(point);
  // A value that rounds to zero prints without a sign.
  const bool negative = value < 0 && plain.find_first_not_of("0.") != std::string::npos;
  return (negative ? "-" : "") + whole + fraction;
}

// FNV-1a: a short, stable fingerprint of the dimensions for an id.
std::uint32_t fingerprint(std::string_view text) {
  std::uint32_t hash = 2166136261U;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 16777619U;
  }
  return hash;
}

std::string_view unit_name(Quantity quantity) {
  switch (quantity) {
    case Quantity::events:
      return "events";
    case Quantity::active_users:
      return "active users";
    case Quantity::buyers:
      return "buyers";
    case Quantity::orders:
      return "orders";
    case Quantity::revenue:
      return "revenue";
    case Quantity::conversion:
      return "conversion";
  }
  return "";
}

}  // namespace

std::string format_count(double value) {
  return format_grouped(std::round(value), 0);
}

std::string format_amount(double value) {
  return format_grouped(value, 2);
}

std::string format_ratio(double ratio) {
  if (!std::isfinite(ratio)) return "?×";
  if (ratio >= 10) return fmt::format("{:.0f}×", ratio);
  if (ratio >= 1) return fmt::format("{:.1f}×", ratio);
  return fmt::format("{:.2f}×", ratio);
}

std::string format_change(double from, double to) {
  if (from <= 0) return to > 0 ? "new" : "unchanged";
  const double percent = (to - from) / from * 100;
  return fmt::format("{}{:.0f}%", percent >= 0 ? "+" : "-", std::abs(percent));
}

std::string format_clock(std::int64_t minute) {
  std::int64_t of_day = minute % (24 * 60);
  if (of_day < 0) of_day += 24 * 60;
  return fmt::format("{:02}:{:02} UTC", of_day / 60, of_day % 60);
}

std::string value_text(Quantity quantity, double value) {
  switch (quantity) {
    case Quantity::revenue:
      return format_amount(value);
    case Quantity::conversion:
      return fmt::format("{:.2f}%", value * 100);
    default:
      return format_count(value);
  }
}

std::string window_text(Quantity quantity, double value, std::uint32_t width) {
  const std::string number = value_text(quantity, value);
  if (quantity == Quantity::conversion) {
    return width == 1 ? number + " conversion"
                      : fmt::format("{} conversion in {} min", number, width);
  }
  if (width == 1) return fmt::format("{} {}/min", number, unit_name(quantity));
  return fmt::format("{} {} in {} min", number, unit_name(quantity), width);
}

std::string incident_id(std::string_view rule, std::string_view dimensions,
                        std::int64_t started_ms) {
  std::string stamp = core::format_rfc3339_ms(started_ms);  // 2026-11-25T03:12:00.000Z
  // Keep what names the minute: 20261125T0312Z.
  std::string compact;
  for (const char c : stamp.substr(0, 16)) {
    if (c != '-' && c != ':') compact.push_back(c);
  }
  compact.push_back('Z');
  if (dimensions.empty()) return fmt::format("{}-{}", rule, compact);
  return fmt::format("{}-{:08x}-{}", rule, fingerprint(dimensions), compact);
}

std::string summary_line(const SummaryFacts& facts) {
  const RuleSpec& spec = *facts.spec;
  std::string line(spec.title);
  switch (facts.kind) {
    case MessageKind::firing:
      break;
    case MessageKind::reminder:
      line += fmt::format(" for {} min", facts.minutes_since_start);
      break;
    case MessageKind::escalation:
      line += fmt::format(" turned {} after {} min", to_string(facts.severity),
                          facts.minutes_since_start);
      break;
    case MessageKind::resolved:
      line += fmt::format(" resolved after {} min", facts.minutes_since_start);
      break;
  }
  line += ": ";
  if (spec.direction == Direction::none && facts.value <= 0) {
    line += fmt::format("no {} in {} min, usually {}", unit_name(spec.quantity), facts.width,
                        value_text(spec.quantity, facts.expected));
  } else {
    const double ratio = facts.expected > 0 ? facts.value / facts.expected : 0;
    line += fmt::format("{}, {} the usual {}", window_text(spec.quantity, facts.value, facts.width),
                        format_ratio(ratio), value_text(spec.quantity, facts.expected));
  }
  if (facts.with_z) line += fmt::format(" (robust z {:+.1f})", facts.z);
  return line;
}

}  // namespace shoplake::alert::rules

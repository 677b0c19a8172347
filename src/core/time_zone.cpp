#include "shoplake/core/time_zone.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <limits>
#include <optional>
#include <system_error>
#include <utility>

#include "shoplake/core/message_text.hpp"
#include "shoplake/core/time.hpp"

namespace shoplake::core {

namespace {

using time_zone_detail::PosixRule;
using time_zone_detail::RuleDate;

constexpr std::int64_t kSecondsPerDay = 86400;
constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();

// RFC 9636 section 3.2 says utoff SHOULD lie within (-25 h, +26 h); we require it of every offset,
// POSIX footers included, because that bound is what lets start_of_local_day_utc_ms search a
// window of fixed size.
constexpr std::int32_t kMinOffset = -89999;
constexpr std::int32_t kMaxOffset = 93599;

// Local midnights further out than this would overflow once turned into UTC milliseconds.
constexpr std::int64_t kMaxLocalDay =
    (std::numeric_limits<std::int64_t>::max() / 1000 - 2 * (kMaxOffset + 1)) / kSecondsPerDay;

// Files in tzdata are at most a few KiB; anything far larger is not a time zone.
constexpr std::size_t kMaxTzifBytes = 256 * 1024;

constexpr std::string_view kDefaultZoneinfoRoot = "/usr/share/zoneinfo";

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

std::int64_t floor_mod(std::int64_t a, std::int64_t b) {
  return a - floor_div(a, b) * b;
}

bool is_leap(std::int64_t year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

unsigned days_in_month(std::int64_t year, unsigned month) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : kDays[month - 1];
}

// ---- TZif ------------------------------------------------------------------------------------

// Every read is preceded by a bounds check of the whole block it belongs to.
class ByteReader {
 public:
  explicit ByteReader(std::string_view bytes) : bytes_(bytes) {}

  std::size_t offset() const { return pos_; }
  std::size_t remaining() const { return bytes_.size() - pos_; }
  bool has(std::uint64_t count) const { return count <= remaining(); }

  std::string_view peek(std::size_t count) const { return bytes_.substr(pos_, count); }
  std::string_view take(std::size_t count) {
    const std::string_view out = bytes_.substr(pos_, count);
    pos_ += count;
    return out;
  }
  std::uint8_t u8() { return static_cast<std::uint8_t>(bytes_[pos_++]); }
  std::uint32_t u32() {
    std::uint32_t value = 0;
    for (int i = 0; i < 4; ++i) value = (value << 8) | u8();
    return value;
  }
  std::uint64_t u64() {
    std::uint64_t value = 0;
    for (int i = 0; i < 8; ++i) value = (value << 8) | u8();
    return value;
  }
  std::int32_t i32() { return static_cast<std::int32_t>(u32()); }
  std::int64_t i64() { return static_cast<std::int64_t>(u64()); }

 private:
  std::string_view bytes_;
  std::size_t pos_ = 0;
};

struct Header {
  int version = 1;
  std::uint32_t isutcnt = 0, isstdcnt = 0, leapcnt = 0, timecnt = 0, typecnt = 0, charcnt = 0;

  std::uint64_t data_block_size(std::uint64_t time_size) const {
    return std::uint64_t{timecnt} * time_size + timecnt + std::uint64_t{typecnt} * 6 + charcnt +
           std::uint64_t{leapcnt} * (time_size + 4) + isstdcnt + isutcnt;
  }
};

constexpr std::size_t kHeaderSize = 44;

std::optional<std::string> read_header(ByteReader& in, const char* which, Header& header) {
  // The magic is checked first so that a short text file is reported as what it is.
  constexpr std::string_view kMagic = "TZif";
  if (in.peek(kMagic.size()) != kMagic.substr(0, std::min(kMagic.size(), in.remaining()))) {
    return std::string(which) + " header at offset " + std::to_string(in.offset()) +
           " does not start with \"TZif\": not a TZif file";
  }
  if (!in.has(kHeaderSize)) {
    return std::string(which) + " header truncated: " + std::to_string(in.remaining()) +
           " bytes at offset " + std::to_string(in.offset()) + ", need " +
           std::to_string(kHeaderSize);
  }
  in.take(kMagic.size());
  const std::uint8_t version = in.u8();
  switch (version) {
    case 0:
      header.version = 1;
      break;
    case '2':
      header.version = 2;
      break;
    case '3':
      header.version = 3;
      break;
    // Version 4 (RFC 9636) changes only how leap-second tables may be truncated.
    case '4':
      header.version = 4;
      break;
    default:
      return std::string(which) + " header: unsupported TZif version byte " +
             std::to_string(version);
  }
  in.take(15);
  header.isutcnt = in.u32();
  header.isstdcnt = in.u32();
  header.leapcnt = in.u32();
  header.timecnt = in.u32();
  header.typecnt = in.u32();
  header.charcnt = in.u32();
  return std::nullopt;
}

struct Table {
  std::vector<std::int64_t> transitions;
  std::vector<std::int32_t> offsets;
  std::int32_t initial_offset = 0;
};

std::optional<std::string> read_data_block(ByteReader& in, const Header& h, std::uint64_t time_size,
                                           Table& table) {
  const std::string block = time_size == 4 ? "v1 data block" : "v2+ data block";
  if (h.typecnt == 0) return block + ": typecnt is 0, but every file needs a local time type";
  if (h.charcnt == 0) return block + ": charcnt is 0, but every type needs a designation";
  if (h.isutcnt != 0 && h.isutcnt != h.typecnt) {
    return block + ": isutcnt " + std::to_string(h.isutcnt) + " is neither 0 nor typecnt " +
           std::to_string(h.typecnt);
  }
  if (h.isstdcnt != 0 && h.isstdcnt != h.typecnt) {
    return block + ": isstdcnt " + std::to_string(h.isstdcnt) + " is neither 0 nor typecnt " +
           std::to_string(h.typecnt);
  }
  const std::uint64_t size = h.data_block_size(time_size);
  if (!in.has(size)) {
    return block + " truncated: the header's counts need " + std::to_string(size) +
           " bytes at offset " + std::to_string(in.offset()) + ", only " +
           std::to_string(in.remaining()) + " remain";
  }
  if (h.leapcnt != 0) {
    // Leap-second tables count time differently from the POSIX time the caller passes in.
    return block + ": has " + std::to_string(h.leapcnt) +
           " leap-second records; leap-second zones (those under right/) are not supported";
  }

  std::vector<std::int64_t> times(h.timecnt);
  for (std::uint32_t i = 0; i < h.timecnt; ++i) {
    times[i] = time_size == 4 ? in.i32() : in.i64();
    if (i > 0 && times[i] <= times[i - 1]) {
      return block + ": transition " + std::to_string(i) + " (" + std::to_string(times[i]) +
             ") is not after transition " + std::to_string(i - 1) + " (" +
             std::to_string(times[i - 1]) + ")";
    }
  }
  std::vector<std::uint8_t> type_of(h.timecnt);
  for (std::uint32_t i = 0; i < h.timecnt; ++i) {
    type_of[i] = in.u8();
    if (type_of[i] >= h.typecnt) {
      return block + ": transition " + std::to_string(i) + " uses local time type " +
             std::to_string(type_of[i]) + ", but there are only " + std::to_string(h.typecnt);
    }
  }
  struct Type {
    std::int32_t utoff;
    std::uint8_t isdst;
    std::uint8_t desigidx;
  };
  std::vector<Type> types(h.typecnt);
  for (std::uint32_t i = 0; i < h.typecnt; ++i) {
    types[i] = Type{in.i32(), in.u8(), in.u8()};
  }
  const std::string_view designations = in.take(h.charcnt);
  for (std::uint32_t i = 0; i < h.typecnt; ++i) {
    const Type& type = types[i];
    const std::string where = block + ": local time type " + std::to_string(i);
    if (type.utoff < kMinOffset || type.utoff > kMaxOffset) {
      return where + ": UTC offset " + std::to_string(type.utoff) + " s is outside " +
             std::to_string(kMinOffset) + ".." + std::to_string(kMaxOffset);
    }
    if (type.isdst > 1) return where + ": isdst is " + std::to_string(type.isdst) + ", not 0 or 1";
    if (type.desigidx >= h.charcnt) {
      return where + ": designation index " + std::to_string(type.desigidx) + " is past the " +
             std::to_string(h.charcnt) + " designation bytes";
    }
    if (designations.find('\0', type.desigidx) == std::string_view::npos) {
      return where + ": designation at index " + std::to_string(type.desigidx) +
             " is not NUL-terminated";
    }
  }
  for (std::uint32_t i = 0; i < h.isstdcnt + h.isutcnt; ++i) {
    const std::uint8_t indicator = in.u8();
    if (indicator > 1) {
      return block + ": " + (i < h.isstdcnt ? "standard/wall" : "UT/local") + " indicator " +
             std::to_string(i < h.isstdcnt ? i : i - h.isstdcnt) + " is " +
             std::to_string(indicator) + ", not 0 or 1";
    }
  }

  table.initial_offset = types[0].utoff;
  table.offsets.resize(h.timecnt);
  for (std::uint32_t i = 0; i < h.timecnt; ++i) table.offsets[i] = types[type_of[i]].utoff;
  table.transitions = std::move(times);
  return std::nullopt;
}

// ---- POSIX TZ strings (RFC 8536 section 3.3, with the version 3 extensions of 3.3.1) ---------

// Hours 0..24 in a TZ string's offsets, and DST an hour ahead by default, keep every offset a
// footer yields within the bounds the TZif types are held to.
constexpr std::int32_t kMaxPosixOffset = 24 * 3600 + 59 * 60 + 59;
static_assert(-kMaxPosixOffset >= kMinOffset && kMaxPosixOffset + 3600 <= kMaxOffset);

class PosixParser {
 public:
  explicit PosixParser(std::string_view text) : text_(text) {}

  std::optional<std::string> parse(PosixRule& rule) {
    if (auto error = parse_designation("standard time designation")) return error;
    std::int32_t std_west = 0;
    if (auto error = parse_hms("standard time offset", false, std_west)) return error;
    rule.std_offset = -std_west;
    if (at_end()) return std::nullopt;

    if (peek() != ',') {
      if (auto error = parse_designation("daylight saving time designation")) return error;
      rule.has_dst = true;
      rule.dst_offset = rule.std_offset + 3600;
      if (!at_end() && peek() != ',') {
        std::int32_t dst_west = 0;
        if (auto error = parse_hms("daylight saving time offset", false, dst_west)) {
          return error;
        }
        rule.dst_offset = -dst_west;
      }
    }
    if (!rule.has_dst) return failure("a rule without a daylight saving time designation");
    if (at_end()) {
      // POSIX leaves the rule to the implementation; glibc and tzcode both use the US one.
      rule.start = RuleDate{RuleDate::Kind::kMonthWeekDay, 0, 3, 2, 0, 2 * 3600};
      rule.end = RuleDate{RuleDate::Kind::kMonthWeekDay, 0, 11, 1, 0, 2 * 3600};
      return std::nullopt;
    }
    if (peek() != ',') return failure("expected ',' before the start rule");
    ++pos_;
    if (auto error = parse_rule_date("start", rule.start)) return error;
    if (at_end() || peek() != ',') return failure("expected ',' before the end rule");
    ++pos_;
    if (auto error = parse_rule_date("end", rule.end)) return error;
    if (!at_end()) return failure("unexpected text after the end rule");
    return std::nullopt;
  }

 private:
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return text_[pos_]; }
  static bool is_digit(char c) { return c >= '0' && c <= '9'; }
  static bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

  std::optional<std::string> failure(const std::string& what) const {
    return "footer TZ string " + quoted_for_message(text_) + ": " + what + " at position " +
           std::to_string(pos_);
  }

  std::optional<std::string> parse_designation(const char* what) {
    std::size_t length = 0;
    if (!at_end() && peek() == '<') {
      ++pos_;
      while (!at_end() && peek() != '>') {
        const char c = peek();
        if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-') {
          return failure(std::string(what) + ": unexpected character in <...>");
        }
        ++pos_;
        ++length;
      }
      if (at_end()) return failure(std::string(what) + ": missing '>'");
      ++pos_;
    } else {
      while (!at_end() && is_alpha(peek())) {
        ++pos_;
        ++length;
      }
    }
    if (length < 3) return failure(std::string(what) + " shorter than 3 characters");
    return std::nullopt;
  }

  // Reads at most max_digits digits into a value no larger than max_value.
  bool parse_number(std::size_t max_digits, std::int32_t max_value, std::int32_t& value) {
    const std::size_t start = pos_;
    value = 0;
    while (!at_end() && is_digit(peek()) && pos_ - start < max_digits) {
      value = value * 10 + (peek() - '0');
      ++pos_;
    }
    return pos_ > start && value <= max_value && (at_end() || !is_digit(peek()));
  }

  // [+|-]hh[:mm[:ss]]. Offsets allow hours 0..24; rule times, since version 3, -167..167.
  std::optional<std::string> parse_hms(const char* what, bool rule_time, std::int32_t& seconds) {
    int sign = 1;
    if (!at_end() && (peek() == '+' || peek() == '-')) {
      sign = peek() == '-' ? -1 : 1;
      ++pos_;
    }
    std::int32_t hours = 0, minutes = 0, secs = 0;
    if (!parse_number(rule_time ? 3 : 2, rule_time ? 167 : 24, hours)) {
      return failure(std::string(what) + ": expected hours " + (rule_time ? "-167..167" : "0..24"));
    }
    if (!at_end() && peek() == ':') {
      ++pos_;
      if (!parse_number(2, 59, minutes)) return failure(std::string(what) + ": bad minutes");
      if (!at_end() && peek() == ':') {
        ++pos_;
        if (!parse_number(2, 59, secs)) return failure(std::string(what) + ": bad seconds");
      }
    }
    seconds = sign * (hours * 3600 + minutes * 60 + secs);
    return std::nullopt;
  }

  std::optional<std::string> parse_rule_date(const char* which, RuleDate& date) {
    const std::string what = std::string(which) + " rule";
    if (at_end()) return failure(what + ": missing");
    std::int32_t value = 0;
    if (peek() == 'J') {
      ++pos_;
      if (!parse_number(3, 365, value) || value < 1) return failure(what + ": Jn needs n 1..365");
      date.kind = RuleDate::Kind::kJulian1;
      date.day = static_cast<std::uint16_t>(value);
    } else if (is_digit(peek())) {
      if (!parse_number(3, 365, value)) return failure(what + ": n needs 0..365");
      date.kind = RuleDate::Kind::kZeroBased;
      date.day = static_cast<std::uint16_t>(value);
    } else if (peek() == 'M') {
      ++pos_;
      std::int32_t month = 0, week = 0, weekday = 0;
      if (!parse_number(2, 12, month) || month < 1) return failure(what + ": month 1..12");
      if (at_end() || peek() != '.') return failure(what + ": expected '.' after the month");
      ++pos_;
      if (!parse_number(1, 5, week) || week < 1) return failure(what + ": week 1..5");
      if (at_end() || peek() != '.') return failure(what + ": expected '.' after the week");
      ++pos_;
      if (!parse_number(1, 6, weekday)) return failure(what + ": weekday 0..6");
      date.kind = RuleDate::Kind::kMonthWeekDay;
      date.month = static_cast<std::uint8_t>(month);
      date.week = static_cast<std::uint8_t>(week);
      date.weekday = static_cast<std::uint8_t>(weekday);
    } else {
      return failure(what + ": expected Jn, n or Mm.w.d");
    }
    date.time_seconds = 2 * 3600;
    if (!at_end() && peek() == '/') {
      ++pos_;
      if (auto error = parse_hms((what + " time").c_str(), true, date.time_seconds)) {
        return error;
      }
    }
    return std::nullopt;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

std::int64_t rule_day(const RuleDate& date, std::int64_t year) {
  const int y = static_cast<int>(year);
  const std::int64_t jan1 = days_from_civil(y, 1, 1);
  switch (date.kind) {
    case RuleDate::Kind::kJulian1:
      // Jn never counts February 29: J60 is March 1 in every year.
      return jan1 + date.day - 1 + (is_leap(year) && date.day >= 60 ? 1 : 0);
    case RuleDate::Kind::kZeroBased:
      return jan1 + date.day;
    case RuleDate::Kind::kMonthWeekDay:
      break;
  }
  const std::int64_t first = days_from_civil(y, date.month, 1);
  // Day 0, 1970-01-01, was a Thursday (4).
  const std::int64_t first_weekday = floor_mod(first + 4, 7);
  std::int64_t day = first + floor_mod(date.weekday - first_weekday, 7) + 7 * (date.week - 1);
  // Week 5 means the last such weekday, which may be the fourth.
  if (day >= first + days_in_month(year, date.month)) day -= 7;
  return day;
}

std::int64_t rule_transition(const PosixRule& rule, std::int64_t year, bool is_start) {
  const RuleDate& date = is_start ? rule.start : rule.end;
  // The rule's time of day is local time as it was just before the transition.
  const std::int32_t offset_before = is_start ? rule.std_offset : rule.dst_offset;
  return rule_day(date, year) * kSecondsPerDay + date.time_seconds - offset_before;
}

// ---- Files and names --------------------------------------------------------------------------

std::optional<std::string> check_name(std::string_view name) {
  const std::string prefix = "invalid time zone name " + quoted_for_message(name) + ": ";
  if (name.empty()) return prefix + "empty";
  if (name.size() > 255) return prefix + "longer than 255 bytes";
  if (name.front() == '/') return prefix + "absolute paths are not allowed";
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t end = name.find('/', start);
    if (end == std::string_view::npos) end = name.size();
    const std::string_view component = name.substr(start, end - start);
    if (component == ".." || component == ".") {
      return prefix + "'" + std::string(component) + "' path components are not allowed";
    }
    if (component.empty()) return prefix + "empty path component";
    start = end + 1;
  }
  for (const char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '+' || c == '-' || c == '/';
    if (!ok) return prefix + "only A-Z a-z 0-9 _ + - / are allowed";
  }
  return std::nullopt;
}

std::optional<std::int32_t> parse_fixed_offset(std::string_view name) {
  const auto digit = [&](std::size_t i) { return name[i] >= '0' && name[i] <= '9'; };
  if (name.size() != 6 || (name[0] != '+' && name[0] != '-') || !digit(1) || !digit(2) ||
      name[3] != ':' || !digit(4) || !digit(5)) {
    return std::nullopt;
  }
  const int hours = (name[1] - '0') * 10 + (name[2] - '0');
  const int minutes = (name[4] - '0') * 10 + (name[5] - '0');
  if (hours > 23 || minutes > 59) return std::nullopt;
  return (name[0] == '-' ? -1 : 1) * (hours * 3600 + minutes * 60);
}

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string errno_text(int error) {
  return std::system_category().message(error);
}

Result<std::string> read_zone_file(std::string_view name, const std::string& root,
                                   const std::string& path) {
  const FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) {
    const int error = errno;
    if (error == ENOENT || error == ENOTDIR) {
      return Error{"unknown time zone " + quoted_for_message(name) + ": no such file under " +
                   root};
    }
    return Error{"cannot open time zone file " + path + ": " + errno_text(error)};
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) {
    return Error{"cannot read time zone file " + path + ": " + errno_text(errno)};
  }
  if (S_ISDIR(info.st_mode)) {
    return Error{"unknown time zone " + quoted_for_message(name) + ": " + path +
                 " is a directory, not a zone (e.g. Europe/Berlin)"};
  }
  if (!S_ISREG(info.st_mode)) {
    return Error{"cannot read time zone file " + path + ": not a regular file"};
  }
  std::string bytes;
  char buffer[4096];
  for (;;) {
    const ssize_t got = ::read(fd.get(), buffer, sizeof buffer);
    if (got < 0) {
      if (errno == EINTR) continue;
      return Error{"cannot read time zone file " + path + ": " + errno_text(errno)};
    }
    if (got == 0) break;
    bytes.append(buffer, static_cast<std::size_t>(got));
    if (bytes.size() > kMaxTzifBytes) {
      return Error{"time zone file " + path + " is larger than " + std::to_string(kMaxTzifBytes) +
                   " bytes; not a TZif file"};
    }
  }
  return bytes;
}

}  // namespace

// ---- TimeZone ---------------------------------------------------------------------------------

TimeZone TimeZone::utc() {
  TimeZone zone;
  zone.name_ = "UTC";
  return zone;
}

Result<TimeZone> TimeZone::load(std::string_view name) {
  const char* tzdir = std::getenv("TZDIR");
  const std::string root =
      tzdir != nullptr && tzdir[0] != '\0' ? std::string(tzdir) : std::string(kDefaultZoneinfoRoot);
  return load(name, root);
}

Result<TimeZone> TimeZone::load(std::string_view name, const std::string& zoneinfo_root) {
  if (name == "UTC") return utc();
  if (!name.empty() && (name.front() == '+' || name.front() == '-')) {
    const std::optional<std::int32_t> offset = parse_fixed_offset(name);
    if (!offset) {
      return Error{"invalid time zone name " + quoted_for_message(name) +
                   ": a fixed offset is written +HH:MM or -HH:MM (hours 00..23), e.g. -05:30"};
    }
    TimeZone zone;
    zone.name_ = std::string(name);
    zone.initial_offset_ = *offset;
    return zone;
  }
  if (auto error = check_name(name)) return Error{std::move(*error)};

  std::string path = zoneinfo_root;
  if (path.empty() || path.back() != '/') path += '/';
  path += name;
  Result<std::string> bytes = read_zone_file(name, zoneinfo_root, path);
  if (!bytes) return Error{bytes.error()};
  Result<TimeZone> zone = from_tzif(name, bytes.value());
  if (!zone) return Error{zone.error() + " (read from " + path + ")"};
  return zone;
}

Result<TimeZone> TimeZone::from_tzif(std::string_view name, std::string_view tzif_bytes) {
  const auto fail = [&](const std::string& what) {
    return Error{"invalid TZif data for time zone " + quoted_for_message(name) + ": " + what};
  };
  ByteReader in(tzif_bytes);
  Header header;
  if (auto error = read_header(in, "v1", header)) return fail(*error);

  Table table;
  TimeZone zone;
  zone.name_ = std::string(name);
  if (header.version == 1) {
    if (auto error = read_data_block(in, header, 4, table)) return fail(*error);
  } else {
    // Version 2+ readers skip the 32-bit block unread, as RFC 8536 recommends: its data is a
    // subset of the 64-bit block.
    const std::uint64_t v1_size = header.data_block_size(4);
    if (!in.has(v1_size)) {
      return fail("v1 data block truncated: the header's counts need " + std::to_string(v1_size) +
                  " bytes, only " + std::to_string(in.remaining()) + " remain");
    }
    in.take(static_cast<std::size_t>(v1_size));
    Header header2;
    if (auto error = read_header(in, "v2+", header2)) return fail(*error);
    if (header2.version != header.version) {
      return fail("the v2+ header says version " + std::to_string(header2.version) +
                  ", the v1 header " + std::to_string(header.version));
    }
    if (auto error = read_data_block(in, header2, 8, table)) return fail(*error);

    if (in.remaining() == 0 || in.u8() != '\n') {
      return fail("missing the footer's leading newline at offset " + std::to_string(in.offset()));
    }
    const std::string_view rest = in.take(in.remaining());
    const std::size_t newline = rest.find('\n');
    if (newline == std::string_view::npos) {
      return fail("the footer TZ string is not terminated by a newline");
    }
    if (newline + 1 != rest.size()) {
      return fail(std::to_string(rest.size() - newline - 1) + " unexpected bytes after the footer");
    }
    const std::string_view tz = rest.substr(0, newline);
    // An empty TZ string leaves the last transition's type in force for ever.
    if (!tz.empty()) {
      if (auto error = PosixParser(tz).parse(zone.rule_)) return fail(*error);
      zone.has_rule_ = true;
    }
  }
  if (header.version == 1 && in.remaining() != 0) {
    return fail(std::to_string(in.remaining()) + " unexpected bytes after the data block");
  }
  zone.initial_offset_ = table.initial_offset;
  zone.transitions_ = std::move(table.transitions);
  zone.offsets_ = std::move(table.offsets);
  return zone;
}

TimeZone::Segment TimeZone::segment_at(std::int64_t t) const {
  if (!transitions_.empty() && t < transitions_.back()) {
    const auto next = std::upper_bound(transitions_.begin(), transitions_.end(), t);
    const auto index = static_cast<std::size_t>(next - transitions_.begin());
    return Segment{index == 0 ? initial_offset_ : offsets_[index - 1], *next};
  }
  if (!has_rule_) {
    return Segment{transitions_.empty() ? initial_offset_ : offsets_.back(), kNever};
  }
  if (!rule_.has_dst) return Segment{rule_.std_offset, kNever};

  // With dates within a year and times within ±7 days, a year's transitions lie within about
  // 8 days of it, so years Y-2..Y+2 hold both the last transition at or before t and the first
  // after it. Ties go to the later year, then to the end rule, so that "DST all year" strings
  // (start at 0/0, end at J365/25) stay in DST.
  int year = 0;
  unsigned month = 0, day = 0;
  civil_from_days(floor_div(t + rule_.std_offset, kSecondsPerDay), year, month, day);
  bool have_last = false;
  bool last_is_start = false;
  std::int64_t last = 0;
  std::int64_t next = kNever;
  for (std::int64_t y = std::int64_t{year} - 2; y <= std::int64_t{year} + 2; ++y) {
    for (const bool is_start : {true, false}) {
      const std::int64_t when = rule_transition(rule_, y, is_start);
      if (when <= t) {
        if (!have_last || when >= last) {
          have_last = true;
          last = when;
          last_is_start = is_start;
        }
      } else {
        next = std::min(next, when);
      }
    }
  }
  return Segment{have_last && last_is_start ? rule_.dst_offset : rule_.std_offset, next};
}

std::int32_t TimeZone::offset_seconds_at(std::int64_t utc_ms) const {
  return segment_at(floor_div(utc_ms, 1000)).offset;
}

std::int64_t TimeZone::local_day(std::int64_t utc_ms) const {
  const std::int64_t seconds = floor_div(utc_ms, 1000);
  return floor_div(seconds + segment_at(seconds).offset, kSecondsPerDay);
}

std::int64_t TimeZone::start_of_local_day_utc_ms(std::int64_t day) const {
  day = std::clamp(day, -kMaxLocalDay, kMaxLocalDay);
  const std::int64_t midnight = day * kSecondsPerDay;
  // Offsets stay within kMinOffset..kMaxOffset, so local time here is still the day before, and
  // by midnight - kMinOffset + 1 it is this day: the walk over segments ends within that window.
  std::int64_t t = midnight - (kMaxOffset + 1);
  for (;;) {
    const Segment segment = segment_at(t);
    const std::int64_t first = std::max(t, midnight - segment.offset);
    if (first < segment.end) return first * 1000;
    t = segment.end;
  }
}

}  // namespace shoplake::core

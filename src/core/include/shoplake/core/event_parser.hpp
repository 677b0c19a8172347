// Parses and validates shop events (DESIGN.md "Events") with simdjson, without an allocation per
// event: accepted events are handed to a sink as EventViews into the parser's own buffers.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "shoplake/core/event.hpp"
#include "shoplake/core/time.hpp"

namespace shoplake::core {

struct ValidationOptions {
  // The accepted event-time window, relative to `now_ms` (wall clock when unset). Imports of old
  // data widen max_age_ms.
  std::int64_t max_future_ms = 5 * kMillisPerMinute;
  std::int64_t max_age_ms = 30 * kMillisPerDay;
  std::optional<std::int64_t> now_ms;
  std::size_t max_depth = 16;            // deepest nesting of objects/arrays in one line
  std::size_t max_line_bytes = 1 << 20;  // a longer line is rejected, unparsed
  std::size_t max_string_bytes = 1024;   // any contract string field other than ids
  std::size_t max_items = 1000;          // items[] of one GA4 purchase
};

// Why one input line was refused. `field` names the offending field ("price", "items[2].price",
// where the index into a GA4 purchase's items[] counts from 0, as in JSON Pointer), or is empty
// when the line as a whole is at fault (not JSON, too long, nested too deep).
struct Rejection {
  std::uint64_t line = 0;  // 1-based
  std::string field;
  std::string error;     // a sentence a user can act on
  std::string_view raw;  // the line as received, without its '\n' (or "\r\n")
};

class EventSink {
 public:
  virtual ~EventSink() = default;
  // `event` and its strings are valid only during the call.
  virtual void on_event(const EventView& event, std::uint64_t line) = 0;
  virtual void on_rejection(const Rejection& rejection) = 0;
};

struct ParseCounts {
  std::uint64_t lines = 0;     // non-blank lines seen
  std::uint64_t events = 0;    // events handed to on_event (a GA4 purchase with items counts each)
  std::uint64_t rejected = 0;  // lines handed to on_rejection
  ParseCounts& operator+=(const ParseCounts& other) {
    lines += other.lines;
    events += other.events;
    rejected += other.rejected;
    return *this;
  }
};

// Bytes the parser may read past the end of a body (simdjson reads ahead); what they hold does not
// matter. A body followed by them is parsed where it lies; any other is copied line by line.
inline constexpr std::size_t kParsePadding = 64;

// Text whose buffer goes on for at least kParsePadding readable bytes. Valid while the buffer it
// was made from is neither changed nor destroyed.
class PaddedText {
 public:
  // Makes room for the padding in `buffer`'s capacity: no copy unless the capacity lacks it.
  explicit PaddedText(std::string& buffer) {
    buffer.reserve(buffer.size() + kParsePadding);
    text_ = buffer;
  }
  std::string_view text() const { return text_; }

 private:
  std::string_view text_;
};

// One parser per thread; reuse it across bodies so its buffers are allocated once.
class EventParser {
 public:
  explicit EventParser(ValidationOptions options = {});
  ~EventParser();
  EventParser(const EventParser&) = delete;
  EventParser& operator=(const EventParser&) = delete;

  // Newline-delimited JSON: every non-blank line is one event object. A bad line is rejected on
  // its own; the lines beside it are unaffected. Line numbers start at `first_line`.
  ParseCounts parse_ndjson(std::string_view body, EventSink& sink, std::uint64_t first_line = 1);
  // The same, reading each line in place.
  ParseCounts parse_ndjson(PaddedText body, EventSink& sink, std::uint64_t first_line = 1);

  // One JSON object (one event, or a GA4 purchase with items[] that expands to one event per item
  // with event ids "<id>:<n>", n from 1). A line is accepted or rejected whole.
  ParseCounts parse_line(std::string_view line, std::uint64_t line_number, EventSink& sink);

  const ValidationOptions& options() const { return options_; }

 private:
  struct Buffers;
  ParseCounts parse_lines(std::string_view body, bool in_place, EventSink& sink,
                          std::uint64_t first_line);
  ValidationOptions options_;
  std::unique_ptr<Buffers> buffers_;
};

}  // namespace shoplake::core

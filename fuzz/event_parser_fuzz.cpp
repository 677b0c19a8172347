// libFuzzer target for EventParser. Any input must parse without a crash or a sanitizer report, and
// every accepted event must come back unchanged from append_ndjson and a second parse: the bronze
// layer stores what the parser accepted in append_ndjson's form, and replays parse it again. The
// same holds for the event log's binary form (append_encoded_event, then a decode). A
// body read in place (with padding bytes after it that are anything but spaces) must give exactly
// what the line-by-line copy gives.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <string_view>

#include "shoplake/core/event_codec.hpp"
#include "shoplake/core/event_parser.hpp"
#include "shoplake/core/ndjson_writer.hpp"

namespace {

using shoplake::core::Event;
using shoplake::core::EventParser;
using shoplake::core::EventSink;
using shoplake::core::EventView;
using shoplake::core::Rejection;
using shoplake::core::ValidationOptions;

// A fixed clock (2026-11-25T13:04:05.123Z) keeps every run reproducible.
constexpr std::int64_t kNowMs = 1795611845123;

ValidationOptions first_parse_options() {
  ValidationOptions options;
  options.now_ms = kNowMs;
  return options;
}

// The canonical line can be longer than the one received (epoch milliseconds become an RFC 3339
// string, integer ids gain quotes), so the second parse has no line limit.
ValidationOptions second_parse_options() {
  ValidationOptions options = first_parse_options();
  options.max_line_bytes = std::numeric_limits<std::size_t>::max();
  return options;
}

[[noreturn]] void fail(const char* what, const std::string& line) {
  std::fprintf(stderr, "event_parser_fuzz: %s\n  line written: %s", what, line.c_str());
  __builtin_trap();
}

// Collects what the second parse of one written line produces.
class SecondParseSink : public EventSink {
 public:
  void reset() {
    events = 0;
    rejections = 0;
  }
  void on_event(const EventView& view, std::uint64_t) override {
    if (++events == 1) event = Event(view);
  }
  void on_rejection(const Rejection& rejection) override {
    ++rejections;
    error = rejection.field + ": " + rejection.error;
  }

  Event event;
  int events = 0;
  int rejections = 0;
  std::string error;
};

class RoundTripSink : public EventSink {
 public:
  void on_event(const EventView& view, std::uint64_t) override {
    const Event original(view);
    written_.clear();
    shoplake::core::append_ndjson(view, written_);
    second_sink_.reset();
    second_parser_.parse_ndjson(written_, second_sink_);
    if (second_sink_.rejections != 0) fail(("rejected: " + second_sink_.error).c_str(), written_);
    if (second_sink_.events != 1) fail("not exactly one event", written_);
    if (!(second_sink_.event == original)) fail("a different event", written_);
    encoded_.clear();
    shoplake::core::append_encoded_event(view, encoded_);
    shoplake::core::EncodedEventReader reader(encoded_);
    EventView decoded;
    if (!reader.next(decoded) || !(Event(decoded) == original) || reader.next(decoded))
      fail("the log's encoding changed the event", written_);
  }
  void on_rejection(const Rejection& rejection) override {
    if (rejection.error.empty()) fail("a rejection without a reason", std::string(rejection.raw));
  }

 private:
  EventParser second_parser_{second_parse_options()};
  SecondParseSink second_sink_;
  std::string written_;
  std::string encoded_;
};

// Everything a parse handed out, in order, as text.
class RecordingSink : public EventSink {
 public:
  void on_event(const EventView& view, std::uint64_t line) override {
    record += "event@" + std::to_string(line) + ":";
    shoplake::core::append_ndjson(view, record);
  }
  void on_rejection(const Rejection& rejection) override {
    record += "rejection@" + std::to_string(rejection.line) + ":" + rejection.field + ":" +
              rejection.error + ":" + std::string(rejection.raw) + "\n";
  }
  std::string record;
};

void check_in_place_parse(std::string_view body) {
  static EventParser copying(first_parse_options());
  static EventParser in_place(first_parse_options());
  RecordingSink copied_sink;
  copying.parse_ndjson(body, copied_sink);
  // Quotes after the body: a parser that read them as JSON would go astray.
  std::string padded(body);
  padded.append(shoplake::core::kParsePadding, '"');
  padded.resize(body.size());
  RecordingSink in_place_sink;
  in_place.parse_ndjson(shoplake::core::PaddedText(padded), in_place_sink);
  if (in_place_sink.record != copied_sink.record)
    fail("in-place parse differs", in_place_sink.record);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Kept across inputs, as in production, so that stale state in reused buffers would show.
  static EventParser parser(first_parse_options());
  static RoundTripSink sink;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const auto counts = parser.parse_ndjson(body, sink);
  if (counts.rejected > counts.lines) __builtin_trap();
  check_in_place_parse(body);
  return 0;
}

// The binary form of events and rejections inside event-log records: a format byte, the type,
// varint numbers and varint-length-prefixed strings (an event of the simulator's is ~70 bytes).
// Encoding is a few memcpys; decoding hands out EventViews pointing into the payload, so consumers
// read the log without parsing JSON again. Every format ever written stays readable.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "shoplake/core/event.hpp"
#include "shoplake/core/event_parser.hpp"

namespace shoplake::core {

// Appends one event. Strings longer than the contract allows must have been refused already by
// the validator; the properties object may be up to 4 GiB.
void append_encoded_event(const EventView& event, std::string& out);

// Walks a payload of encoded events. A payload that does not decode (which CRC-checked log
// records never are) ends the walk with error() set.
class EncodedEventReader {
 public:
  explicit EncodedEventReader(std::string_view payload) : rest_(payload) {}
  // The next event, or false at the end of the payload or on a malformed one.
  bool next(EventView& event);
  const std::string& error() const { return error_; }

 private:
  std::string_view rest_;
  std::string error_;
};

// A refused line as the log keeps it: where it was, why, and the raw bytes.
struct RejectionView {
  std::uint64_t line = 0;
  std::string_view field;
  std::string_view error;
  std::string_view raw;
};

void append_encoded_rejection(const Rejection& rejection, std::string& out);

class EncodedRejectionReader {
 public:
  explicit EncodedRejectionReader(std::string_view payload) : rest_(payload) {}
  bool next(RejectionView& rejection);
  const std::string& error() const { return error_; }

 private:
  std::string_view rest_;
  std::string error_;
};

}  // namespace shoplake::core

// libFuzzer target for EncodedEventReader, the decoder of event-log payloads. Any bytes must
// decode without a crash, an over-read or a sanitizer report, and every event that decodes must
// come back unchanged from append_encoded_event and a second decode: the bronze writer and the
// stream engine see exactly what the collector encoded.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "shoplake/core/event_codec.hpp"

namespace {

using shoplake::core::Event;

// Field by field, the price by its bits: a decoded price may be any double, NaN and -0.0 included.
bool same_event(Event first, Event second) {
  std::uint64_t first_price = 0;
  std::uint64_t second_price = 0;
  std::memcpy(&first_price, &first.price, sizeof(first_price));
  std::memcpy(&second_price, &second.price, sizeof(second_price));
  first.price = second.price = 0;
  return first_price == second_price && first == second;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using shoplake::core::EncodedEventReader;
  using shoplake::core::EventView;
  EncodedEventReader reader(std::string_view(reinterpret_cast<const char*>(data), size));
  EventView view;
  std::string reencoded;
  while (reader.next(view)) {
    const Event original(view);
    reencoded.clear();
    shoplake::core::append_encoded_event(view, reencoded);
    EncodedEventReader second(reencoded);
    EventView again;
    if (!second.next(again) || !same_event(Event(again), original) || second.next(again)) {
      std::fprintf(stderr, "event_codec_fuzz: a decoded event does not survive re-encoding\n");
      __builtin_trap();
    }
  }
  return 0;
}

// The alert history's line reader: any bytes are refused with a message or read into an alert
// that writes back to JSON the reader takes again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "shoplake/alert/alert_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto alert =
      shoplake::alert::alert_from_json(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!alert) return 0;
  if (!shoplake::alert::alert_from_json(shoplake::alert::alert_to_json(alert.value()))) {
    std::abort();  // what we write, we must read back
  }
  return 0;
}

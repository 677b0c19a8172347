// libFuzzer target for the time-travel rewrite (src/sql/engine/time_travel.cpp). Any query text
// must come through without a crash or a sanitizer report; text with no "AS OF" must come back
// unchanged, and every rewrite must replace exactly what it resolved.
#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "time_travel.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string sql(reinterpret_cast<const char*>(data), size);
  int resolved = 0;
  const shoplake::sql::TimeTravelResolver resolver =
      [&resolved](
          const std::string&, const std::string&,
          const shoplake::sql::TimeTravelPoint& point) -> shoplake::core::Result<std::string> {
    if (!point.version && !point.timestamp_ms) std::abort();  // a point is always one of the two
    ++resolved;
    return std::string("SELECT 1");
  };
  auto expanded = shoplake::sql::expand_time_travel(sql, resolver);
  std::string upper = sql;
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (upper.find("AS") == std::string::npos) {
    if (!expanded || expanded.value() != sql || resolved != 0) std::abort();
  }
  if (expanded && resolved == 0 && expanded.value() != sql) std::abort();
  return 0;
}

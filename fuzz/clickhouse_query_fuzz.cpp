// The ClickHouse dialect translator reads untrusted query text: it must never crash or hang,
// must answer the same way twice, and a FORMAT name it extracts must come back out of a query
// that names it again.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "shoplake/sql/clickhouse_dialect.hpp"

namespace {

std::string backquoted(std::string_view name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`' || c == '\\') out += '\\';
    out += c;
  }
  return out + "`";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const shoplake::sql::TranslationResult first = shoplake::sql::translate_clickhouse_query(text);
  const shoplake::sql::TranslationResult second = shoplake::sql::translate_clickhouse_query(text);
  if (first.ok() != second.ok()) __builtin_trap();
  if (!first.ok()) {
    if (first.error().position > size || first.error().message.empty()) __builtin_trap();
    return 0;
  }
  if (first.value().sql != second.value().sql) __builtin_trap();
  const std::string& format = first.value().format;
  if (format.empty()) return 0;
  const auto again =
      shoplake::sql::translate_clickhouse_query("SELECT 1 FORMAT " + backquoted(format));
  if (!again.ok() || again.value().format != format || again.value().sql != "SELECT 1") {
    __builtin_trap();
  }
  return 0;
}

// libFuzzer target for the statement guard's scan for state-changing calls
// (src/sql/engine/statement_guard.cpp). Any query text must come through without a crash or a
// sanitizer report; a name it reports must be one it refuses, and be followed by '(' in the text.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "statement_guard.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string sql(reinterpret_cast<const char*>(data), size);
  const auto function = shoplake::sql::state_changing_function(sql);
  if (!function) return 0;
  if (function->empty() || sql.find('(') == std::string::npos) std::abort();
  std::string lower;
  for (char c : *function) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // Reported again when it stands alone before its parenthesis: the scan is deterministic.
  const auto alone = shoplake::sql::state_changing_function("SELECT " + lower + "()");
  if (!alone || *alone != lower) std::abort();
  shoplake::sql::writing_keyword(sql);
  shoplake::sql::explained_statement(sql);
  return 0;
}

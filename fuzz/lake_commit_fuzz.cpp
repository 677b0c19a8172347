// The Delta log parsers: any bytes are refused or parsed, never a crash; whatever parses as a
// commit serializes and parses back to the same actions (the writer's commits are read by the
// same code), and a schema that parses maps onto DuckDB and serializes back unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "shoplake/lake/actions.hpp"
#include "shoplake/lake/delta_schema.hpp"

namespace {

using namespace shoplake::lake;

void check_schema(std::string_view text) {
  auto schema = parse_schema(text);
  if (!schema) return;
  for (const auto& field : schema.value().fields) {
    if (!duckdb_type_of(field.type)) std::abort();
  }
  auto again = parse_schema(serialize_schema(schema.value()));
  if (!again || again.value() != schema.value()) std::abort();
}

// A deletion vector is known only by its presence and never written back (this writer refuses
// tables that have them), so it is the one field the round trip does not carry.
std::vector<Action> without_deletion_vectors(std::vector<Action> actions) {
  for (auto& action : actions) {
    if (auto* add = std::get_if<AddFile>(&action)) add->has_deletion_vector = false;
  }
  return actions;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  check_schema(text);
  auto parsed = parse_commit(text, "fuzz.json");
  if (!parsed) return 0;
  const std::string bytes = serialize_commit(parsed.value());
  auto again = parse_commit(bytes, "fuzz.json (serialized)");
  if (!again || again.value() != without_deletion_vectors(parsed.value())) std::abort();
  if (serialize_commit(again.value()) != bytes) std::abort();
  for (const auto& action : parsed.value()) {
    if (const auto* metadata = std::get_if<Metadata>(&action))
      check_schema(metadata->schema_string);
    if (const auto* add = std::get_if<AddFile>(&action)) {
      auto decoded = decode_path(encode_path(add->path));
      if (!decoded || decoded.value() != add->path) std::abort();
    }
  }
  return 0;
}

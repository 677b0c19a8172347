// The model file parser (models/<layer>/<table>.sql headers): any text either parses into a model
// whose header is consistent or is refused with a message; it never crashes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "shoplake/pipeline/model.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto model = shoplake::pipeline::parse_model("gold.fuzzed", text);
  if (!model) {
    if (model.error().empty()) __builtin_trap();
    return 0;
  }
  const auto& parsed = model.value();
  if (parsed.inputs.empty() || parsed.partition_column.empty()) __builtin_trap();
  if (parsed.window_days < 0 || parsed.window_days > 31) __builtin_trap();
  if (parsed.appends() && parsed.inputs.size() != 1) __builtin_trap();
  for (const auto& column : parsed.append_columns) {
    if (column.empty()) __builtin_trap();
  }
  for (const auto& expectation : parsed.expectations) {
    if (expectation.columns.empty() || expectation.text.empty()) __builtin_trap();
    if (expectation.min && expectation.max && *expectation.min > *expectation.max) __builtin_trap();
  }
  // A model reading itself through a second copy must be refused as a cycle or accepted, never
  // crash the ordering.
  auto second = parsed;
  second.name = "gold.other";
  second.inputs = {"gold.fuzzed"};
  (void)shoplake::pipeline::order_models({parsed, second});
  return 0;
}

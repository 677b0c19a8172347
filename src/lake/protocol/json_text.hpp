// Small JSON helpers shared by the protocol's parsers (internal to shoplake_lake_protocol).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace shoplake::lake::detail {

// Ordered, so a re-serialized object (commitInfo, nested schema types, partitionValues) keeps the
// key order its writer chose.
using Json = nlohmann::ordered_json;

// nlohmann's parser is iterative but dump() and our own walkers recurse; a log line nested deeper
// than this is refused before parsing so hostile input cannot exhaust the stack.
inline constexpr std::size_t kMaxJsonNesting = 256;

// The deepest bracket nesting of `text`, ignoring brackets inside strings. Cheap enough to run on
// every line before parsing.
inline std::size_t json_nesting_depth(std::string_view text) {
  std::size_t depth = 0;
  std::size_t deepest = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > deepest) deepest = depth;
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

// Parses `text` into `out`; on failure returns a message without nlohmann's "[json.exception…]"
// prefix, which means nothing to a user.
inline std::optional<std::string> parse_json(std::string_view text, Json& out) {
  if (json_nesting_depth(text) > kMaxJsonNesting) {
    return "invalid JSON: nested deeper than " + std::to_string(kMaxJsonNesting) + " levels";
  }
  try {
    out = Json::parse(text.begin(), text.end());
    return std::nullopt;
  } catch (const nlohmann::json::exception& error) {
    std::string_view message = error.what();
    if (auto close = message.find("] "); close != std::string_view::npos && message[0] == '[') {
      message.remove_prefix(close + 2);
    }
    return "invalid JSON: " + std::string(message);
  }
}

// Compact text; invalid UTF-8 (only possible from a caller's own strings, never from a parsed log)
// is replaced rather than thrown on.
inline std::string dump_json(const Json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace shoplake::lake::detail

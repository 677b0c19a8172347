// Writes events as NDJSON lines in the contract's canonical form.
#pragma once

#include <string>

#include "shoplake/core/event.hpp"

namespace shoplake::core {

// Appends one JSON object and a '\n' to `out`. Field order is fixed; `ts` is RFC 3339 UTC with
// milliseconds ("2026-11-25T13:04:05.123Z"); product fields only for cart/purchase events;
// order_id only for purchases; session_id/source only when non-empty; currency only when it is not
// USD; `properties`' members are spliced into the top-level object so that a parse of the output
// gives the same event back. Appending to a reused string costs no allocation once it has grown.
void append_ndjson(const EventView& event, std::string& out);

// Appends `text` as a JSON string literal (quotes included), escaping as RFC 8259 requires.
void append_json_string(std::string_view text, std::string& out);

}  // namespace shoplake::core

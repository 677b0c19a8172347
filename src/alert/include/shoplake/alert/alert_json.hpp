// An alert as one JSON object: every field under its own name, each time both as epoch
// milliseconds (`*_ms`) and as an RFC 3339 UTC string. The generic webhook sends it, the alert
// history stores it one per line, GET /v1/alerts answers with it.
#pragma once

#include <string>
#include <string_view>

#include "shoplake/alert/alert.hpp"
#include "shoplake/core/result.hpp"

namespace shoplake::alert {

std::string alert_to_json(const Alert& alert);
// Reads what alert_to_json wrote; errors name the field.
core::Result<Alert> alert_from_json(std::string_view text);

}  // namespace shoplake::alert

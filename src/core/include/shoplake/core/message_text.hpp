// Text from configuration or files quoted for an error message or a log line.
#pragma once

#include <string>
#include <string_view>

namespace shoplake::core {

// 'text' in single quotes, with control bytes, non-ASCII bytes and backslashes as \xNN, so that
// nothing a user wrote can reach a log or a terminal raw.
std::string quoted_for_message(std::string_view text);

}  // namespace shoplake::core

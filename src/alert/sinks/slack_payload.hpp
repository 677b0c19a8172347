// An alert as a Slack incoming-webhook message: a `text` fallback for notifications plus Block
// Kit blocks, every text within Slack's limits whatever the summary or hint holds.
#pragma once

#include <string>

#include "shoplake/alert/alert.hpp"

namespace shoplake::alert {

std::string slack_payload(const Alert& alert);

}  // namespace shoplake::alert

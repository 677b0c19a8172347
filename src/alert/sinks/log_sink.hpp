// The sink that is always there: one log line per alert, at a level that follows the severity
// (info for a resolution, warn for a warning, error for a critical alert).
#pragma once

#include <memory>
#include <string>

#include "shoplake/alert/alert.hpp"
#include "sink.hpp"

namespace shoplake::alert {

std::string log_line(const Alert& alert);
std::unique_ptr<Sink> make_log_sink();

}  // namespace shoplake::alert

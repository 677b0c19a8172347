// The alerts file (--alerts-config): the anomaly rules and the sinks, read once for `up` and for
// `alerts test`, with the environment's webhook URLs added.
#pragma once

#include <string>
#include <vector>

#include "shoplake/alert/detector.hpp"
#include "shoplake/alert/sinks.hpp"

namespace shoplake::cli {

struct AlertsConfig {
  alert::AlertRulesConfig rules;
  std::vector<alert::SinkConfig> sinks;
};

// `path` empty: the built-in rules and the default sinks. Throws CommandError naming the file.
AlertsConfig read_alerts_config(const std::string& path);

}  // namespace shoplake::cli

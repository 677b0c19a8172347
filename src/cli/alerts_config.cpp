#include "alerts_config.hpp"

#include <fstream>
#include <iterator>

#include "commands.hpp"

namespace shoplake::cli {

AlertsConfig read_alerts_config(const std::string& path) {
  AlertsConfig config;
  config.rules = alert::default_alert_rules();
  if (!path.empty()) {
    std::ifstream file(path);
    if (!file) throw CommandError{2, "--alerts-config: cannot read " + path};
    const std::string text{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
    auto rules = alert::parse_alert_rules(text);
    if (!rules) throw CommandError{2, path + ": " + rules.error()};
    config.rules = std::move(rules).value();
    auto sinks = alert::parse_sink_configs(text, alert::process_environment);
    if (!sinks) throw CommandError{2, path + ": " + sinks.error()};
    config.sinks = std::move(sinks).value();
  }
  if (auto added = alert::add_default_sinks(config.sinks, alert::process_environment); !added) {
    throw CommandError{2, added.error()};
  }
  return config;
}

}  // namespace shoplake::cli

// `shoplake alerts test`: a sample alert to every configured sink, now, with each sink's result,
// so that a webhook URL or a Slack channel can be checked before an incident needs it.
#include <fmt/core.h>

#include <memory>

#include "alerts_config.hpp"
#include "commands.hpp"
#include "shoplake/core/time.hpp"

namespace shoplake::cli {

void add_alerts_command(CLI::App& app) {
  auto* alerts = app.add_subcommand("alerts", "Work with alert sinks");
  alerts->require_subcommand(1);
  auto config_path = std::make_shared<std::string>();
  auto* test = alerts->add_subcommand(
      "test",
      "Send a sample alert to every configured sink (the [[sinks]] of --alerts-config, "
      "SHOPLAKE_SLACK_WEBHOOK_URL, SHOPLAKE_ALERT_WEBHOOK_URL, the log) and say how each went; "
      "exits 1 if any failed");
  with_env(test->add_option("--alerts-config", *config_path,
                            "TOML file with [[sinks]] (the same file `up` takes)")
               ->check(CLI::ExistingFile));
  test->callback([config_path] {
    const AlertsConfig config = read_alerts_config(*config_path);
    const auto results = alert::send_test_alert(config.sinks, alert::sample_alert(core::now_ms()));
    int failures = 0;
    for (const auto& result : results) {
      if (result.status) {
        fmt::print("{}: sent\n", result.sink);
      } else {
        ++failures;
        fmt::print("{}: FAILED: {}\n", result.sink, result.status.error());
      }
    }
    if (failures > 0) {
      throw CommandError{1, fmt::format("{} of {} sinks failed", failures, results.size())};
    }
  });
}

}  // namespace shoplake::cli

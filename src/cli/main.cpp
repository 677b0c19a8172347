// shoplake: the whole platform in one program. Each subcommand is one component or the whole
// (`up`); see commands.hpp for how a command registers and where its flags can come from.
#include <fmt/core.h>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <cstdlib>

#include "commands.hpp"
#include "toml_config.hpp"

namespace {

constexpr const char* kFooter = R"(
Every flag can also be set as an environment variable SHOPLAKE_<FLAG> (e.g. --data-dir ->
SHOPLAKE_DATA_DIR, up --port -> SHOPLAKE_PORT) or in the TOML file given by --config: global flags
as top-level keys, a command's flags in a [<command>] table. Precedence: flag > environment >
file > built-in default.
)";

void configure_logging(const std::string& level) {
  auto logger = spdlog::stderr_color_mt("shoplake");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  logger->set_level(spdlog::level::from_str(level));
  spdlog::set_default_logger(logger);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace shoplake::cli;
  CLI::App app{"shoplake: real-time e-commerce analytics in one program", "shoplake"};
  app.footer(kFooter);
  app.require_subcommand(1);
  app.fallthrough();  // global flags may follow the command: `shoplake up --data-dir X`
  app.allow_config_extras(CLI::config_extras_mode::error);  // a misspelt key is an error
  app.config_formatter(std::make_shared<TomlConfig>());
  // SHOPLAKE_CONFIG names the file when --config does not; CLI11 reads the file before it looks at
  // the environment, so the variable is applied here rather than through with_env.
  const char* config_from_env = std::getenv("SHOPLAKE_CONFIG");
  const bool config_named = config_from_env != nullptr && *config_from_env != '\0';
  app.set_config("--config", config_named ? config_from_env : "",
                 "TOML configuration file (or SHOPLAKE_CONFIG)", config_named);
  app.set_version_flag("--version", SHOPLAKE_VERSION);

  GlobalOptions global;
  with_env(app.add_option("--data-dir,--data", global.data_dir, "Data directory")
               ->capture_default_str());
  with_env(app.add_option("--log-level", global.log_level, "Log level")
               ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
               ->capture_default_str());
  app.parse_complete_callback([&global] { configure_logging(global.log_level); });

  add_version_command(app);
  add_simulate_command(app, global);
  add_up_command(app, global);
  add_log_command(app, global);
  add_alerts_command(app);
  add_lake_command(app, global);
  add_dag_command(app);
  add_bench_command(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // CLI11 reports an unknown command as a missing one; name what the user typed instead.
    if (app.get_subcommands().empty() && !app.remaining().empty() &&
        dynamic_cast<const CLI::RequiredError*>(&error) != nullptr) {
      fmt::print(stderr, "shoplake: unknown command '{}'; run shoplake --help for the commands\n",
                 app.remaining().front());
      return 2;
    }
    return app.exit(error);
  } catch (const CommandError& error) {
    fmt::print(stderr, "shoplake: {}\n", error.message);
    return error.exit_code;
  }
  return 0;
}

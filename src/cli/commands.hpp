// Each `shoplake <command>` lives in its own file and registers itself on the root app here.
// A command's flags can also come from the TOML file's [<command>] table and from SHOPLAKE_<FLAG>
// environment variables (toml_config.hpp); precedence: flag > environment > file > default.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace shoplake::cli {

// Options every command sees (top-level flags / top-level TOML keys).
struct GlobalOptions {
  std::string data_dir = "./shoplake-data";
  std::string log_level = "info";
};

// Flag "--foo-bar" reads environment variable SHOPLAKE_FOO_BAR.
std::string env_name_for_flag(const std::string& flag_name);

// Adds `option`'s environment variable by the rule above and returns it, for chaining.
CLI::Option* with_env(CLI::Option* option);

void add_version_command(CLI::App& app);
void add_simulate_command(CLI::App& app, const GlobalOptions& global);
void add_up_command(CLI::App& app, const GlobalOptions& global);
void add_log_command(CLI::App& app, const GlobalOptions& global);
void add_alerts_command(CLI::App& app);
void add_lake_command(CLI::App& app, const GlobalOptions& global);
// `dag` talks to a running `shoplake up` over HTTP, so it needs no data directory.
void add_dag_command(CLI::App& app);
void add_bench_command(CLI::App& app);
// `bench query` (bench_query.cpp), added to `bench` by add_bench_command.
void add_bench_query_command(CLI::App& bench);
// `bench realtime` (bench_realtime.cpp).
void add_bench_realtime_command(CLI::App& bench);
// `bench lake` (bench_lake.cpp).
void add_bench_lake_command(CLI::App& bench);
// `bench pipeline` (bench_pipeline.cpp).
void add_bench_pipeline_command(CLI::App& bench);

// A command that fails throws this; main prints `message` and exits with `exit_code`.
struct CommandError {
  int exit_code;
  std::string message;
};

}  // namespace shoplake::cli

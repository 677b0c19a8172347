#include <duckdb.h>
#include <fmt/core.h>
#include <simdjson.h>

#include "commands.hpp"

namespace shoplake::cli {

void add_version_command(CLI::App& app) {
  auto* command =
      app.add_subcommand("version", "Print shoplake's version and its engines' versions");
  command->callback([] {
    fmt::print("shoplake {}\nDuckDB {}\nsimdjson {}.{}.{}\n", SHOPLAKE_VERSION,
               duckdb_library_version(), static_cast<int>(simdjson::SIMDJSON_VERSION_MAJOR),
               static_cast<int>(simdjson::SIMDJSON_VERSION_MINOR),
               static_cast<int>(simdjson::SIMDJSON_VERSION_REVISION));
  });
}

}  // namespace shoplake::cli

// Reads shoplake's TOML configuration file (toml++) into CLI11, so that every flag can be set in
// the file: top-level keys for global flags, a [<command>] table for a command's flags.
#pragma once

#include <CLI/CLI.hpp>
#include <istream>
#include <vector>

namespace shoplake::cli {

class TomlConfig : public CLI::ConfigTOML {
 public:
  // A key whose SHOPLAKE_<KEY> environment variable is set is left out, so that the environment
  // overrides the file (CLI11 on its own would let the file win).
  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override;
};

}  // namespace shoplake::cli

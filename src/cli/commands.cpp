#include <algorithm>
#include <cctype>

#include "commands.hpp"

namespace shoplake::cli {

std::string env_name_for_flag(const std::string& flag_name) {
  std::string name = "SHOPLAKE_";
  for (const char c : flag_name) {
    name.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return name;
}

CLI::Option* with_env(CLI::Option* option) {
  return option->envname(env_name_for_flag(option->get_single_name()));
}

}  // namespace shoplake::cli

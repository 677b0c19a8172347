#include "toml_config.hpp"

#include <toml++/toml.h>
#include <cstdlib>
#include <sstream>

#include "commands.hpp"

namespace shoplake::cli {

namespace {

std::string scalar_to_text(const toml::node& node) {
  if (const auto* text = node.as_string()) return text->get();
  if (const auto* flag = node.as_boolean()) return flag->get() ? "true" : "false";
  if (const auto* whole = node.as_integer()) return std::to_string(whole->get());
  if (const auto* real = node.as_floating_point()) {
    std::ostringstream out;
    out << real->get();
    return out.str();
  }
  std::ostringstream out;  // dates and times: their TOML spelling, which is RFC 3339
  node.visit([&out](const auto& value) { out << value; });
  return out.str();
}

bool overridden_by_environment(const std::string& key) {
  const char* value = std::getenv(env_name_for_flag(key).c_str());
  return value != nullptr && *value != '\0';
}

void flatten(const toml::table& table, std::vector<std::string>& parents,
             std::vector<CLI::ConfigItem>& items) {
  for (const auto& [key, node] : table) {
    const std::string name(key.str());
    if (const auto* sub = node.as_table()) {
      parents.push_back(name);
      flatten(*sub, parents, items);
      parents.pop_back();
      continue;
    }
    if (overridden_by_environment(name)) continue;
    CLI::ConfigItem item;
    item.parents = parents;
    item.name = name;
    if (const auto* list = node.as_array()) {
      for (const auto& element : *list) item.inputs.push_back(scalar_to_text(element));
    } else {
      item.inputs.push_back(scalar_to_text(node));
    }
    items.push_back(std::move(item));
  }
}

}  // namespace

std::vector<CLI::ConfigItem> TomlConfig::from_config(std::istream& input) const {
  toml::table root;
  try {
    root = toml::parse(input);
  } catch (const toml::parse_error& error) {
    const auto& where = error.source().begin;
    throw CLI::ConversionError("configuration file, line " + std::to_string(where.line) +
                               ", column " + std::to_string(where.column) + ": " +
                               std::string(error.description()));
  }
  std::vector<CLI::ConfigItem> items;
  std::vector<std::string> parents;
  flatten(root, parents, items);
  return items;
}

}  // namespace shoplake::cli

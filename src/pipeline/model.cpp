#include "shoplake/pipeline/model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

namespace shoplake::pipeline {
namespace {

namespace fs = std::filesystem;

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r");
  return text.substr(first, last - first + 1);
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> items;
  while (true) {
    const auto comma = text.find(',');
    items.emplace_back(trim(text.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return items;
}

bool is_identifier(std::string_view text) {
  if (text.empty() || (std::isdigit(static_cast<unsigned char>(text.front())) != 0)) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

bool is_table_name(std::string_view text) {
  const auto dot = text.find('.');
  return dot != std::string_view::npos && is_identifier(text.substr(0, dot)) &&
         is_identifier(text.substr(dot + 1));
}

// A header key: lower-case words before ':' ("inputs", "expect warn"). Prose comments start with
// a capital or have no colon, so they are not mistaken for keys.
std::optional<std::pair<std::string_view, std::string_view>> header_entry(std::string_view body) {
  const auto colon = body.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  const std::string_view key = body.substr(0, colon);
  const bool lower_words = std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || c == '_' || c == ' ';
  });
  if (!lower_words || key.front() == ' ' || key.back() == ' ') return std::nullopt;
  return std::pair{key, trim(body.substr(colon + 1))};
}

std::optional<double> parse_bound(std::string_view text) {
  if (text.empty()) return std::nullopt;
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string unquote(std::string_view text) {
  if (text.size() >= 2 && (text.front() == '\'' || text.front() == '"') &&
      text.back() == text.front()) {
    return std::string(text.substr(1, text.size() - 2));
  }
  return std::string(text);
}

core::Result<Expectation> parse_expectation(std::string_view text, ExpectationSeverity severity) {
  Expectation expectation;
  expectation.severity = severity;
  expectation.text = std::string(text);
  const auto open = text.find('(');
  if (open == std::string_view::npos || text.back() != ')') {
    return core::Error{fmt::format("'{}' is not kind(arguments)", text)};
  }
  const std::string_view kind = trim(text.substr(0, open));
  std::vector<std::string> arguments = split_list(text.substr(open + 1, text.size() - open - 2));
  if (kind == "not_null" || kind == "unique") {
    expectation.kind = kind == "unique" ? ExpectationKind::unique : ExpectationKind::not_null;
    for (const auto& column : arguments) {
      if (!is_identifier(column)) {
        return core::Error{fmt::format("{}: '{}' is not a column name", kind, column)};
      }
    }
    expectation.columns = std::move(arguments);
  } else if (kind == "accepted_values") {
    expectation.kind = ExpectationKind::accepted_values;
    if (arguments.size() < 2 || !is_identifier(arguments[0])) {
      return core::Error{
          "accepted_values needs a column and at least one value: "
          "accepted_values(source, web, mobile)"};
    }
    expectation.columns = {arguments[0]};
    for (std::size_t i = 1; i < arguments.size(); ++i) {
      expectation.values.push_back(unquote(arguments[i]));
    }
  } else if (kind == "range") {
    expectation.kind = ExpectationKind::range;
    if (arguments.size() != 3 || !is_identifier(arguments[0])) {
      return core::Error{
          "range needs a column, a minimum and a maximum (either may be empty): "
          "range(conversion_rate, 0, 1)"};
    }
    expectation.columns = {arguments[0]};
    expectation.min = parse_bound(arguments[1]);
    expectation.max = parse_bound(arguments[2]);
    if ((!arguments[1].empty() && !expectation.min) ||
        (!arguments[2].empty() && !expectation.max)) {
      return core::Error{fmt::format("range: bounds must be numbers, got '{}' and '{}'",
                                     arguments[1], arguments[2])};
    }
    if (!expectation.min && !expectation.max) return core::Error{"range: give at least one bound"};
    if (expectation.min && expectation.max && *expectation.min > *expectation.max) {
      return core::Error{"range: the minimum is above the maximum"};
    }
  } else {
    return core::Error{
        fmt::format("unknown expectation '{}' (not_null, unique, accepted_values, range)", kind)};
  }
  if (expectation.columns.empty() || expectation.columns.front().empty()) {
    return core::Error{fmt::format("{}: name at least one column", kind)};
  }
  return expectation;
}

core::Status apply_header_entry(Model& model, std::string_view key, std::string_view value) {
  if (key == "inputs") {
    for (auto& input : split_list(value)) {
      if (!is_table_name(input)) {
        return core::Error{fmt::format("'{}' is not a table (layer.table)", input)};
      }
      model.inputs.push_back(std::move(input));
    }
  } else if (key == "partition") {
    if (!is_identifier(value)) return core::Error{fmt::format("'{}' is not a column", value)};
    model.partition_column = std::string(value);
  } else if (key == "window_days" || key == "spread_days") {
    int days = -1;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), days);
    if (error != std::errc{} || end != value.data() + value.size() || days < 0 || days > 31) {
      return core::Error{fmt::format("'{}' is not a number of days from 0 to 31", value)};
    }
    if (key == "window_days") {
      model.window_days = days;
    } else {
      model.spread_days = days;
    }
  } else if (key == "rejected") {
    if (!is_table_name(value)) return core::Error{fmt::format("'{}' is not a table", value)};
    model.rejected_table = std::string(value);
  } else if (key == "append") {
    for (auto& column : split_list(value)) {
      if (!is_identifier(column)) {
        return core::Error{fmt::format("'{}' is not a column name", column)};
      }
      model.append_columns.push_back(std::move(column));
    }
  } else if (key == "expect" || key == "expect error" || key == "expect warn") {
    auto expectation = parse_expectation(
        value, key == "expect warn" ? ExpectationSeverity::warn : ExpectationSeverity::error);
    if (!expectation) return core::Error{expectation.error()};
    model.expectations.push_back(std::move(expectation).value());
  } else {
    return core::Error{
        fmt::format("unknown key (inputs, partition, window_days, spread_days, rejected, append, "
                    "expect, expect warn)")};
  }
  return core::ok_status();
}

}  // namespace

std::string without_final_semicolon(std::string sql) {
  while (!sql.empty() &&
         (std::isspace(static_cast<unsigned char>(sql.back())) != 0 || sql.back() == ';')) {
    sql.pop_back();
  }
  return sql;
}

// Cheap where DuckDB's own are slow per row: its timezone('UTC', t) goes through ICU (24 ms for
// 107,000 rows against 3 ms for the integer arithmetic below), and its trim() copies every
// string even when there is nothing to trim (20 against 8 ms for the session ids of those
// rows). Exactly the same values: trim() removes spaces only, and the day and hour are
// floored, before 1970 too.
std::span<const char* const> model_function_definitions() {
  static constexpr const char* kDefinitions[] = {
      "CREATE OR REPLACE MACRO utc_date(t) AS DATE '1970-01-01' + CAST((epoch_us(t) - "
      "(epoch_us(t) % 86400000000 + 86400000000) % 86400000000) // 86400000000 AS INTEGER)",
      "CREATE OR REPLACE MACRO utc_hour(t) AS CAST((epoch_us(t) % 86400000000 + "
      "86400000000) % 86400000000 // 3600000000 AS INTEGER)",
      "CREATE OR REPLACE MACRO trim_spaces(s) AS CASE WHEN prefix(s, ' ') OR suffix(s, ' ') "
      "THEN trim(s) ELSE s END",
  };
  return kDefinitions;
}

std::string input_relation(std::string_view qualified_table) {
  std::string relation(qualified_table);
  std::replace(relation.begin(), relation.end(), '.', '_');
  return relation;
}

core::Result<Model> parse_model(std::string_view name, std::string_view text,
                                const std::filesystem::path& path) {
  const std::string where = path.empty() ? std::string(name) : path.string();
  if (!is_table_name(name)) {
    return core::Error{fmt::format("{}: '{}' is not a model name (layer.table)", where, name)};
  }
  Model model;
  model.name = std::string(name);
  model.layer = model.name.substr(0, model.name.find('.'));
  model.table = model.name.substr(model.name.find('.') + 1);
  model.partition_column = "event_date";
  model.sql = std::string(text);
  model.path = path;
  std::size_t line_number = 0;
  std::string_view rest = text;
  bool has_sql = false;
  while (!rest.empty()) {
    const auto newline = rest.find('\n');
    const std::string_view line = trim(rest.substr(0, newline));
    rest = newline == std::string_view::npos ? std::string_view{} : rest.substr(newline + 1);
    ++line_number;
    if (line.empty()) continue;
    if (!line.starts_with("--")) {  // the header ends where the SQL starts
      has_sql = true;
      break;
    }
    const auto entry = header_entry(trim(line.substr(2)));
    if (!entry) continue;
    if (auto applied = apply_header_entry(model, entry->first, entry->second); !applied) {
      return core::Error{
          fmt::format("{} line {}: {}: {}", where, line_number, entry->first, applied.error())};
    }
  }
  if (model.inputs.empty()) {
    return core::Error{
        fmt::format("{}: the header names no inputs (-- inputs: silver.events)", where)};
  }
  if (std::find(model.inputs.begin(), model.inputs.end(), model.name) != model.inputs.end()) {
    return core::Error{fmt::format("{}: a model cannot read its own table", where)};
  }
  if (model.appends() && model.inputs.size() != 1) {
    return core::Error{
        fmt::format("{}: append: a model whose runs append reads one input, this one reads {}",
                    where, model.inputs.size())};
  }
  if (!has_sql) {
    return core::Error{fmt::format("{}: no SQL after the header", where)};
  }
  return model;
}

core::Result<std::vector<Model>> order_models(std::vector<Model> models) {
  std::sort(models.begin(), models.end(),
            [](const Model& a, const Model& b) { return a.name < b.name; });
  std::map<std::string, std::size_t> writer;  // table -> index of the model writing it
  for (std::size_t i = 0; i < models.size(); ++i) {
    for (const auto* table :
         {&models[i].name, models[i].rejected_table ? &*models[i].rejected_table : nullptr}) {
      if (table == nullptr) continue;
      if (const auto [it, inserted] = writer.emplace(*table, i); !inserted) {
        return core::Error{fmt::format("{} is written by two models: {} and {}", *table,
                                       models[it->second].name, models[i].name)};
      }
    }
  }
  for (const Model& model : models) {
    for (const auto& input : model.inputs) {
      if (!writer.contains(input) && !input.starts_with("bronze.")) {
        return core::Error{fmt::format(
            "{} reads {}, which no model writes and which is not in bronze", model.name, input)};
      }
    }
  }
  // Depth-first, visiting models in name order, so that the order is stable.
  std::vector<int> mark(models.size(), 0);  // 0 new, 1 on the path, 2 done
  std::vector<std::size_t> path;
  std::vector<Model> ordered;
  std::string cycle;
  std::function<bool(std::size_t)> visit = [&](std::size_t index) {
    if (mark[index] == 2) return true;
    if (mark[index] == 1) {
      const auto start = std::find(path.begin(), path.end(), index);
      for (auto it = start; it != path.end(); ++it) cycle += models[*it].name + " -> ";
      cycle += models[index].name;
      return false;
    }
    mark[index] = 1;
    path.push_back(index);
    for (const auto& input : models[index].inputs) {
      const auto found = writer.find(input);
      if (found != writer.end() && !visit(found->second)) return false;
    }
    path.pop_back();
    mark[index] = 2;
    ordered.push_back(models[index]);
    return true;
  };
  for (std::size_t i = 0; i < models.size(); ++i) {
    if (!visit(i)) return core::Error{"the models' inputs form a cycle: " + cycle};
  }
  return ordered;
}

core::Result<std::vector<Model>> load_models(const std::filesystem::path& models_directory) {
  if (!fs::is_directory(models_directory)) {
    return core::Error{fmt::format("{} is not a directory of models", models_directory.string())};
  }
  std::vector<Model> models;
  for (const char* layer : {"silver", "gold"}) {
    std::vector<fs::path> files;
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(models_directory / layer, error)) {
      if (entry.is_regular_file() && entry.path().extension() == ".sql") {
        files.push_back(entry.path());
      }
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      std::ifstream in(file, std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      if (!in) return core::Error{fmt::format("cannot read {}", file.string())};
      auto model = parse_model(fmt::format("{}.{}", layer, file.stem().string()), text.str(), file);
      if (!model) return core::Error{model.error()};
      models.push_back(std::move(model).value());
    }
  }
  return order_models(std::move(models));
}

}  // namespace shoplake::pipeline

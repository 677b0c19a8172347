#include "shoplake/sql/output_format.hpp"

#include "format_factories.hpp"

namespace shoplake::sql {

std::unique_ptr<OutputFormat> make_output_format(std::string_view clickhouse_name) {
  using formats::HeaderRows;
  const std::string_view name = clickhouse_name;
  if (name == "TabSeparated" || name == "TSV") return formats::make_tab_separated(HeaderRows::none);
  if (name == "TabSeparatedWithNames" || name == "TSVWithNames") {
    return formats::make_tab_separated(HeaderRows::names);
  }
  if (name == "TabSeparatedWithNamesAndTypes" || name == "TSVWithNamesAndTypes") {
    return formats::make_tab_separated(HeaderRows::names_and_types);
  }
  if (name == "CSV") return formats::make_csv(HeaderRows::none);
  if (name == "CSVWithNames") return formats::make_csv(HeaderRows::names);
  if (name == "JSON") return formats::make_json();
  if (name == "JSONCompact") return formats::make_json_compact();
  if (name == "JSONEachRow") return formats::make_json_each_row();
  if (name == "Pretty") return formats::make_pretty();
  if (name == "PrettyCompact") return formats::make_pretty_compact();
  if (name == "Vertical") return formats::make_vertical();
  if (name == "Null") return formats::make_null();
  return nullptr;
}

}  // namespace shoplake::sql

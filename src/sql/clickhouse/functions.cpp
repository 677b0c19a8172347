#include "functions.hpp"

#include <array>
#include <cctype>
#include <utility>

#include "shoplake/sql/clickhouse_dialect.hpp"

namespace shoplake::sql::clickhouse {

bool equals_ignore_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 10> kRenames = {{
    {"divide", "clickhouse_divide"},           // DuckDB: integer division for integers
    {"arrayStringConcat", "array_to_string"},  // a macro's separator would not be constant
    {"isNull", "clickhouse_is_null"},          // a DuckDB keyword
    {"now", "clickhouse_now"},                 // DuckDB: TIMESTAMPTZ
    {"formatReadableSize", "clickhouse_format_readable_size"},  // DuckDB: "1.5 KiB"
    {"log", "ln"},                                              // DuckDB: base 10
    {"timezone", "clickhouse_timezone"},                        // DuckDB: timezone(tz, t)
    {"any", "any_value"},                                       // a DuckDB keyword
    {"tuple", "row"},                                           //
    {"position", "strpos"},  // DuckDB reads only position(needle IN haystack)
}};

// DuckDB's typeof() names; a macro's CASE on typeof(x) is folded when the query is bound, so
// only the branch for the argument's type remains and the others never run.
constexpr std::string_view kIsInteger =
    "typeof({x}) IN ('TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', 'UTINYINT', "
    "'USMALLINT', 'UINTEGER', 'UBIGINT', 'UHUGEINT')";
constexpr std::string_view kIsFractional =
    "(typeof({x}) IN ('FLOAT', 'DOUBLE') OR typeof({x}) LIKE 'DECIMAL%')";

std::string with_argument(std::string_view pattern, std::string_view argument) {
  std::string out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern.substr(i, 3) == "{x}") {
      out += argument;
      i += 2;
    } else {
      out += pattern[i];
    }
  }
  return out;
}

// ClickHouse's integer conversions: DateTime -> Unix seconds, Date -> day number, fractions
// truncated toward zero (a DuckDB cast rounds), anything else cast.
std::string integer_conversion(std::string_view type) {
  const std::string t(type);
  return with_argument(
      "CASE WHEN typeof({x}) = 'DATE' THEN CAST(TRY_CAST({x} AS DATE) - DATE "
      "'1970-01-01' AS " +
          t +
          ") WHEN typeof({x}) LIKE 'TIMESTAMP%' THEN "
          "CAST(floor(epoch(TRY_CAST({x} AS TIMESTAMP))) AS " +
          t + ") WHEN " + std::string(kIsFractional) +
          " THEN CAST(trunc(TRY_CAST({x} AS DOUBLE)) AS " + t + ") ELSE CAST({x} AS " + t + ") END",
      "x");
}

struct Macro {
  std::string name;
  std::string definition;  // "(params) AS body[, (params) AS body]" or "(params) AS TABLE …"
};

std::vector<Macro> macros() {
  std::vector<Macro> all;
  auto add = [&](std::string name, std::string definition) {
    all.push_back({std::move(name), std::move(definition)});
  };
  const std::string numeric =
      with_argument(kIsInteger, "x") + " OR " + with_argument(kIsFractional, "x");

  // Dates and times. Everything is UTC; DateTime is TIMESTAMP_S, Date is DATE.
  add("clickhouse_timestamp",
      "(x) AS CASE WHEN " + numeric +
          " THEN epoch_ms(CAST(TRY_CAST(x AS DOUBLE) * 1000 AS BIGINT)) ELSE CAST(x AS "
          "TIMESTAMP) END");
  add("toDateTime", "(x) AS CAST(date_trunc('second', clickhouse_timestamp(x)) AS TIMESTAMP_S)");
  // A number below 65536 is a day number, above it Unix seconds, as ClickHouse since 19.x.
  add("toDate",
      "(x) AS CASE WHEN " + numeric +
          " THEN CASE WHEN TRY_CAST(x AS DOUBLE) < 65536 THEN DATE '1970-01-01' + "
          "CAST(TRY_CAST(x AS DOUBLE) AS INTEGER) ELSE CAST(clickhouse_timestamp(x) AS DATE) END "
          "ELSE CAST(x AS DATE) END");
  add("clickhouse_now", "() AS toDateTime(now())");
  add("yesterday", "() AS today() - 1");
  add("clickhouse_timezone", "() AS 'Etc/UTC'");
  for (const auto& [name, unit] :
       std::array<std::pair<std::string_view, std::string_view>, 4>{{{"toStartOfSecond", "second"},
                                                                     {"toStartOfMinute", "minute"},
                                                                     {"toStartOfHour", "hour"},
                                                                     {"toStartOfDay", "day"}}}) {
    add(std::string(name), "(t) AS CAST(date_trunc('" + std::string(unit) +
                               "', clickhouse_timestamp(t)) AS TIMESTAMP_S)");
  }
  for (const auto& [name, minutes] :
       std::array<std::pair<std::string_view, int>, 4>{{{"toStartOfFiveMinute", 5},
                                                        {"toStartOfFiveMinutes", 5},
                                                        {"toStartOfTenMinutes", 10},
                                                        {"toStartOfFifteenMinutes", 15}}}) {
    add(std::string(name), "(t) AS CAST(time_bucket(INTERVAL " + std::to_string(minutes) +
                               " MINUTE, clickhouse_timestamp(t)) AS TIMESTAMP_S)");
  }
  add("toStartOfInterval",
      "(t, i) AS CAST(time_bucket(i, clickhouse_timestamp(t)) AS TIMESTAMP_S)");
  for (const auto& [name, unit] : std::array<std::pair<std::string_view, std::string_view>, 4>{
           {{"toMonday", "week"},
            {"toStartOfMonth", "month"},
            {"toStartOfQuarter", "quarter"},
            {"toStartOfYear", "year"}}}) {
    add(std::string(name), "(t) AS CAST(date_trunc('" + std::string(unit) +
                               "', CAST(clickhouse_timestamp(t) AS DATE)) AS DATE)");
  }
  // Mode 0 (the default): weeks start on Sunday; odd modes: on Monday.
  add("toStartOfWeek",
      "(t, mode := 0) AS CAST(clickhouse_timestamp(t) AS DATE) - CAST((dayofweek("
      "clickhouse_timestamp(t)) + 7 - mode % 2) % 7 AS INTEGER)");
  for (const auto& [name, body] : std::array<std::pair<std::string_view, std::string_view>, 13>{{
           {"toYear", "CAST(year(clickhouse_timestamp(t)) AS USMALLINT)"},
           {"toQuarter", "CAST(quarter(clickhouse_timestamp(t)) AS UTINYINT)"},
           {"toMonth", "CAST(month(clickhouse_timestamp(t)) AS UTINYINT)"},
           {"toDayOfMonth", "CAST(day(clickhouse_timestamp(t)) AS UTINYINT)"},
           {"toDayOfYear", "CAST(dayofyear(clickhouse_timestamp(t)) AS USMALLINT)"},
           {"toDayOfWeek", "CAST(isodow(clickhouse_timestamp(t)) AS UTINYINT)"},
           {"toHour", "CAST(hour(clickhouse_timestamp(t)) AS UTINYINT)"},
           {"toMinute", "CAST(minute(clickhouse_timestamp(t)) AS UTINYINT)"},
           {"toSecond", "CAST(second(clickhouse_timestamp(t)) AS UTINYINT)"},
           {"toYYYYMM",
            "CAST(year(clickhouse_timestamp(t)) * 100 + month(clickhouse_timestamp(t)) AS "
            "UINTEGER)"},
           {"toYYYYMMDD",
            "CAST(year(clickhouse_timestamp(t)) * 10000 + month(clickhouse_timestamp(t)) * 100 + "
            "day(clickhouse_timestamp(t)) AS UINTEGER)"},
           {"toUnixTimestamp", "CAST(floor(epoch(clickhouse_timestamp(t))) AS UINTEGER)"},
           {"toTime", "CAST(clickhouse_timestamp(t) AS TIME)"},
       }}) {
    add(std::string(name), "(t) AS " + std::string(body));
  }
  add("formatDateTime", "(t, f) AS strftime(clickhouse_timestamp(t), f)");
  for (const auto& [unit, to_interval] :
       std::array<std::pair<std::string_view, std::string_view>, 8>{{{"Second", "to_seconds"},
                                                                     {"Minute", "to_minutes"},
                                                                     {"Hour", "to_hours"},
                                                                     {"Day", "to_days"},
                                                                     {"Week", "to_weeks"},
                                                                     {"Month", "to_months"},
                                                                     {"Quarter", "to_quarters"},
                                                                     {"Year", "to_years"}}}) {
    const std::string u(unit);
    const std::string interval = std::string(to_interval) + "(CAST(n AS BIGINT))";
    add("toInterval" + u, "(n) AS " + interval);
    // Always DateTime: DuckDB's DATE + INTERVAL is a TIMESTAMP, and a macro cannot give Date back.
    add("add" + u + "s", "(t, n) AS toDateTime(clickhouse_timestamp(t) + " + interval + ")");
    add("subtract" + u + "s", "(t, n) AS toDateTime(clickhouse_timestamp(t) - " + interval + ")");
  }

  // Aggregates. ClickHouse's uniq is exact below 65536 values, which count(DISTINCT) always is.
  add("sumIf", "(x, c) AS coalesce(sum(x) FILTER (WHERE c), 0)");
  add("avgIf", "(x, c) AS avg(x) FILTER (WHERE c)");
  add("minIf", "(x, c) AS min(x) FILTER (WHERE c)");
  add("maxIf", "(x, c) AS max(x) FILTER (WHERE c)");
  add("anyIf", "(x, c) AS any_value(x) FILTER (WHERE c)");
  add("uniqIf", "(x, c) AS count(DISTINCT x) FILTER (WHERE c)");
  for (std::string_view name : {"uniq", "uniqExact", "uniqCombined", "uniqHLL12"}) {
    add(std::string(name),
        "(a) AS count(DISTINCT a), (a, b) AS count(DISTINCT (a, b)), (a, b, c) AS count(DISTINCT "
        "(a, b, c))");
  }
  add("anyLast", "(x) AS last(x)");
  add("anyHeavy", "(x) AS mode(x)");
  add("groupArray", "(x) AS coalesce(list(x) FILTER (WHERE x IS NOT NULL), [])");
  add("groupUniqArray", "(x) AS coalesce(list(DISTINCT x) FILTER (WHERE x IS NOT NULL), [])");
  add("stddevPop", "(x) AS stddev_pop(x)");
  add("stddevSamp", "(x) AS stddev_samp(x)");
  add("varPop", "(x) AS var_pop(x)");
  add("varSamp", "(x) AS var_samp(x)");
  add("covarPop", "(x, y) AS covar_pop(x, y)");
  add("covarSamp", "(x, y) AS covar_samp(x, y)");

  // Conversions.
  for (const auto& [name, type] :
       std::array<std::pair<std::string_view, std::string_view>, 8>{{{"toUInt8", "UTINYINT"},
                                                                     {"toUInt16", "USMALLINT"},
                                                                     {"toUInt32", "UINTEGER"},
                                                                     {"toUInt64", "UBIGINT"},
                                                                     {"toInt8", "TINYINT"},
                                                                     {"toInt16", "SMALLINT"},
                                                                     {"toInt32", "INTEGER"},
                                                                     {"toInt64", "BIGINT"}}}) {
    add(std::string(name), "(x) AS " + integer_conversion(type));
  }
  add("toFloat32", "(x) AS CAST(x AS FLOAT)");
  add("toFloat64", "(x) AS CAST(x AS DOUBLE)");
  add("toString", "(x) AS CAST(x AS VARCHAR)");
  add("ifNull", "(x, alt) AS coalesce(x, alt)");
  add("clickhouse_is_null", "(x) AS x IS NULL");
  add("isNotNull", "(x) AS x IS NOT NULL");
  add("assumeNotNull", "(x) AS x");
  add("toNullable", "(x) AS x");

  // Arithmetic: ClickHouse's intDiv truncates toward zero.
  add("intDiv", "(a, b) AS CAST(trunc(a / b) AS BIGINT)");
  add("intDivOrZero", "(a, b) AS CASE WHEN b = 0 THEN 0 ELSE CAST(trunc(a / b) AS BIGINT) END");
  add("modulo", "(a, b) AS a % b");
  add("plus", "(a, b) AS a + b");
  add("minus", "(a, b) AS a - b");
  add("clickhouse_divide", "(a, b) AS a / b");
  add("negate", "(a) AS -a");
  add("equals", "(a, b) AS a = b");
  add("notEquals", "(a, b) AS a <> b");
  add("less", "(a, b) AS a < b");
  add("greater", "(a, b) AS a > b");
  add("lessOrEquals", "(a, b) AS a <= b");
  add("greaterOrEquals", "(a, b) AS a >= b");
  add("rand", "() AS CAST(floor(random() * 4294967296) AS UINTEGER)");
  add("generateUUIDv4", "() AS uuid()");

  // Human-readable numbers, as ClickHouse prints them: two decimals and a unit.
  add("clickhouse_readable_unit",
      "(x, base, top) AS CASE WHEN abs(x) < base THEN 0 ELSE CAST(least(floor(log(abs(x)) / "
      "log(base)), top) AS INTEGER) END");
  add("clickhouse_format_readable_size",
      "(x) AS printf('%.2f %s', x / pow(1024, clickhouse_readable_unit(x, 1024, 6)), ['B', "
      "'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'][clickhouse_readable_unit(x, 1024, 6) + 1])");
  add("formatReadableQuantity",
      "(x) AS printf('%.2f', x / pow(1000, clickhouse_readable_unit(x, 1000, 5))) || ['', ' "
      "thousand', ' million', ' billion', ' trillion', ' quadrillion']["
      "clickhouse_readable_unit(x, 1000, 5) + 1]");

  // Strings and arrays.
  add("empty", "(x) AS length(x) = 0");
  add("notEmpty", "(x) AS length(x) > 0");
  add("lengthUTF8", "(x) AS length(x)");
  add("lowerUTF8", "(x) AS lower(x)");
  add("upperUTF8", "(x) AS upper(x)");
  add("trimLeft", "(x) AS ltrim(x)");
  add("trimRight", "(x) AS rtrim(x)");
  add("trimBoth", "(x) AS trim(x)");
  add("startsWith", "(s, prefix) AS starts_with(s, prefix)");
  add("endsWith", "(s, suffix) AS ends_with(s, suffix)");
  add("replaceAll", "(s, from_, to_) AS replace(s, from_, to_)");
  add("replaceOne",
      "(s, from_, to_) AS CASE WHEN strpos(s, from_) = 0 OR from_ = '' THEN s ELSE substr(s, 1, "
      "strpos(s, from_) - 1) || to_ || substr(s, strpos(s, from_) + length(from_)) END");
  add("replaceRegexpAll", "(s, re, to_) AS regexp_replace(s, re, to_, 'g')");
  add("replaceRegexpOne", "(s, re, to_) AS regexp_replace(s, re, to_)");
  add("match", "(s, re) AS regexp_matches(s, re)");
  add("splitByChar", "(sep, s) AS string_split(s, sep)");
  add("splitByString", "(sep, s) AS string_split(s, sep)");
  add("has", "(a, x) AS list_contains(a, x)");
  add("indexOf", "(a, x) AS coalesce(list_position(a, x), 0)");
  add("arrayElement", "(a, i) AS list_extract(a, i)");
  add("arrayJoin", "(a) AS unnest(a)");
  add("arrayStringConcat", "(a) AS array_to_string(a, '')");
  add("arraySum", "(a) AS list_sum(a)");
  add("arraySort", "(a) AS list_sort(a)");
  add("arrayReverse", "(a) AS list_reverse(a)");
  add("arrayDistinct", "(a) AS list_distinct(a)");
  add("arrayConcat", "(a, b) AS list_concat(a, b)");
  add("currentDatabase",
      "() AS CASE current_schema() WHEN 'main' THEN 'default' WHEN 'clickhouse_system' THEN "
      "'system' ELSE current_schema() END");
  add("numbers",
      "(n) AS TABLE SELECT CAST(range AS UBIGINT) AS number FROM range(CAST(n AS BIGINT))");
  return all;
}

}  // namespace

std::string_view renamed_function(std::string_view clickhouse_name) {
  for (const auto& [from, to] : kRenames) {
    if (equals_ignore_case(from, clickhouse_name)) return to;
  }
  return {};
}

std::vector<std::string> macro_names() {
  std::vector<std::string> names;
  for (const Macro& macro : macros()) names.push_back(macro.name);
  return names;
}

}  // namespace shoplake::sql::clickhouse

namespace shoplake::sql {

std::vector<std::string> clickhouse_function_macros() {
  std::vector<std::string> statements;
  for (const clickhouse::Macro& macro : clickhouse::macros()) {
    statements.push_back("CREATE OR REPLACE MACRO " + macro.name + macro.definition);
  }
  return statements;
}

}  // namespace shoplake::sql

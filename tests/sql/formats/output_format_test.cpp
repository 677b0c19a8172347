// Every format against clickhouse-server 18.16 itself: the server holds a table with the values
// below, and each format's output for a hand-built ResultChunk of the same values must equal the
// server's answer to SELECT ... FORMAT <name> byte for byte, except JSON's "statistics" numbers.
//
// Differences kept on purpose (not in the tables compared here):
// - 18.16 prints Date day 0 and DateTime second 0 as 0000-00-00 (00:00:00), its "zero date"; in
//   shoplake's results 1970-01-01 is a real date, so it is printed as such, as newer ClickHouse
//   does (ZeroDateIsARealDate below).
// - JSON's "rows_before_limit_at_least" is never written: 18.16 writes it only for a query with
//   LIMIT, and a format does not know about the query's LIMIT.
// - A chunk with no rows draws no Pretty table: ClickHouse never passes an empty block on.
// - Pretty's cell widths follow 18.16 for ASCII, Latin, CJK, tabs, control characters, common
//   combining marks and emoji; unassigned code points count one column where 18.16 counts none.
// - Vertical pads names to the same number of code points; 18.16 pads (and so may cut) names by
//   bytes, which garbles non-ASCII names.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "shoplake/sql/clickhouse_peer.hpp"
#include "shoplake/sql/output_format.hpp"

namespace shoplake::sql {
namespace {

constexpr const char* table_columns =
    "s String, i8 Int8, i16 Int16, i32 Int32, i64 Int64, u8 UInt8, u16 UInt16, u32 UInt32, "
    "u64 UInt64, f32 Float32, f64 Float64, d Decimal(18, 2), dt Date, dtm DateTime, "
    "as Array(String), au Array(UInt64), ns Nullable(String), ni Nullable(Int64)";

// Split in two so that a second table, filled by two INSERTs, is read as two blocks.
constexpr const char* first_rows = R"(
('plain', -128, -32768, -2147483648, -9223372036854775808, 0, 0, 0, 0, 0.1, 0.1, -12.34,
 '2038-01-19', '2038-01-19 03:14:08', [], [], NULL, NULL),
('tab\there\nnew "dq" \'sq\' back\\slash', 127, 32767, 2147483647, 9223372036854775807, 255,
 65535, 4294967295, 18446744073709551615, 3.4028235e38, 1e300, 99999999999999.99, '2105-12-31',
 '2105-12-31 23:59:59', ['a', 'b\tc', 'q\'x"y', ''], [1, 18446744073709551615], 'x\\y',
 -9223372036854775808),
('ünïcødé 日本 😀', -1, -1, -1, -1, 1, 1, 1, 1, -0., -0., 0, '2024-02-29', '2024-02-29 12:34:56',
 ['ü'], [0], '', 0),
('', 0, 0, 0, 0, 0, 0, 0, 0, inf, -inf, 1.5, '2000-01-01', '2000-01-01 00:00:00', [], [42],
 'tab\tnl\n', 42))";
constexpr const char* last_rows = R"(
('nan', 1, 2, 3, 4, 5, 6, 7, 8, nan, nan, -0.01, '1999-12-31', '1999-12-31 23:59:59', ['x,y'],
 [], NULL, NULL),
('small', 0, 0, 0, 0, 0, 0, 0, 0, 1e-7, 123456789.125, 0.5, '1970-01-02', '1970-01-01 00:00:01',
 [], [], 'end', 1))";

constexpr std::size_t row_count = 6;

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::int64_t seconds(std::int64_t y, unsigned m, unsigned d, int hh, int mm, int ss) {
  return days_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60 + ss;
}

ColumnType type(Storage storage, std::string name) {
  ColumnType t;
  t.storage = storage;
  t.clickhouse_name = std::move(name);
  return t;
}

ColumnType array_of(ColumnType element) {
  ColumnType t = type(Storage::array, "Array(" + element.clickhouse_name + ")");
  t.element = std::make_shared<const ColumnType>(std::move(element));
  return t;
}

template <typename T>
ColumnData array_data(const std::vector<std::vector<T>>& rows) {
  ColumnData data;
  data.element = std::make_unique<ColumnData>();
  data.offsets.push_back(0);
  for (const auto& row : rows) {
    for (const T& value : row) {
      if constexpr (std::is_same_v<T, std::string>) {
        data.element->str.push_back(value);
      } else {
        data.element->u64.push_back(value);
      }
    }
    data.offsets.push_back(static_cast<std::uint32_t>(data.offsets.back() + row.size()));
  }
  return data;
}

std::vector<ColumnInfo> table_info() {
  return {
      {"s", type(Storage::string, "String")},
      {"i8", type(Storage::int64, "Int8")},
      {"i16", type(Storage::int64, "Int16")},
      {"i32", type(Storage::int64, "Int32")},
      {"i64", type(Storage::int64, "Int64")},
      {"u8", type(Storage::uint64, "UInt8")},
      {"u16", type(Storage::uint64, "UInt16")},
      {"u32", type(Storage::uint64, "UInt32")},
      {"u64", type(Storage::uint64, "UInt64")},
      {"f32", type(Storage::float32, "Float32")},
      {"f64", type(Storage::float64, "Float64")},
      {"d",
       [] {
         ColumnType t = type(Storage::decimal, "Decimal(18, 2)");
         t.scale = 2;
         return t;
       }()},
      {"dt", type(Storage::date, "Date")},
      {"dtm", type(Storage::datetime, "DateTime")},
      {"as", array_of(type(Storage::string, "String"))},
      {"au", array_of(type(Storage::uint64, "UInt64"))},
      {"ns", type(Storage::string, "Nullable(String)")},
      {"ni", type(Storage::int64, "Nullable(Int64)")},
  };
}

ResultChunk table_rows() {
  constexpr auto i64_min = std::numeric_limits<std::int64_t>::min();
  constexpr auto i64_max = std::numeric_limits<std::int64_t>::max();
  constexpr auto u64_max = std::numeric_limits<std::uint64_t>::max();
  constexpr double inf = std::numeric_limits<double>::infinity();
  const double nan = std::nan("");
  ResultChunk chunk;
  chunk.rows = row_count;
  const auto i64 = [](std::vector<std::int64_t> values) {
    ColumnData data;
    data.i64 = std::move(values);
    return data;
  };
  const auto u64 = [](std::vector<std::uint64_t> values) {
    ColumnData data;
    data.u64 = std::move(values);
    return data;
  };
  const auto f64 = [](std::vector<double> values) {
    ColumnData data;
    data.f64 = std::move(values);
    return data;
  };
  const auto str = [](std::vector<std::string> values) {
    ColumnData data;
    data.str = std::move(values);
    return data;
  };
  chunk.columns.push_back(str(
      {"plain", "tab\there\nnew \"dq\" 'sq' back\\slash", "ünïcødé 日本 😀", "", "nan", "small"}));
  chunk.columns.push_back(i64({-128, 127, -1, 0, 1, 0}));
  chunk.columns.push_back(i64({-32768, 32767, -1, 0, 2, 0}));
  chunk.columns.push_back(i64({-2147483648LL, 2147483647, -1, 0, 3, 0}));
  chunk.columns.push_back(i64({i64_min, i64_max, -1, 0, 4, 0}));
  chunk.columns.push_back(u64({0, 255, 1, 0, 5, 0}));
  chunk.columns.push_back(u64({0, 65535, 1, 0, 6, 0}));
  chunk.columns.push_back(u64({0, 4294967295ULL, 1, 0, 7, 0}));
  chunk.columns.push_back(u64({0, u64_max, 1, 0, 8, 0}));
  chunk.columns.push_back(
      f64({0.1f, 3.4028235e38f, -0.0f, static_cast<float>(inf), static_cast<float>(nan), 1e-7f}));
  chunk.columns.push_back(f64({0.1, 1e300, -0.0, -inf, nan, 123456789.125}));
  chunk.columns.push_back(str({"-12.34", "99999999999999.99", "0.00", "1.50", "-0.01", "0.50"}));
  chunk.columns.push_back(i64({days_from_civil(2038, 1, 19), days_from_civil(2105, 12, 31),
                               days_from_civil(2024, 2, 29), days_from_civil(2000, 1, 1),
                               days_from_civil(1999, 12, 31), days_from_civil(1970, 1, 2)}));
  chunk.columns.push_back(i64({seconds(2038, 1, 19, 3, 14, 8), seconds(2105, 12, 31, 23, 59, 59),
                               seconds(2024, 2, 29, 12, 34, 56), seconds(2000, 1, 1, 0, 0, 0),
                               seconds(1999, 12, 31, 23, 59, 59), seconds(1970, 1, 1, 0, 0, 1)}));
  chunk.columns.push_back(
      array_data<std::string>({{}, {"a", "b\tc", "q'x\"y", ""}, {"ü"}, {}, {"x,y"}, {}}));
  chunk.columns.push_back(array_data<std::uint64_t>({{}, {1, u64_max}, {0}, {42}, {}, {}}));
  ColumnData ns = str({"", "x\\y", "", "tab\tnl\n", "", "end"});
  ns.null = {1, 0, 0, 0, 1, 0};
  chunk.columns.push_back(std::move(ns));
  ColumnData ni = i64({0, i64_min, 0, 42, 0, 1});
  ni.null = {1, 0, 0, 0, 1, 0};
  chunk.columns.push_back(std::move(ni));
  return chunk;
}

// Rows [from, to) of one column, array elements rebased.
ColumnData slice(const ColumnData& data, std::size_t from, std::size_t to) {
  ColumnData part;
  const auto cut = [&](const auto& values, auto& into) {
    if (!values.empty()) into.assign(values.begin() + from, values.begin() + to);
  };
  cut(data.null, part.null);
  cut(data.i64, part.i64);
  cut(data.u64, part.u64);
  cut(data.f64, part.f64);
  cut(data.str, part.str);
  if (data.element) {
    const std::uint32_t first = data.offsets[from];
    for (std::size_t r = from; r <= to; ++r) part.offsets.push_back(data.offsets[r] - first);
    part.element = std::make_unique<ColumnData>(slice(*data.element, first, data.offsets[to]));
  }
  return part;
}

ResultChunk slice(const ResultChunk& chunk, std::size_t from, std::size_t to) {
  ResultChunk part;
  part.rows = to - from;
  for (const ColumnData& column : chunk.columns) part.columns.push_back(slice(column, from, to));
  return part;
}

// ResultChunk moves but does not copy, so no initializer lists.
template <typename... Chunks>
std::vector<ResultChunk> chunk_list(Chunks&&... chunks) {
  std::vector<ResultChunk> list;
  (list.push_back(std::forward<Chunks>(chunks)), ...);
  return list;
}

std::string render(std::string_view format_name, const std::vector<ColumnInfo>& columns,
                   const std::vector<ResultChunk>& chunks) {
  const auto format = make_output_format(format_name);
  EXPECT_NE(format, nullptr) << format_name;
  if (!format) return {};
  std::string out;
  format->begin(columns, out);
  for (const ResultChunk& chunk : chunks) format->write(chunk, out);
  format->finish(QueryStatistics{0.000172658, 6, 782}, out);
  return out;
}

// The statistics numbers differ by nature, so both sides have them masked before comparing.
std::string without_statistics(const std::string& text) {
  static const std::regex number(R"(("elapsed"|"rows_read"|"bytes_read"): [0-9.e-]+)");
  return std::regex_replace(text, number, "$1: N");
}

const char* const all_formats[] = {
    "TabSeparated",
    "TSV",
    "TabSeparatedWithNames",
    "TSVWithNames",
    "TabSeparatedWithNamesAndTypes",
    "TSVWithNamesAndTypes",
    "CSV",
    "CSVWithNames",
    "JSON",
    "JSONCompact",
    "JSONEachRow",
    "Pretty",
    "PrettyCompact",
    "Vertical",
    "Null",
};

class AgainstClickHouse : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string binary = find_clickhouse_server();
    if (binary.empty()) return;
    const auto directory = std::filesystem::temp_directory_path() /
                           ("shoplake-sql-formats-" + std::to_string(::getpid()));
    peer_ = new ClickHousePeer(binary, directory);
    if (!peer_->wait_ready()) {
      delete peer_;
      peer_ = nullptr;
      FAIL() << "clickhouse-server did not start; see " << directory / "server.log";
    }
    for (const char* table : {"one_block", "two_blocks"}) {
      ASSERT_EQ(
          run(std::string("CREATE TABLE ") + table + " (" + table_columns + ") ENGINE = Memory"),
          "");
    }
    ASSERT_EQ(run(std::string("INSERT INTO one_block VALUES ") + first_rows + "," + last_rows), "");
    ASSERT_EQ(run(std::string("INSERT INTO two_blocks VALUES ") + first_rows), "");
    ASSERT_EQ(run(std::string("INSERT INTO two_blocks VALUES ") + last_rows), "");
  }

  static void TearDownTestSuite() {
    if (!peer_) return;
    const auto directory = peer_->directory();
    delete peer_;
    peer_ = nullptr;
    std::filesystem::remove_all(directory);
  }

  void SetUp() override {
    if (find_clickhouse_server().empty()) GTEST_SKIP() << "no clickhouse-server installed";
    ASSERT_NE(peer_, nullptr);
  }

  static std::string run(const std::string& sql, const std::string& settings = "") {
    const auto answer = peer_->query(sql, "/?max_threads=1" + settings);
    EXPECT_EQ(answer.status, 200) << sql << "\n" << answer.body;
    return answer.body;
  }

  static ClickHousePeer* peer_;
};

ClickHousePeer* AgainstClickHouse::peer_ = nullptr;

TEST_F(AgainstClickHouse, EveryTypeInOneChunk) {
  const std::vector<ResultChunk> chunks = chunk_list(table_rows());
  for (const char* format : all_formats) {
    EXPECT_EQ(without_statistics(render(format, table_info(), chunks)),
              without_statistics(run(std::string("SELECT * FROM one_block FORMAT ") + format)))
        << format;
  }
}

TEST_F(AgainstClickHouse, TwoChunksAsTwoBlocks) {
  const ResultChunk rows = table_rows();
  const std::vector<ResultChunk> chunks = chunk_list(slice(rows, 0, 4), slice(rows, 4, row_count));
  for (const char* format : all_formats) {
    EXPECT_EQ(without_statistics(render(format, table_info(), chunks)),
              without_statistics(run(std::string("SELECT * FROM two_blocks FORMAT ") + format)))
        << format;
  }
}

TEST_F(AgainstClickHouse, EmptyResult) {
  for (const char* format : all_formats) {
    EXPECT_EQ(
        without_statistics(render(format, table_info(), {})),
        without_statistics(run(std::string("SELECT * FROM one_block WHERE 0 FORMAT ") + format)))
        << format;
  }
}

TEST_F(AgainstClickHouse, RowLimitOfPrettyAndVertical) {
  const std::vector<ColumnInfo> columns{{"number", type(Storage::uint64, "UInt64")}};
  for (const std::uint64_t total : {10000u, 10001u}) {
    std::vector<ResultChunk> chunks;
    for (std::uint64_t from = 0; from < total; from += 3000) {
      ResultChunk& chunk = chunks.emplace_back();
      chunk.rows = std::min<std::uint64_t>(3000, total - from);
      ColumnData& data = chunk.columns.emplace_back();
      for (std::uint64_t n = from; n < from + chunk.rows; ++n) data.u64.push_back(n);
    }
    for (const char* format : {"Pretty", "PrettyCompact", "Vertical"}) {
      EXPECT_EQ(render(format, columns, chunks),
                run("SELECT number FROM system.numbers LIMIT " + std::to_string(total) +
                        " FORMAT " + format,
                    "&max_block_size=3000"))
          << format << " " << total;
    }
  }
}

// Control bytes, invalid UTF-8 and arrays of nullable, float, date, nested and decimal elements.
TEST_F(AgainstClickHouse, OddStringsAndArrays) {
  static constexpr char odd_bytes[] =
      "a/b\0\x01\x07\x08\x0b\x0c\r\x1f\x7f\xe2\x80\xa8 \xff\xfe z\\";
  const std::string odd(odd_bytes, sizeof odd_bytes - 1);
  ColumnType nullable_string = type(Storage::string, "Nullable(String)");
  ColumnType decimal = type(Storage::decimal, "Decimal(18, 3)");
  decimal.scale = 3;
  const std::vector<ColumnInfo> columns{
      {"s", type(Storage::string, "String")},
      {"an", array_of(nullable_string)},
      {"af", array_of(type(Storage::float64, "Float64"))},
      {"ad", array_of(type(Storage::date, "Date"))},
      {"adt", array_of(type(Storage::datetime, "DateTime"))},
      {"aa", array_of(array_of(type(Storage::uint64, "UInt8")))},
      {"dec", array_of(decimal)},
      {"ai", array_of(type(Storage::int64, "Int16"))},
  };
  const auto array_column = [](std::vector<std::uint32_t> offsets) {
    ColumnData data;
    data.offsets = std::move(offsets);
    data.element = std::make_unique<ColumnData>();
    return data;
  };
  ResultChunk chunk;
  chunk.rows = 1;
  chunk.columns.emplace_back().str = {odd};
  ColumnData an = array_column({0, 2});
  an.element->str = {"", "x"};
  an.element->null = {1, 0};
  chunk.columns.push_back(std::move(an));
  ColumnData af = array_column({0, 5});
  af.element->f64 = {1.5, -0.0, 0.1, std::numeric_limits<double>::infinity(), std::nan("")};
  chunk.columns.push_back(std::move(af));
  ColumnData ad = array_column({0, 1});
  ad.element->i64 = {days_from_civil(2020, 1, 1)};
  chunk.columns.push_back(std::move(ad));
  ColumnData adt = array_column({0, 1});
  adt.element->i64 = {seconds(2020, 1, 1, 1, 2, 3)};
  chunk.columns.push_back(std::move(adt));
  ColumnData aa = array_column({0, 2});
  aa.element->offsets = {0, 2, 3};
  aa.element->element = std::make_unique<ColumnData>();
  aa.element->element->u64 = {1, 2, 3};
  chunk.columns.push_back(std::move(aa));
  ColumnData dec = array_column({0, 1});
  dec.element->str = {"-1.500"};
  chunk.columns.push_back(std::move(dec));
  ColumnData ai = array_column({0, 2});
  ai.element->i64 = {-1, 2};
  chunk.columns.push_back(std::move(ai));
  const std::vector<ResultChunk> chunks = chunk_list(std::move(chunk));

  const std::string query =
      "SELECT 'a/b\\x00\\x01\\x07\\x08\\x0b\\x0c\\r\\x1f\\x7f\\xe2\\x80\\xa8 \\xff\\xfe z\\\\' AS "
      "s, "
      "[NULL, 'x'] AS an, [1.5, -0., 0.1, inf, nan] AS af, [toDate('2020-01-01')] AS ad, "
      "[toDateTime('2020-01-01 01:02:03')] AS adt, [[1, 2], [3]] AS aa, "
      "[toDecimal64(-1.5, 3)] AS dec, [-1, 2] AS ai FORMAT ";
  for (const char* format : all_formats) {
    EXPECT_EQ(without_statistics(render(format, columns, chunks)),
              without_statistics(run(query + format)))
        << format;
  }
}

TEST(OutputFormat, ContentTypesAsClickHouseSendsThem) {
  EXPECT_EQ(make_output_format("TSV")->content_type(), "text/tab-separated-values; charset=UTF-8");
  EXPECT_EQ(make_output_format("CSV")->content_type(), "text/csv; charset=UTF-8; header=absent");
  EXPECT_EQ(make_output_format("CSVWithNames")->content_type(),
            "text/csv; charset=UTF-8; header=present");
  EXPECT_EQ(make_output_format("JSONCompact")->content_type(), "application/json; charset=UTF-8");
  EXPECT_EQ(make_output_format("JSONEachRow")->content_type(), "text/plain; charset=UTF-8");
  EXPECT_EQ(make_output_format("Pretty")->content_type(), "text/plain; charset=UTF-8");
}

TEST(OutputFormat, NamesAreCaseSensitive) {
  EXPECT_EQ(make_output_format("tsv"), nullptr);
  EXPECT_EQ(make_output_format("Json"), nullptr);
  EXPECT_EQ(make_output_format("Parquet"), nullptr);
}

TEST(OutputFormat, ZeroDateIsARealDate) {
  ResultChunk chunk;
  chunk.rows = 1;
  chunk.columns.emplace_back().i64 = {0};
  chunk.columns.emplace_back().i64 = {0};
  EXPECT_EQ(render("TSV",
                   {{"d", type(Storage::date, "Date")}, {"t", type(Storage::datetime, "DateTime")}},
                   chunk_list(std::move(chunk))),
            "1970-01-01\t1970-01-01 00:00:00\n");
}

TEST(OutputFormat, DateTime64AndNestedArrays) {
  ColumnType inner = array_of(type(Storage::int64, "Int64"));
  ColumnType nested = array_of(inner);
  ColumnType time = type(Storage::datetime64, "DateTime64(3)");
  time.scale = 3;
  ResultChunk chunk;
  chunk.rows = 1;
  chunk.columns.emplace_back().i64 = {1709210096789};
  ColumnData& outer = chunk.columns.emplace_back();
  outer.offsets = {0, 2};
  outer.element = std::make_unique<ColumnData>();
  outer.element->offsets = {0, 2, 3};
  outer.element->element = std::make_unique<ColumnData>();
  outer.element->element->i64 = {1, -2, 3};
  const std::vector<ColumnInfo> columns{{"t", time}, {"a", nested}};
  const std::vector<ResultChunk> chunks = chunk_list(std::move(chunk));
  EXPECT_EQ(render("TSV", columns, chunks), "2024-02-29 12:34:56.789\t[[1,-2],[3]]\n");
  EXPECT_EQ(render("JSONEachRow", columns, chunks),
            "{\"t\":\"2024-02-29 12:34:56.789\",\"a\":[[\"1\",\"-2\"],[\"3\"]]}\n");
}

}  // namespace
}  // namespace shoplake::sql

#include "table_export.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <string_view>
#include <variant>

#include "shoplake/sql/output_format.hpp"

namespace shoplake::sql::exporter {
namespace {

// An INSERT's body stays under this many bytes (besides the row that crosses it), so one request
// never needs more memory or time than a few MiB, however wide the rows.
constexpr std::size_t kBatchBytes = 8 << 20;

std::string quote_duckdb_identifier(const std::string& name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + '"';
}

struct SourceRows {
  std::vector<ColumnInfo> columns;
  std::vector<ResultChunk> chunks;
};

// The whole table, read before anything is sent: the result stream holds one of the engine's
// pooled connections, which users' queries need more than a network round trip does. Serving
// tables are aggregates (minutes of a window, days × categories), small enough to hold.
core::Result<SourceRows> read_table(Engine& engine, const TableTarget& target) {
  QueryRequest request;
  request.sql = fmt::format("SELECT * FROM {}.{}", quote_duckdb_identifier(target.database),
                            quote_duckdb_identifier(target.table));
  auto started = engine.query(request);
  if (auto* error = std::get_if<QueryError>(&started)) {
    return core::Error{fmt::format("cannot read it from shoplake: {}", error->message)};
  }
  auto& stream = *std::get<std::unique_ptr<ResultStream>>(started);
  SourceRows rows{stream.columns(), {}};
  while (true) {
    ResultChunk chunk;
    auto more = stream.next(chunk);
    if (auto* error = std::get_if<QueryError>(&more)) {
      return core::Error{fmt::format("cannot read it from shoplake: {}", error->message)};
    }
    if (!std::get<bool>(more)) break;
    rows.chunks.push_back(std::move(chunk));
  }
  return rows;
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

std::string one_line(std::string list) {
  std::replace(list.begin(), list.end(), '\t', ' ');
  std::string out;
  for (char c : trimmed(std::move(list))) out += c == '\n' ? std::string(", ") : std::string(1, c);
  return out;
}

// Makes sure ClickHouse has the table with the mirror's columns. Checked every pass (one cheap
// EXISTS), because someone may drop the table there; whenever it is (re)created or its columns
// change, everything is sent again.
core::Status ensure_table(ClickHouseHttp& http, const MirrorTable& mirror, TableState& state) {
  const std::string columns = mirror.column_list();
  auto exists = http.execute("EXISTS TABLE " + mirror.qualified_name());
  if (!exists) return core::Error{exists.error()};
  if (state.ready && state.columns == columns && trimmed(exists.value()) == "1") {
    return core::ok_status();
  }
  state.ready = false;
  state.sent.clear();
  for (const std::string& statement :
       {"CREATE DATABASE IF NOT EXISTS " + quote_clickhouse_identifier(mirror.database),
        mirror.create_sql()}) {
    if (auto done = http.execute(statement); !done) return core::Error{done.error()};
  }
  auto actual = http.execute(
      fmt::format("SELECT name, type FROM system.columns WHERE database = {} AND table = {} FORMAT "
                  "TabSeparated",
                  quote_clickhouse_string(mirror.database), quote_clickhouse_string(mirror.table)));
  if (!actual) return core::Error{actual.error()};
  // CREATE … IF NOT EXISTS keeps a table of an older schema; inserting into it would fail row by
  // row or, worse, fill the wrong columns. Say so instead; the user decides what to do with it.
  if (actual.value() != columns) {
    return core::Error{fmt::format(
        "ClickHouse at {} already has {}.{} with other columns ({}) than shoplake now sends "
        "({}); drop or rename it there (DROP TABLE {}) and the next pass recreates it",
        http.url(), mirror.database, mirror.table, one_line(actual.value()), one_line(columns),
        mirror.qualified_name())};
  }
  state.columns = columns;
  state.ready = true;
  return core::ok_status();
}

// A row to send: its entry, its new hash, where its text starts.
struct Change {
  SentRows::Entry* entry;
  std::uint64_t hash;
  std::size_t text_start;
};

}  // namespace

std::uint64_t VersionClock::next() {
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  last_ = std::max(last_ + 1, static_cast<std::uint64_t>(now));
  return last_;
}

TableExport export_table(Engine& engine, ClickHouseHttp& http, const ServerFeatures& features,
                         const TableTarget& target, std::size_t batch_rows, VersionClock& clock,
                         TableState& state) {
  TableExport report;
  report.table = target.database + "." + target.table;
  auto fail = [&](const std::string& why) {
    report.error = fmt::format("{}: {}", report.table, why);
    return report;
  };
  auto source = read_table(engine, target);
  if (!source) return fail(source.error());
  auto mirror = mirror_table(target.database, target.table, source.value().columns, features);
  if (!mirror) return fail(mirror.error());
  if (auto ready = ensure_table(http, mirror.value(), state); !ready) return fail(ready.error());

  // Each row as the JSONEachRow text ClickHouse will read; its hash says whether it changed.
  auto writer = make_output_format("JSONEachRow");
  std::string text;
  writer->begin(mirror.value().columns, text);
  std::uint64_t null_keys = 0, repeated_keys = 0;
  std::vector<Change> changed;
  state.sent.begin_pass();
  for (ResultChunk& chunk : source.value().chunks) {
    convert_chunk(source.value().columns, mirror.value(), chunk);
    const std::size_t chunk_start = text.size();
    writer->write(chunk, text);
    std::size_t line_start = chunk_start;
    for (std::size_t row = 0; row < chunk.rows; ++row) {
      const std::size_t line_end = text.find('\n', line_start);
      const std::string_view line(text.data() + line_start, line_end - line_start);
      report.rows_read++;
      auto key = row_key(mirror.value().columns, chunk, mirror.value().key, row);
      SentRows::Entry* entry = key ? state.sent.visit(std::move(*key)) : nullptr;
      if (!key) null_keys++;
      if (key && !entry) repeated_keys++;
      const std::uint64_t hash = row_hash(line);
      if (entry && (!entry->sent || entry->hash != hash)) {
        changed.push_back({entry, hash, line_start});
      }
      line_start = line_end + 1;
    }
  }
  state.sent.end_pass();
  if (null_keys + repeated_keys > 0) {
    std::string key_names;
    for (std::size_t index : mirror.value().key) {
      key_names += (key_names.empty() ? "" : ", ") + mirror.value().columns[index].name;
    }
    report.rows_skipped = null_keys + repeated_keys;
    report.warning = fmt::format(
        "{}: {} rows not sent: {} with a NULL in the key ({}), {} repeating an earlier row's key "
        "(ClickHouse keeps one row per key)",
        report.table, report.rows_skipped, null_keys, key_names, repeated_keys);
  }

  // Batches; a batch ClickHouse did not acknowledge leaves its rows unmarked, so the next pass
  // sends them again, whole, and the key collapses whatever part had arrived.
  const std::string head =
      "INSERT INTO " + mirror.value().qualified_name() + " FORMAT JSONEachRow\n";
  const std::size_t rows_per_batch = std::max<std::size_t>(batch_rows, 1);
  std::size_t next = 0;
  while (next < changed.size()) {
    const std::string version = fmt::format(",\"{}\":{}}}\n", kVersionColumn, clock.next());
    std::string body = head;
    const std::size_t first = next;
    for (; next < changed.size() && next - first < rows_per_batch && body.size() < kBatchBytes;
         ++next) {
      const std::size_t start = changed[next].text_start;
      const std::string_view line(text.data() + start, text.find('\n', start) - start);
      body.append(line.substr(0, line.size() - 1));  // the row without its closing brace
      body += version;
    }
    if (auto sent = http.execute(body); !sent) return fail(sent.error());
    for (std::size_t i = first; i < next; ++i) {
      changed[i].entry->hash = changed[i].hash;
      changed[i].entry->sent = true;
    }
    report.rows_sent += next - first;
  }
  return report;
}

}  // namespace shoplake::sql::exporter

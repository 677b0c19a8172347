#include "query_stream.hpp"

#include <fmt/format.h>

#include <cctype>

#include "column_type.hpp"
#include "query_error_kind.hpp"
#include "shoplake/sql/statement_clock.hpp"
#include "statement_guard.hpp"
#include "streamed_execution.hpp"
#include "system_schema.hpp"

namespace shoplake::sql {
namespace {

QueryError readonly_error(std::string message) {
  return QueryError{QueryErrorKind::readonly, std::move(message)};
}

std::string read_only_message(std::string_view statement_kind) {
  return fmt::format("shoplake's SQL is read-only: only SELECT and EXPLAIN are allowed, got {}",
                     statement_kind);
}

// The user's statement as a subquery, with the columns DuckDB cannot hand over as they are cast
// to text. Positional references (#n) keep duplicate column names apart; the newline before
// the closing parenthesis ends a trailing line comment.
std::string with_text_casts(std::string sql, const std::vector<ColumnInfo>& columns,
                            const std::vector<std::string>& cast_targets) {
  while (!sql.empty() &&
         (std::isspace(static_cast<unsigned char>(sql.back())) || sql.back() == ';')) {
    sql.pop_back();
  }
  std::string select;
  for (std::size_t c = 0; c < columns.size(); ++c) {
    select += c == 0 ? "SELECT " : ", ";
    select += cast_targets[c].empty() ? fmt::format("#{}", c + 1)
                                      : fmt::format("CAST(#{} AS {})", c + 1, cast_targets[c]);
    select += " AS " + duck::quote_identifier(columns[c].name);
  }
  return fmt::format("{} FROM (\n{}\n) AS shoplake_query", select, sql);
}

duck::PreparedStatement prepare(duckdb_connection connection, const std::string& sql) {
  duck::PreparedStatement prepared;
  duckdb_prepare(connection, sql.c_str(), prepared.out());
  return prepared;
}

}  // namespace

QueryStream::QueryStream(LiveTableRegistry::Pin pin, ConnectionPool::Lease lease,
                         QueryWatchdog& watchdog, QueryLimits limits,
                         const std::atomic<std::uint64_t>& catalog_version)
    : pin_(std::move(pin)),
      lease_(std::move(lease)),
      watchdog_(watchdog),
      limits_(limits),
      catalog_version_(catalog_version) {}

QueryStream::~QueryStream() {
  result_.reset();
  prepared_.reset();
  finish();
  if (in_transaction_ &&
      duck::run_prepared(lease_->connection.get(), lease_->rollback, "ROLLBACK")) {
    lease_.discard();
  }
  // An interrupt that arrived as the query ended could leave the connection flagged.
  if (interrupted_) lease_.discard();
}

void QueryStream::finish() {
  if (!finished_) finished_ = Clock::now();
  if (watch_) interrupted_ = watchdog_.disarm(*watch_) || interrupted_;
  watch_.reset();
  done_ = true;
}

QueryError QueryStream::error_from_duckdb(duckdb_error_type type, const char* message) {
  std::string text = message != nullptr ? message : "unknown DuckDB error";
  if (watch_) interrupted_ = watchdog_.disarm(*watch_) || interrupted_;
  watch_.reset();
  if (interrupted_) {
    return QueryError{
        QueryErrorKind::timeout,
        fmt::format("the query ran longer than its {} ms timeout", limits_.timeout.count())};
  }
  return QueryError{classify_duckdb_error(type, text), std::move(text)};
}

std::optional<QueryError> QueryStream::start(const QueryRequest& request) {
  duckdb_connection connection = lease_->connection.get();
  std::string schema = schema_for_database(request.database);
  if (lease_->schema != schema) {
    if (duck::run(connection, "SET schema = " + duck::quote_literal(schema))) {
      return QueryError{QueryErrorKind::unknown_database,
                        fmt::format("database {} does not exist", request.database)};
    }
    lease_->schema = schema;
  }
  const std::uint64_t version_before = catalog_version_.load(std::memory_order_acquire);
  if (auto error =
          duck::run_prepared(connection, lease_->begin_read_only, "BEGIN TRANSACTION READ ONLY")) {
    return QueryError{QueryErrorKind::internal, error->message};
  }
  in_transaction_ = true;
  const bool catalog_settled =
      version_before % 2 == 0 && catalog_version_.load(std::memory_order_acquire) == version_before;

  const bool reusable =
      catalog_settled && request.parameters.empty() && request.named_parameters.empty();
  const std::string key = lease_->schema + '\n' + request.sql;
  if (reusable) {
    if (auto found = lease_->prepared.find(key);
        found != lease_->prepared.end() && found->second.catalog_version == version_before) {
      reused_ = &found->second;
      if (auto error = bind_and_execute(request)) return error;
      if (result_matches(reused_->columns)) {
        columns_ = reused_->columns;
        start_reading();
        return std::nullopt;
      }
      // A table it reads was replaced by one of another shape since: prepare it afresh.
      result_.reset();
      reused_ = nullptr;
      lease_->prepared.erase(found);
    }
  }
  if (auto error = prepare_checked(request.sql)) return error;
  if (auto error = describe_and_execute(request)) return error;
  start_reading();
  if (reusable) {
    if (lease_->prepared.size() >= PooledConnection::kMaxPrepared) lease_->prepared.clear();
    PreparedQuery& kept = lease_->prepared[key];
    kept.statement = std::move(prepared_);
    kept.columns = columns_;
    kept.catalog_version = version_before;
    reused_ = &kept;
  }
  return std::nullopt;
}

bool QueryStream::result_matches(const std::vector<ColumnInfo>& columns) {
  if (duckdb_column_count(result_.get()) != columns.size()) return false;
  for (idx_t c = 0; c < columns.size(); ++c) {
    duck::LogicalType type(duckdb_column_logical_type(result_.get(), c));
    const char* name = duckdb_column_name(result_.get(), c);
    if (name == nullptr || columns[c].name != name ||
        column_type_from_duckdb_name(duckdb_type_name(type.get())).clickhouse_name !=
            columns[c].type.clickhouse_name) {
      return false;
    }
  }
  return true;
}

void QueryStream::start_reading() {
  for (idx_t c = 0; c < duckdb_column_count(result_.get()); ++c) {
    duck::LogicalType type(duckdb_column_logical_type(result_.get(), c));
    readers_.emplace_back(type.get());
  }
}

std::optional<QueryError> QueryStream::describe_and_execute(const QueryRequest& request) {
  // A statement with parameters may be unresolved until they are bound (DuckDB then reports one
  // column of INVALID type): its columns are known only once it runs.
  std::vector<duck::LogicalType> types;
  std::vector<std::string> names;
  bool executed = false;
  for (idx_t c = 0; c < duckdb_prepared_statement_column_count(statement()); ++c) {
    types.emplace_back(duckdb_prepared_statement_column_logical_type(statement(), c));
    duck::DuckString name(const_cast<char*>(duckdb_prepared_statement_column_name(statement(), c)));
    names.emplace_back(name ? name.get() : "");
    if (duckdb_get_type_id(types.back().get()) == DUCKDB_TYPE_INVALID) executed = true;
  }
  if (executed) {
    if (auto error = bind_and_execute(request)) return error;
    types.clear();
    names.clear();
    for (idx_t c = 0; c < duckdb_column_count(result_.get()); ++c) {
      types.emplace_back(duckdb_column_logical_type(result_.get(), c));
      const char* name = duckdb_column_name(result_.get(), c);
      names.emplace_back(name != nullptr ? name : "");
    }
  }
  std::vector<std::string> cast_targets;
  bool needs_casts = false;
  for (idx_t c = 0; c < types.size(); ++c) {
    columns_.push_back(
        ColumnInfo{names[c], column_type_from_duckdb_name(duckdb_type_name(types[c].get()))});
    cast_targets.push_back(text_cast_target(types[c].get()));
    needs_casts = needs_casts || !cast_targets.back().empty();
  }
  if (needs_casts) {
    result_.reset();
    prepared_ =
        prepare(lease_->connection.get(), with_text_casts(request.sql, columns_, cast_targets));
    if (const char* message = duckdb_prepare_error(prepared_.get())) {
      return error_from_duckdb(duckdb_error_type_of_message(message), message);
    }
  }
  if (needs_casts || !executed) {
    if (auto error = bind_and_execute(request)) return error;
  }
  return std::nullopt;
}

std::optional<QueryError> QueryStream::bind_and_execute(const QueryRequest& request) {
  if (auto error = bind(request)) return error;
  if (!watch_) watch_ = watchdog_.arm(lease_->connection.get(), started_ + limits_.timeout);
  if (auto error = execute_streamed(statement(), result_.out(), started_ + limits_.timeout)) {
    return error_from_duckdb(error->type, error->message.c_str());
  }
  return std::nullopt;
}

std::optional<QueryError> QueryStream::prepare_checked(const std::string& sql) {
  duckdb_connection connection = lease_->connection.get();
  duck::ExtractedStatements extracted;
  idx_t count = duckdb_extract_statements(connection, sql.c_str(), extracted.out());
  if (count == 0) {
    const char* message = duckdb_extract_statements_error(extracted.get());
    if (message == nullptr) return QueryError{QueryErrorKind::syntax, "the query is empty"};
    return error_from_duckdb(duckdb_error_type_of_message(message), message);
  }
  if (count > 1) {
    return readonly_error(
        fmt::format("one statement per query: got {} statements separated by ';'", count));
  }
  // Refused before DuckDB binds them, because binding some statements already acts: binding
  // EXPORT DATABASE creates its directory.
  if (auto keyword = writing_keyword(sql)) return readonly_error(read_only_message(*keyword));
  if (auto function = state_changing_function(sql)) {
    return readonly_error(fmt::format(
        "shoplake's SQL is read-only: {}() changes state beyond the query and is not allowed",
        *function));
  }
  std::optional<std::string> explained;
  if (starts_with_explain(sql)) {
    explained = explained_statement(sql);
    if (!explained) return readonly_error(read_only_message("an EXPLAIN it cannot check"));
    if (auto keyword = writing_keyword(*explained)) {
      return readonly_error(read_only_message("EXPLAIN of " + *keyword));
    }
  }
  duckdb_prepare_extracted_statement(connection, extracted.get(), 0, prepared_.out());
  if (const char* message = duckdb_prepare_error(prepared_.get())) {
    return error_from_duckdb(duckdb_error_type_of_message(message), message);
  }
  // The prepared statement's kind decides; the keyword checks above only refuse early.
  auto kind = duckdb_prepared_statement_type(prepared_.get());
  if (!is_read_only_kind(kind) || (kind == DUCKDB_STATEMENT_TYPE_EXPLAIN && !explained)) {
    return readonly_error(read_only_message(statement_kind_name(kind)));
  }
  if (kind == DUCKDB_STATEMENT_TYPE_EXPLAIN) {
    auto inner = prepare(connection, *explained);
    if (const char* message = duckdb_prepare_error(inner.get())) {
      return error_from_duckdb(duckdb_error_type_of_message(message), message);
    }
    auto inner_kind = duckdb_prepared_statement_type(inner.get());
    if (inner_kind != DUCKDB_STATEMENT_TYPE_SELECT) {
      return readonly_error(
          read_only_message(fmt::format("EXPLAIN of {}", statement_kind_name(inner_kind))));
    }
  }
  return std::nullopt;
}

std::optional<QueryError> QueryStream::bind(const QueryRequest& request) {
  duckdb_prepared_statement prepared = statement();
  idx_t expected = duckdb_nparams(prepared);
  auto bind_one = [&](idx_t index, const QueryParameter& parameter) {
    return std::visit(
        [&](const auto& value) {
          using T = std::decay_t<decltype(value)>;
          if constexpr (std::is_same_v<T, std::nullptr_t>) {
            return duckdb_bind_null(prepared, index);
          } else if constexpr (std::is_same_v<T, bool>) {
            return duckdb_bind_boolean(prepared, index, value);
          } else if constexpr (std::is_same_v<T, std::int64_t>) {
            return duckdb_bind_int64(prepared, index, value);
          } else if constexpr (std::is_same_v<T, double>) {
            return duckdb_bind_double(prepared, index, value);
          } else {
            return duckdb_bind_varchar_length(prepared, index, value.data(), value.size());
          }
        },
        parameter);
  };
  if (request.parameters.size() > expected) {
    return QueryError{QueryErrorKind::bad_arguments,
                      fmt::format("the query has {} parameters, but {} values were given", expected,
                                  request.parameters.size())};
  }
  for (std::size_t i = 0; i < request.parameters.size(); ++i) {
    if (bind_one(i + 1, request.parameters[i]) != DuckDBSuccess) {
      return QueryError{QueryErrorKind::bad_arguments,
                        fmt::format("cannot bind parameter ${}", i + 1)};
    }
  }
  for (const auto& [name, value] : request.named_parameters) {
    idx_t index = 0;
    if (duckdb_bind_parameter_index(prepared, &index, name.c_str()) != DuckDBSuccess ||
        bind_one(index, value) != DuckDBSuccess) {
      return QueryError{QueryErrorKind::bad_arguments,
                        fmt::format("the query has no parameter ${}", name)};
    }
  }
  return bind_clock(prepared, request.clock.value_or(statement_clock_now()));
}

// The translated ClickHouse now(): one value for the whole statement, as ClickHouse's.
std::optional<QueryError> QueryStream::bind_clock(duckdb_prepared_statement prepared,
                                                  StatementClock clock) {
  static const std::string clock_name(kClockParameter);
  idx_t index = 0;
  if (duckdb_bind_parameter_index(prepared, &index, clock_name.c_str()) != DuckDBSuccess) {
    return std::nullopt;
  }
  if (duckdb_bind_int64(prepared, index, clock_parameter_value(clock)) != DuckDBSuccess) {
    return QueryError{QueryErrorKind::bad_arguments,
                      fmt::format("cannot bind the query's clock ${}", clock_name)};
  }
  return std::nullopt;
}

namespace {

// Empties a column and keeps its vectors' memory for the next chunk of the same query.
void clear_keeping_capacity(ColumnData& column) {
  column.null.clear();
  column.i64.clear();
  column.u64.clear();
  column.f64.clear();
  column.str.clear();
  column.offsets.clear();
  if (column.element) clear_keeping_capacity(*column.element);
}

}  // namespace

std::variant<bool, QueryError> QueryStream::next(ResultChunk& chunk) {
  chunk.rows = 0;
  for (auto& column : chunk.columns) clear_keeping_capacity(column);
  if (done_) return false;
  duck::DataChunk fetched(duckdb_fetch_chunk(*result_.get()));
  if (!fetched) {
    const char* message = duckdb_result_error(result_.get());
    if (message != nullptr) {
      auto error = error_from_duckdb(duckdb_result_error_type(result_.get()), message);
      finish();
      return error;
    }
    finish();
    return false;
  }
  idx_t rows = duckdb_data_chunk_get_size(fetched.get());
  if (rows_ + rows > limits_.max_rows) {
    finish();
    return QueryError{QueryErrorKind::too_many_rows,
                      fmt::format("the result has more than {} rows; add a LIMIT or ask for "
                                  "more rows",
                                  limits_.max_rows)};
  }
  chunk.rows = rows;
  chunk.columns.resize(readers_.size());
  for (std::size_t c = 0; c < readers_.size(); ++c) {
    bytes_ += readers_[c].append(duckdb_data_chunk_get_vector(fetched.get(), c), 0, rows,
                                 chunk.columns[c]);
  }
  rows_ += rows;
  return true;
}

QueryStatistics QueryStream::statistics() const {
  auto end = finished_.value_or(Clock::now());
  return QueryStatistics{std::chrono::duration<double>(end - started_).count(), rows_, bytes_};
}

}  // namespace shoplake::sql

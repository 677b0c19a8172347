// ClickHouse's HTTP interface (port 8123 by default) over the SQL engine, so that `curl` recipes,
// the official clients and dashboards written for ClickHouse work unchanged: the query in `?query=`
// and/or the body, FORMAT and SETTINGS clauses, the database/default_format/query_id parameters,
// ClickHouse's credentials, response headers and error bodies.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace httplib {
class Server;
}

namespace shoplake::sql {
class Engine;
}

namespace shoplake::server {

struct ClickHouseHttpOptions {
  std::string user = "default";
  std::string password;  // empty: the user needs no password (loopback only; see `up`)
};

struct QueryCounters {
  std::atomic<std::uint64_t> queries{0};
  std::atomic<std::uint64_t> failed{0};
  std::atomic<std::uint64_t> rows_sent{0};
};

class ClickHouseRoutes {
 public:
  ClickHouseRoutes(sql::Engine& engine, ClickHouseHttpOptions options);
  void install(httplib::Server& http);
  const QueryCounters& counters() const { return counters_; }

 private:
  sql::Engine& engine_;
  const ClickHouseHttpOptions options_;
  QueryCounters counters_;
};

}  // namespace shoplake::server

// POST /v1/query on the main port: the JSON API the web UI and the chat use.
//   {"sql": "...", "params": [..] | {"name": ..}, "dialect": "clickhouse"|"duckdb",
//    "database": "gold", "max_rows": N}
// answers ClickHouse's JSONCompact document: {"meta":[{"name","type"}], "data":[[..]], "rows",
// "statistics":{"elapsed","rows_read","bytes_read"}}; errors are {"error", "code", "kind"}.
#pragma once

namespace httplib {
class Server;
}

namespace shoplake::sql {
class Engine;
}

namespace shoplake::server {

class QueryRoutes {
 public:
  explicit QueryRoutes(sql::Engine& engine) : engine_(engine) {}
  void install(httplib::Server& http);

 private:
  sql::Engine& engine_;
};

}  // namespace shoplake::server

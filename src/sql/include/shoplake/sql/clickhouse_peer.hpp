// A throwaway Debian clickhouse-server on loopback ports, in a directory of its own, in UTC: the
// standing peer of the benchmarks and the real server of the ClickHouse compatibility and export
// tests. Stopped (SIGTERM, then waited for) when destroyed.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>

namespace shoplake::sql {

// The clickhouse-server binary for a setting: "off" -> none, "auto" -> the Debian package's if it
// is installed, anything else -> that path.
std::string find_clickhouse_server(const std::string& setting = "auto");

// A TCP port on 127.0.0.1 that nothing listens on now.
int free_loopback_port();

class ClickHousePeer {
 public:
  ClickHousePeer(const std::string& binary, const std::filesystem::path& directory);
  ~ClickHousePeer();
  ClickHousePeer(const ClickHousePeer&) = delete;
  ClickHousePeer& operator=(const ClickHousePeer&) = delete;

  // Waits up to 30 s for /ping; false if it exited (its log, server.log, says why) or never
  // answered.
  bool wait_ready();
  struct Answer {
    int status = 0;  // HTTP status; 0: no answer
    std::string body;
  };
  // POSTs `sql` to the HTTP interface (`path_and_query` e.g. "/?database=default").
  Answer query(const std::string& sql, const std::string& path_and_query = "/") const;
  int http_port() const { return http_port_; }
  const std::filesystem::path& directory() const { return directory_; }

 private:
  std::filesystem::path directory_;
  int http_port_;
  pid_t pid_ = -1;
};

}  // namespace shoplake::sql

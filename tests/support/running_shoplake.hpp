// `shoplake up` started for a test on an ephemeral port, with the port read from its banner.
#pragma once

#include <string>
#include <vector>

#include "child_process.hpp"

namespace shoplake::testing {

class RunningShoplake {
 public:
  // Starts `shoplake up --port 0 --clickhouse-port 0 --data-dir <data_dir> <extra_args…>`; port()
  // is 0 if it did not come up within 20 s (stderr then says why).
  explicit RunningShoplake(const std::string& data_dir,
                           const std::vector<std::string>& extra_args = {},
                           const std::vector<std::string>& environment = {});
  int port() const { return port_; }
  int clickhouse_port() const { return clickhouse_port_; }  // ClickHouse HTTP interface
  ChildProcess& process() { return child_; }
  // SIGTERM, then the exit code (nullopt if it did not stop within 20 s).
  std::optional<int> stop();

 private:
  ChildProcess child_;
  int port_ = 0;
  int clickhouse_port_ = 0;
};

}  // namespace shoplake::testing

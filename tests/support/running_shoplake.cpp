#include "running_shoplake.hpp"

#include <signal.h>

#include <algorithm>
#include <regex>

namespace shoplake::testing {

namespace {

std::vector<std::string> up_command(const std::string& data_dir,
                                    const std::vector<std::string>& extra_args) {
  std::vector<std::string> argv{shoplake_binary(),   "up", "--port",     "0",
                                "--clickhouse-port", "0",  "--data-dir", data_dir};
  // Days of simulated history on an empty data directory would slow every test that does not
  // ask for them.
  if (std::find(extra_args.begin(), extra_args.end(), "--history") == extra_args.end()) {
    argv.emplace_back("--no-history");
  }
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  return argv;
}

}  // namespace

RunningShoplake::RunningShoplake(const std::string& data_dir,
                                 const std::vector<std::string>& extra_args,
                                 const std::vector<std::string>& environment)
    : child_(up_command(data_dir, extra_args), environment) {
  // The banner names the main port on its "http" line, then the ClickHouse port on its own.
  static const std::regex kHttpLine(R"(^  http +http://127\.0\.0\.1:(\d+)/)");
  static const std::regex kClickHouseLine(R"(^  clickhouse +http://127\.0\.0\.1:(\d+)/)");
  while (auto line = child_.read_stdout_line(std::chrono::seconds(20))) {
    std::smatch match;
    if (std::regex_search(*line, match, kHttpLine)) port_ = std::stoi(match[1]);
    if (std::regex_search(*line, match, kClickHouseLine)) {
      clickhouse_port_ = std::stoi(match[1]);
      return;
    }
  }
  port_ = 0;  // it did not come up whole
}

std::optional<int> RunningShoplake::stop() {
  child_.send_signal(SIGTERM);
  return child_.wait(std::chrono::seconds(20));
}

}  // namespace shoplake::testing

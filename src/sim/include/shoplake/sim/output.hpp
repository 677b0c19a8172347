// Where a run's NDJSON goes on this machine, and how a run reports on the terminal.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include "shoplake/sim/runner.hpp"

namespace shoplake::sim {

// Writes all of `data` to `fd`, retrying short writes and EINTR; throws std::system_error.
void write_all(int fd, std::string_view data);

// An output file, created or truncated; closed (and checked) on destruction or close().
class OutputFile {
 public:
  explicit OutputFile(const std::string& path);  // throws std::system_error naming the path
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  void write(std::string_view data);
  void close();  // throws std::system_error if the last bytes could not be written

 private:
  std::string path_;
  int fd_ = -1;
};

// Renders RunProgress on a terminal stream (stderr): a line about once a second, rewritten in
// place with '\r' on a TTY and one line each otherwise, then a summary line when the run ends.
// (run_simulation reports once a second, so a run shorter than that shows only the summary.)
class ProgressLine {
 public:
  explicit ProgressLine(std::FILE* stream);
  void operator()(const RunProgress& progress);

  static std::string format_progress(const RunProgress& progress);
  static std::string format_summary(const RunProgress& progress);

 private:
  std::FILE* stream_;
  bool is_tty_;
  bool line_open_ = false;  // a '\r' progress line is on screen, waiting for its newline
};

}  // namespace shoplake::sim

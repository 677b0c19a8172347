// Runs the real shoplake binary from a test: spawn, read its output, signal it, wait for it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace shoplake::testing {

// The shoplake binary under test: $SHOPLAKE_BINARY, set by ctest for every test.
std::string shoplake_binary();

class ChildProcess {
 public:
  // `environment` entries ("NAME=value") are added to this process's environment.
  ChildProcess(const std::vector<std::string>& argv,
               const std::vector<std::string>& environment = {});
  ~ChildProcess();  // kills the child if it still runs
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // The next line of standard output (without '\n'), or nullopt on end of output or timeout.
  std::optional<std::string> read_stdout_line(std::chrono::milliseconds timeout);
  // Everything the child writes to stderr until it closes it (call after it exits).
  std::string read_all_stderr();
  std::string read_all_stdout();

  void send_signal(int signal);
  // The exit code (128 + signal when killed by one), or nullopt on timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  int stderr_fd_ = -1;
  std::string stdout_buffer_;
  std::optional<int> exit_code_;
};

struct CommandOutput {
  int exit_code;
  std::string out;
  std::string err;
};

// Runs shoplake with `args` to completion (at most `timeout`) and collects its output.
CommandOutput run_shoplake(const std::vector<std::string>& args,
                           const std::vector<std::string>& environment = {},
                           std::chrono::milliseconds timeout = std::chrono::seconds(60));

// A fresh directory under $TMPDIR, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace shoplake::testing

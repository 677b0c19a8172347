// `shoplake up`: the whole platform in one process. It starts what this build contains and says
// so; each component issue adds its part here.
#include <fcntl.h>
#include <fmt/core.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "commands.hpp"
#include "shoplake/server/main_server.hpp"

namespace shoplake::cli {

namespace {

struct UpOptions {
  server::ServerOptions http;
};

// One `shoplake up` per data directory: a second one would interleave writes to the same files.
// The lock dies with the process, even on kill -9.
int lock_data_directory(const std::filesystem::path& data_dir) {
  std::error_code error;
  std::filesystem::create_directories(data_dir, error);
  if (error) {
    throw CommandError{
        1, fmt::format("cannot create data directory {}: {}", data_dir.string(), error.message())};
  }
  const auto lock_path = data_dir / "LOCK";
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw CommandError{1, fmt::format("cannot open {}: {}", lock_path.string(), strerror(errno))};
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    throw CommandError{1, fmt::format("data directory {} is in use by another shoplake process",
                                      data_dir.string())};
  }
  return fd;
}

// Blocks SIGINT/SIGTERM in every thread started after this call, so that only the waiting thread
// receives them.
sigset_t block_shutdown_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

void run_up(const GlobalOptions& global, const UpOptions& options) {
  if (!server::is_loopback_address(options.http.bind)) {
    throw CommandError{2, fmt::format("refusing to bind to {}: this build has no credentials "
                                      "support yet, so shoplake serves loopback only",
                                      options.http.bind)};
  }
  const std::filesystem::path data_dir = global.data_dir;
  const int lock_fd = lock_data_directory(data_dir);
  const sigset_t shutdown_signals = block_shutdown_signals();

  server::MainServer http(options.http);
  const auto port = http.listen();
  if (!port) throw CommandError{1, port.error()};
  std::thread http_thread([&http] { http.serve(); });

  fmt::print(
      "shoplake {} up\n"
      "  data directory  {}\n"
      "  http            http://{}:{}/  (/healthz, /metrics)\n"
      "Press Ctrl-C to stop.\n",
      SHOPLAKE_VERSION, std::filesystem::absolute(data_dir).lexically_normal().string(),
      options.http.bind, port.value());
  std::fflush(stdout);
  spdlog::info("listening on {}:{}", options.http.bind, port.value());

  int received = 0;
  sigwait(&shutdown_signals, &received);
  spdlog::info("received {}, stopping", received == SIGINT ? "SIGINT" : "SIGTERM");
  http.stop();
  http_thread.join();
  ::close(lock_fd);
}

}  // namespace

void add_up_command(CLI::App& app, const GlobalOptions& global) {
  auto options = std::make_shared<UpOptions>();
  auto* command = app.add_subcommand(
      "up",
      "Start the platform. This build serves /healthz and /metrics on the main HTTP port and holds "
      "the data directory; ingest, SQL, real-time, lake, pipeline, web UI and chat join it as they "
      "are built.");
  with_env(command->add_option("--port", options->http.port, "Main HTTP port (0: any free port)")
               ->check(CLI::Range(0, 65535))
               ->capture_default_str());
  with_env(command->add_option("--bind", options->http.bind, "Address to listen on (loopback only)")
               ->capture_default_str());
  command->callback([&global, options] { run_up(global, *options); });
}

}  // namespace shoplake::cli

#include "shoplake/sql/clickhouse_peer.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/core.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>
#include <vector>

extern char** environ;

namespace shoplake::sql {

std::string find_clickhouse_server(const std::string& setting) {
  if (setting == "off") return {};
  if (setting != "auto") return setting;
  for (const char* candidate : {"/usr/bin/clickhouse-server", "/usr/sbin/clickhouse-server"}) {
    if (std::filesystem::exists(candidate)) return candidate;
  }
  return {};
}

// Bind to port 0, read what the kernel chose, let it go.
int free_loopback_port() {
  const int probe = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ::bind(probe, reinterpret_cast<sockaddr*>(&address), sizeof address);
  ::getsockname(probe, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(probe);
  return ntohs(address.sin_port);
}

ClickHousePeer::ClickHousePeer(const std::string& binary, const std::filesystem::path& directory)
    : directory_(directory), http_port_(free_loopback_port()) {
  std::filesystem::create_directories(directory);
  const std::string dir = directory.string();
  std::ofstream(directory / "config.xml") << fmt::format(
      R"(<?xml version="1.0"?><yandex><logger><level>warning</level><console>1</console></logger>
<http_port>{}</http_port><tcp_port>{}</tcp_port><listen_host>127.0.0.1</listen_host>
<path>{}/data/</path><tmp_path>{}/tmp/</tmp_path><user_files_path>{}/files/</user_files_path>
<format_schema_path>{}/schemas/</format_schema_path><users_config>users.xml</users_config>
<default_profile>default</default_profile><default_database>default</default_database>
<timezone>UTC</timezone><mark_cache_size>1073741824</mark_cache_size></yandex>)",
      http_port_, free_loopback_port(), dir, dir, dir, dir);
  std::ofstream(directory / "users.xml")
      << R"(<?xml version="1.0"?><yandex><profiles><default></default></profiles><users><default>
<password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile>
<quota>default</quota></default></users><quotas><default></default></quotas></yandex>)";
  const std::string config = "--config-file=" + (directory / "config.xml").string();
  const std::string log = (directory / "server.log").string();
  std::vector<char*> argv{const_cast<char*>(binary.c_str()), const_cast<char*>(config.c_str()),
                          nullptr};
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ == 0) {
    // The server must not outlive a test or bench that dies without running its destructor.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(1);
    const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out >= 0) {
      ::dup2(out, STDOUT_FILENO);
      ::dup2(out, STDERR_FILENO);
      ::close(out);
    }
    ::execve(binary.c_str(), argv.data(), environ);
    ::_exit(127);
  }
}

ClickHousePeer::~ClickHousePeer() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
  }
}

bool ClickHousePeer::wait_ready() {
  httplib::Client client("127.0.0.1", http_port_);
  client.set_connection_timeout(std::chrono::seconds(1));
  for (int i = 0; i < 300 && pid_ > 0; ++i) {
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    if (auto response = client.Get("/ping"); response && response->status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

ClickHousePeer::Answer ClickHousePeer::query(const std::string& sql,
                                             const std::string& path_and_query) const {
  httplib::Client client("127.0.0.1", http_port_);
  client.set_read_timeout(std::chrono::seconds(120));
  const auto response = client.Post(path_and_query, sql, "text/plain");
  if (!response) return {};
  return {response->status, response->body};
}

}  // namespace shoplake::sql

#include "buffered_http_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace shoplake::server {

namespace {

// Large enough that a 1 MB body takes a handful of reads, small enough for many idle connections.
constexpr std::size_t kReadBufferBytes = 256 * 1024;

thread_local ConnectionStream* connection_of_this_thread = nullptr;

int to_timeout_ms(time_t seconds, time_t microseconds) {
  return static_cast<int>(seconds * 1000 + microseconds / 1000);
}

void socket_address_text(const sockaddr_storage& address, std::string& ip, int& port) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(address);
    ::inet_ntop(AF_INET, &v4.sin_addr, text, sizeof text);
    port = ntohs(v4.sin_port);
  } else if (address.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(address);
    ::inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof text);
    port = ntohs(v6.sin6_port);
  }
  ip = text;
}

}  // namespace

ConnectionStream::ConnectionStream(socket_t socket, Timeouts timeouts)
    : socket_(socket), timeouts_(timeouts), buffer_(kReadBufferBytes) {}

bool ConnectionStream::is_readable() const {
  return buffered() > 0 || poll_socket(false, timeouts_.read_ms) > 0;
}

bool ConnectionStream::is_writable() const {
  return poll_socket(true, timeouts_.write_ms) > 0;
}

ssize_t ConnectionStream::read(char* destination, std::size_t size) {
  if (buffered() == 0) {
    const ssize_t received = fill();
    if (received <= 0) return received;
  }
  const std::size_t count = std::min(size, buffered());
  std::memcpy(destination, buffer_.data() + begin_, count);
  begin_ += count;
  return static_cast<ssize_t>(count);
}

ConnectionStream* ConnectionStream::of_this_thread() {
  return connection_of_this_thread;
}

bool ConnectionStream::read_into(std::string& out, std::size_t size) {
  const std::size_t start = out.size();
  out.resize(start + size);
  char* cursor = out.data() + start;
  std::size_t left = size;
  const std::size_t from_buffer = std::min(left, buffered());
  std::memcpy(cursor, buffer_.data() + begin_, from_buffer);
  begin_ += from_buffer;
  cursor += from_buffer;
  left -= from_buffer;
  while (left > 0) {
    const ssize_t received = ::recv(socket_, cursor, left, MSG_DONTWAIT);
    if (received > 0) {
      cursor += received;
      left -= static_cast<std::size_t>(received);
      continue;
    }
    if (received < 0 && errno == EINTR) continue;
    const bool would_block = received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    if (!would_block || poll_socket(false, timeouts_.read_ms) <= 0) {
      out.resize(start + (size - left));
      return false;
    }
  }
  return true;
}

ssize_t ConnectionStream::fill() {
  begin_ = end_ = 0;
  for (;;) {
    // Try first: under load the bytes are usually there, and the poll() would be wasted.
    const ssize_t received = ::recv(socket_, buffer_.data(), buffer_.size(), MSG_DONTWAIT);
    if (received >= 0) {
      end_ = static_cast<std::size_t>(received);
      return received;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
    if (poll_socket(false, timeouts_.read_ms) <= 0) return -1;
  }
}

ssize_t ConnectionStream::write(const char* source, std::size_t size) {
  for (;;) {
    const ssize_t sent = ::send(socket_, source, size, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (sent >= 0) return sent;
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
    if (poll_socket(true, timeouts_.write_ms) <= 0) return -1;
  }
}

int ConnectionStream::poll_socket(bool for_writing, int timeout_ms) const {
  pollfd descriptor{socket_, static_cast<short>(for_writing ? POLLOUT : POLLIN), 0};
  for (;;) {
    const int ready = ::poll(&descriptor, 1, timeout_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready > 0 && (descriptor.revents & POLLNVAL) != 0) return -1;
    return ready;
  }
}

void ConnectionStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (::getpeername(socket_, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    socket_address_text(address, ip, port);
  }
}

void ConnectionStream::get_local_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (::getsockname(socket_, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    socket_address_text(address, ip, port);
  }
}

socket_t ConnectionStream::socket() const {
  return socket_;
}

void close_after_response(httplib::Response& response) {
  if (ConnectionStream* connection = ConnectionStream::of_this_thread()) {
    connection->close_after_response();
    response.set_header("Connection", "close");
  }
}

void release_after_response(std::shared_ptr<void> held) {
  if (ConnectionStream* connection = ConnectionStream::of_this_thread()) {
    connection->hold_until_answered(std::move(held));
  }
}

bool BufferedHttpServer::process_and_close_socket(socket_t socket) {
  ConnectionStream stream(socket, {to_timeout_ms(read_timeout_sec_, read_timeout_usec_),
                                   to_timeout_ms(write_timeout_sec_, write_timeout_usec_)});
  const int idle_ms = static_cast<int>(keep_alive_timeout_sec_ * 1000);
  const auto running = [this] { return svr_sock_ != INVALID_SOCKET; };
  struct ServingThisThread {
    explicit ServingThisThread(ConnectionStream& stream) { connection_of_this_thread = &stream; }
    ~ServingThisThread() { connection_of_this_thread = nullptr; }
  } serving(stream);
  bool answered = false;
  for (std::size_t left = keep_alive_max_count_; left > 0; --left) {
    if (!stream.wait_for_request(idle_ms, running)) break;
    bool connection_closed = false;
    answered = process_request(stream, left == 1, connection_closed, nullptr);
    stream.release_held();
    if (!answered || connection_closed || stream.closing_after_response()) break;
  }
  ::shutdown(socket, SHUT_RDWR);
  ::close(socket);
  return answered;
}

}  // namespace shoplake::server

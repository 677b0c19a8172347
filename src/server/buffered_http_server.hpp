// httplib's server with its own connection loop: a request's bytes are read from the socket in
// large reads instead of httplib's 4 KiB recv() with a poll() before each (a constant compiled
// into Debian's libcpp-httplib). For a 1 MB batch of events that was 256 recv() and 256 poll(),
// each also making the kernel send a window update: 24 % of all samples of `bench ingest`.
// Routing, request parsing and responses stay httplib's.
#pragma once

#include <httplib.h>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace shoplake::server {

// One accepted connection, read through a buffer that outlives each request of the keep-alive
// connection (so bytes a client sent ahead are never dropped between requests).
class ConnectionStream final : public httplib::Stream {
 public:
  struct Timeouts {
    int read_ms = 5000;
    int write_ms = 5000;
  };

  ConnectionStream(socket_t socket, Timeouts timeouts);

  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* destination, std::size_t size) override;
  ssize_t write(const char* source, std::size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override;

  // The connection whose request the calling thread is answering; nullptr on any other thread.
  static ConnectionStream* of_this_thread();

  // Appends the next `size` bytes of the connection to `out`: what is buffered, then straight
  // from the socket into `out` (no copy through httplib's 4 KiB chunks). False when the peer
  // closed or sent nothing for the read timeout; the connection is then unusable.
  bool read_into(std::string& out, std::size_t size);

  // For a handler that answers without reading the request's body: the connection closes after
  // the response instead of reading the unread body as the next request.
  void close_after_response() { close_after_response_ = true; }
  bool closing_after_response() const { return close_after_response_; }

  // Keeps `held` until the response to the current request has been written, then drops it.
  void hold_until_answered(std::shared_ptr<void> held) { held_.push_back(std::move(held)); }
  void release_held() { held_.clear(); }

  // Between requests: true once a byte of the next request is here; false when the peer closed,
  // `idle_ms` passed, or `keep_waiting` said no (checked every few tens of milliseconds).
  template <class KeepWaiting>
  bool wait_for_request(int idle_ms, KeepWaiting keep_waiting) {
    constexpr int kSliceMs = 25;
    for (int waited = 0; waited < idle_ms && keep_waiting(); waited += kSliceMs) {
      if (buffered() > 0) return true;
      const int ready = poll_socket(false, kSliceMs);
      if (ready < 0) return false;
      if (ready > 0) return fill() > 0;
    }
    return false;
  }

 private:
  std::size_t buffered() const { return end_ - begin_; }
  // One recv() into the empty buffer: bytes read, 0 at the end of the stream, -1 on error.
  ssize_t fill();
  // poll() for reading or writing; > 0 ready, 0 timed out, < 0 failed.
  int poll_socket(bool for_writing, int timeout_ms) const;

  socket_t socket_;
  Timeouts timeouts_;
  std::vector<char> buffer_;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  bool close_after_response_ = false;
  std::vector<std::shared_ptr<void>> held_;
};

// Answers `response` with Connection: close and closes the connection afterwards when the calling
// thread serves one of ours: for answers given before the request's body was read.
void close_after_response(httplib::Response& response);

// Drops `held` only once the response has been written when the calling thread serves one of
// ours (at once otherwise): what its destruction does (a query's ROLLBACK, handing its DuckDB
// connection back: a third of a small query's statements) then costs the client no wait.
void release_after_response(std::shared_ptr<void> held);

class BufferedHttpServer final : public httplib::Server {
 private:
  bool process_and_close_socket(socket_t socket) override;
};

}  // namespace shoplake::server

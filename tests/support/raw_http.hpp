// HTTP/1.1 as bytes on one connection, for what httplib's client cannot send: pipelined requests,
// bodies in timed pieces, a body cut short.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace shoplake::testing {

struct RawExchange {
  std::vector<std::string> pieces;     // sent in order on one connection
  std::chrono::milliseconds pause{0};  // after each piece
  bool close_sending_side = false;     // shutdown(SHUT_WR) once everything is sent
};

// Connects to 127.0.0.1:port, sends the pieces, and returns everything the server wrote until it
// closed the connection ("connect failed" when it could not connect).
std::string raw_http_exchange(int port, const RawExchange& exchange);

// How many times `what` occurs in `text`.
std::size_t occurrences(const std::string& text, const std::string& what);

}  // namespace shoplake::testing

#include "buffered_http_server.hpp"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <thread>

namespace shoplake::server {
namespace {

// A query's ROLLBACK runs when its stream is dropped: that must wait until the client has the
// answer. The handler's held object waits in its destructor for the client to say it has the
// response; dropped before the response was written, it would wait in vain.
TEST(BufferedHttpServer, WhatAHandlerHoldsIsDroppedAfterTheResponseIsWritten) {
  BufferedHttpServer server;
  std::promise<void> client_has_answer;
  std::shared_future<void> answered = client_has_answer.get_future().share();
  std::atomic<int> dropped_after_answer{-1};
  server.Get("/", [&](const httplib::Request&, httplib::Response& response) {
    response.set_content("hello", "text/plain");
    release_after_response(std::shared_ptr<int>(new int(0), [&, answered](int* held) {
      const bool after = answered.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
      dropped_after_answer = after ? 1 : 0;
      delete held;
    }));
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  std::thread serving([&] { server.listen_after_bind(); });
  struct StopServing {
    BufferedHttpServer& server;
    std::thread& serving;
    ~StopServing() {
      server.stop();
      serving.join();
    }
  } stop_serving{server, serving};

  httplib::Client client("127.0.0.1", port);
  auto result = client.Get("/");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->body, "hello");
  client_has_answer.set_value();
  for (int waited = 0; dropped_after_answer == -1 && waited < 10'000; waited += 10) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(dropped_after_answer, 1);
}

}  // namespace
}  // namespace shoplake::server

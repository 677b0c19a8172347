#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <functional>
#include <thread>

#include "raw_http.hpp"
#include "shoplake/server/main_server.hpp"

namespace shoplake::server {
namespace {

using testing::occurrences;
using testing::raw_http_exchange;
using testing::RawExchange;

class MainServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto bound = server_.listen();
    ASSERT_TRUE(bound.ok()) << bound.error();
    port_ = bound.value();
    serving_ = std::thread([this] { server_.serve(); });
  }
  void TearDown() override {
    server_.stop();
    if (serving_.joinable()) serving_.join();
  }

  MainServer server_{ServerOptions{"127.0.0.1", 0}};
  int port_ = 0;
  std::thread serving_;
};

TEST_F(MainServerTest, AnswersHealthWithVersion) {
  httplib::Client client("127.0.0.1", port_);
  const auto response = client.Get("/healthz");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_NE(response->body.find(R"("status":"ok")"), std::string::npos) << response->body;
  EXPECT_NE(response->body.find(SHOPLAKE_VERSION), std::string::npos) << response->body;
}

TEST_F(MainServerTest, HealthIsDegradedWhileACheckReportsAProblem) {
  std::atomic<bool> broken{false};
  server_.add_health_check(
      [&broken] { return broken ? std::string("kafka source stopped: broker gone") : ""; });
  httplib::Client client("127.0.0.1", port_);
  EXPECT_EQ(client.Get("/healthz")->status, 200);
  broken = true;
  const auto response = client.Get("/healthz");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 503);
  EXPECT_NE(response->body.find(R"("status":"degraded")"), std::string::npos) << response->body;
  EXPECT_NE(response->body.find("broker gone"), std::string::npos) << response->body;
}

TEST_F(MainServerTest, ExportsPrometheusMetrics) {
  httplib::Client client("127.0.0.1", port_);
  const auto response = client.Get("/metrics");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_NE(response->body.find("# TYPE shoplake_uptime_seconds gauge"), std::string::npos);
  EXPECT_NE(response->body.find("shoplake_build_info{version=\""), std::string::npos);
}

TEST_F(MainServerTest, UnknownPathIs404) {
  httplib::Client client("127.0.0.1", port_);
  const auto response = client.Get("/no-such-thing");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 404);
}

TEST(MainServer, SecondListenerOnSamePortFailsWithActionableMessage) {
  MainServer first{ServerOptions{"127.0.0.1", 0}};
  const auto port = first.listen();
  ASSERT_TRUE(port.ok());
  MainServer second{ServerOptions{"127.0.0.1", port.value()}};
  const auto again = second.listen();
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().find("--port"), std::string::npos) << again.error();
}

// A server with the routes a test adds, serving on a thread until the end of the test.
class ServerWithRoutes {
 public:
  explicit ServerWithRoutes(const std::function<void(httplib::Server&)>& add_routes) {
    add_routes(server_.routes());
    const auto bound = server_.listen();
    EXPECT_TRUE(bound.ok()) << bound.error();
    port_ = bound.ok() ? bound.value() : 0;
    serving_ = std::thread([this] { server_.serve(); });
  }
  ~ServerWithRoutes() {
    server_.stop();
    serving_.join();
  }
  int port() const { return port_; }

 private:
  MainServer server_{ServerOptions{"127.0.0.1", 0}};
  int port_ = 0;
  std::thread serving_;
};

// Bytes a client sends ahead (pipelining) belong to the next request: the connection's read
// buffer outlives each request.
TEST(MainServerConnections, PipelinedRequestsInOneWriteAreEachAnswered) {
  ServerWithRoutes server([](httplib::Server&) {});
  const std::string answer = raw_http_exchange(
      server.port(), {{"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n"
                       "GET /no-such-thing HTTP/1.1\r\nHost: a\r\n\r\n"
                       "GET /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"}});
  EXPECT_EQ(occurrences(answer, "HTTP/1.1 200 OK"), 2U) << answer;
  EXPECT_EQ(occurrences(answer, "HTTP/1.1 404 Not Found"), 1U) << answer;
  EXPECT_LT(answer.find("404 Not Found"), answer.rfind("200 OK")) << answer;
}

// A body larger than the read buffer, arriving in pieces, reaches the handler byte for byte.
TEST(MainServerConnections, ABodyArrivingInPiecesIsReadWhole) {
  ServerWithRoutes server([](httplib::Server& routes) {
    routes.Post("/checksum", [](const httplib::Request& request, httplib::Response& response) {
      std::uint64_t sum = 0;
      for (const char c : request.body) sum = sum * 31 + static_cast<unsigned char>(c);
      response.set_content(std::to_string(request.body.size()) + " " + std::to_string(sum),
                           "text/plain");
    });
  });
  std::string body(3 * 1024 * 1024 + 7, '\0');
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < body.size(); ++i) {
    body[i] = static_cast<char>('a' + (i * 7919) % 26);
    sum = sum * 31 + static_cast<unsigned char>(body[i]);
  }
  std::vector<std::string> pieces{
      "POST /checksum HTTP/1.1\r\nHost: a\r\nConnection: close\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\n\r\n"};
  for (std::size_t at = 0; at < body.size(); at += 700 * 1024)
    pieces.push_back(body.substr(at, 700 * 1024));
  const std::string answer =
      raw_http_exchange(server.port(), {pieces, std::chrono::milliseconds(20)});
  EXPECT_NE(answer.find(std::to_string(body.size()) + " " + std::to_string(sum)), std::string::npos)
      << answer.substr(0, 200);
}

TEST(MainServerConnections, TheHandlerSeesThePeersAddress) {
  ServerWithRoutes server([](httplib::Server& routes) {
    routes.Get("/peer", [](const httplib::Request& request, httplib::Response& response) {
      response.set_content(request.remote_addr + " " + std::to_string(request.remote_port > 0),
                           "text/plain");
    });
  });
  httplib::Client client("127.0.0.1", server.port());
  const auto response = client.Get("/peer");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "127.0.0.1 1");
}

TEST(LoopbackAddress, RecognisesLoopbackOnly) {
  EXPECT_TRUE(is_loopback_address("127.0.0.1"));
  EXPECT_TRUE(is_loopback_address("127.1.2.3"));
  EXPECT_TRUE(is_loopback_address("::1"));
  EXPECT_TRUE(is_loopback_address("localhost"));
  EXPECT_FALSE(is_loopback_address("0.0.0.0"));
  EXPECT_FALSE(is_loopback_address("192.168.1.10"));
  EXPECT_FALSE(is_loopback_address("::"));
}

}  // namespace
}  // namespace shoplake::server

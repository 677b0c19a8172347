#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <thread>

#include "shoplake/server/main_server.hpp"

namespace shoplake::server {
namespace {

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

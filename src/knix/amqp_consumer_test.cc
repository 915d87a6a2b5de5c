// AmqpConfig (KNIX's defaults for an AMQP trigger_info), CheckAmqpAddress, and AmqpConsumer's
// behaviour without a broker: an error state, retries, a prompt stop.
#include "knix/amqp_consumer.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

namespace stator::knix {
namespace {

TEST(AmqpConfigTest, DefaultsAreKnixFrontendDefaults) {
  auto info =
      json::Parse(R"({"trigger_type": "amqp", "amqp_addr": "amqp://h/", "routing_key": "k"})");
  ASSERT_TRUE(info.ok());
  AmqpConfig c = AmqpConfig::FromTriggerInfo(*info, "u_t");
  EXPECT_EQ(c.addr, "amqp://h/");
  EXPECT_EQ(c.routing_key, "k");
  EXPECT_EQ(c.exchange, "egress_exchange");
  EXPECT_EQ(c.queue, "u_t");
  EXPECT_FALSE(c.durable);
  EXPECT_FALSE(c.exclusive);
  EXPECT_TRUE(c.auto_delete);
  EXPECT_TRUE(c.no_wait);
  EXPECT_FALSE(c.with_ack);
  EXPECT_EQ(c.ignore_message_probability, 0.0);
}

TEST(AmqpConfigTest, GivenValuesWin) {
  auto info = json::Parse(
      R"({"amqp_addr": "amqp://h/", "routing_key": "a.*", "exchange": "ex", "durable": true,
          "exclusive": true, "auto_delete": false, "no_wait": false, "with_ack": true,
          "ignore_message_probability": 12.5})");
  ASSERT_TRUE(info.ok());
  AmqpConfig c = AmqpConfig::FromTriggerInfo(*info, "q");
  EXPECT_EQ(c.exchange, "ex");
  EXPECT_TRUE(c.durable && c.exclusive && c.with_ack);
  EXPECT_FALSE(c.auto_delete || c.no_wait);
  EXPECT_EQ(c.ignore_message_probability, 12.5);
  // KNIX's management passes exchange "" when none was given: the frontend's default then.
  auto empty = json::Parse(R"({"amqp_addr": "amqp://h/", "routing_key": "k", "exchange": ""})");
  EXPECT_EQ(AmqpConfig::FromTriggerInfo(*empty, "q").exchange, "egress_exchange");
}

TEST(AmqpAddressTest, UrlsAreChecked) {
  EXPECT_EQ(CheckAmqpAddress("amqp://user:pass@host:5672/%2fvhost"), "");
  EXPECT_EQ(CheckAmqpAddress("amqp://localhost"), "");
  EXPECT_NE(CheckAmqpAddress("http://localhost/"), "");
  EXPECT_NE(CheckAmqpAddress(""), "");
  EXPECT_NE(CheckAmqpAddress("amqp://host:notaport/"), "");
}

// A port nobody listens on (bound, then closed).
int ClosedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t n = sizeof(a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &n);
  close(fd);
  return ntohs(a.sin_port);
}

TEST(AmqpConsumerTest, UnreachableBrokerIsAnErrorAndStopIsPrompt) {
  AmqpConfig c;
  c.addr = "amqp://guest:guest@127.0.0.1:" + std::to_string(ClosedPort()) + "/";
  c.queue = "q";
  int messages = 0;
  int lost = 0;
  auto count = std::make_shared<std::atomic<int64_t>>(0);
  AmqpConsumer consumer(c,
                        {.message = [&](const std::string&, const std::string&) { ++messages; },
                         .lost = [&](const std::string&) { ++lost; }},
                        count, AmqpConsumer::Options{});
  consumer.Start();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (consumer.state().status != "error" && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  AmqpConsumer::State s = consumer.state();
  EXPECT_EQ(s.status, "error");
  EXPECT_NE(s.message.find("cannot connect to the broker at 127.0.0.1"), std::string::npos)
      << s.message;
  auto began = std::chrono::steady_clock::now();
  consumer.RequestStop();
  consumer.Join();
  EXPECT_LT(std::chrono::steady_clock::now() - began, std::chrono::seconds(2));
  EXPECT_TRUE(consumer.Done());
  EXPECT_EQ(messages, 0);
  EXPECT_EQ(lost, 0);  // it never consumed: nothing was lost
  EXPECT_EQ(count->load(), 0);
}

TEST(AmqpConsumerTest, NotAUrlIsAnErrorNotRetried) {
  AmqpConfig c;
  c.addr = "nonsense";
  AmqpConsumer consumer(
      c,
      {.message = [](const std::string&, const std::string&) {}, .lost = [](const std::string&) {}},
      std::make_shared<std::atomic<int64_t>>(0), AmqpConsumer::Options{});
  consumer.Start();
  consumer.Join();  // returns by itself
  EXPECT_EQ(consumer.state().status, "error");
  EXPECT_NE(consumer.state().message.find("not an AMQP URL"), std::string::npos);
}

}  // namespace
}  // namespace stator::knix

// AmqpConsumer: the connection of one KNIX AMQP trigger to its broker (knix-protocol.md §1.7;
// KNIX's TriggersFrontend/src/amqp_trigger.rs), an AMQP 0-9-1 consumer built on rabbitmq-c
// (Debian's librabbitmq). AmqpTriggers (amqp_triggers.h) runs one per active AMQP trigger.
//
// What it does with the broker, as KNIX's frontend does: it connects to `amqp_addr`
// (amqp://user:pass@host:port/vhost, the vhost percent-encoded), declares the queue named by the
// trigger's id with the trigger's `durable`, `exclusive` and `auto_delete` flags (it does not
// declare the exchange: the publisher does), binds it to `exchange` with `routing_key`, and
// consumes from it, acknowledging automatically unless `with_ack` (then each message is
// acknowledged once its executions have been started). Every message is counted; unless
// `ignore_message_probability` says to drop it, or its body is not UTF-8 (KNIX drops those too),
// it is handed to Callbacks::message with its routing key (the event's `source`) and body.
//
// When the connection fails, or the broker closes it or the channel (a missing exchange, an
// exclusive queue another connection holds, a refused login), the consumer says so in its state
// (`error`, and why), tells Callbacks::lost when it had been consuming, and tries again after a
// back-off (0.25 s doubling up to Options::max_backoff_ms, back to 0.25 s once consuming). An
// amqp_addr that is not an AMQP URL is not retried.
//
// Ownership: owns its thread and its connection (used on that thread only).
// Thread-safety: every method may be called from any thread; the callbacks run on the
// consumer's thread, one at a time, and never after Join has returned.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "common/json.h"
#include "common/mutex.h"

namespace stator::knix {

// A KNIX AMQP trigger's trigger_info, with KNIX's frontend's defaults.
struct AmqpConfig {
  std::string addr;
  std::string routing_key;
  std::string exchange = "egress_exchange";
  std::string queue;  // the trigger's id
  bool durable = false;
  bool exclusive = false;
  bool auto_delete = true;
  bool no_wait = true;  // accepted; the declarations are always confirmed (see knix.md)
  bool with_ack = false;
  double ignore_message_probability = 0.0;

  bool operator==(const AmqpConfig&) const = default;

  // The config of a trigger_info (already validated by addTrigger) and the trigger's id.
  static AmqpConfig FromTriggerInfo(const json::Value& info, const std::string& trigger_id);
};

// What is wrong with an amqp_addr ("" when it is an AMQP URL rabbitmq-c can connect to).
std::string CheckAmqpAddress(const std::string& addr);

class AmqpConsumer {
 public:
  struct Callbacks {
    // One message to deliver: its routing key and its body (UTF-8).
    std::function<void(const std::string& routing_key, const std::string& body)> message;
    // The connection of a consumer that was consuming failed (why).
    std::function<void(const std::string& why)> lost;
  };
  struct Options {
    int64_t connect_timeout_ms = 3000;  // TCP connect, login, and each RPC
    int64_t max_backoff_ms = 10'000;
    int heartbeat_s = 10;
  };
  struct State {
    std::string status;   // "starting", "ready" (consuming) or "error"
    std::string message;  // why, for "starting" and "error"
  };

  // `count` counts the messages received (shared with whoever reports it).
  AmqpConsumer(AmqpConfig config, Callbacks callbacks, std::shared_ptr<std::atomic<int64_t>> count,
               Options options);
  ~AmqpConsumer();  // RequestStop, Join
  AmqpConsumer(const AmqpConsumer&) = delete;
  AmqpConsumer& operator=(const AmqpConsumer&) = delete;

  const AmqpConfig& config() const { return config_; }

  void Start();
  // Asks the thread to stop (it notices within 0.2 s, or when a connect or RPC in progress
  // times out) without waiting for it.
  void RequestStop() EXCLUDES(mu_);
  // The thread has returned (Join will not wait).
  bool Done() const { return done_.load(); }
  void Join();

  State state() const EXCLUDES(mu_);

 private:
  void Run();
  // One connection: connects, declares, binds and consumes until it fails or a stop is
  // requested. "" when stopped, else why it failed; *consumed says whether it got as far as
  // consuming.
  std::string Session(bool* consumed);
  void SetState(std::string status, std::string message) EXCLUDES(mu_);
  bool Stopping() const { return stop_.load(); }

  const AmqpConfig config_;
  const Callbacks callbacks_;
  const std::shared_ptr<std::atomic<int64_t>> count_;
  const Options options_;
  mutable Mutex mu_;
  CondVar wake_;  // RequestStop: ends a back-off early
  State state_ GUARDED_BY(mu_);
  std::atomic<bool> stop_{false};
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace stator::knix

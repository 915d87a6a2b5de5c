// AmqpTriggers: the consumers of KNIX's AMQP triggers (knix-protocol.md §1.7; KNIX's
// TriggersFrontend/src/amqp_trigger.rs). An AMQP trigger whose record has an *active*
// association (a deployed workflow; KnixService decides through Active) has one AmqpConsumer on
// this node, a thread holding one connection to the trigger's broker; a message it receives is
// delivered to the trigger's workflows (KnixService::DeliverAmqp), and a consumer that loses its
// connection reports it once (KnixService::DeliverAmqpError) and reconnects with back-off.
//
// The consumers follow the trigger records (knix.triggers, trigger_actions.cc): a supervisor
// thread reads them all at Start, when told (Changed: a trigger written or deleted on this node;
// Wake: a workflow deployed or undeployed), and every Options::rescan_ms (changes made on other
// nodes, undeploys), and starts, stops or restarts (trigger_info changed) consumers to match.
// A consumer that is stopped ends its connection within 0.2 s, or when a connect or RPC in
// progress times out (AmqpConsumer::Options::connect_timeout_ms); its thread is joined by the
// supervisor once it has returned, never by a caller of Changed.
//
// In a cluster every node runs a consumer of each active trigger on the same queue (named by the
// trigger's id, as in KNIX): the broker hands each message to one of them (competing consumers),
// so each message runs the workflows once in the cluster. With `exclusive`, one node holds the
// queue and the others retry (their status says so) until it lets go.
//
// At most Options::max_consumers consumers (threads) run on a node; a trigger beyond that says
// so in its status.
//
// Ownership: borrows the store (must outlive it); owns the supervisor and the consumers.
// Thread-safety: every method may be called from any thread; the callbacks run on consumer
// threads (several at once), never under a lock of this class, and never after Stop returned.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>

#include "common/json.h"
#include "common/mutex.h"
#include "knix/amqp_consumer.h"
#include "store/store.h"

namespace stator::knix {

class AmqpTriggers {
 public:
  struct Callbacks {
    // Whether trigger `key` (USER/NAME, its record parsed) has an association to deliver to.
    std::function<bool(const std::string& key, const json::Value& record)> active;
    // A message of trigger `key`: its routing key and body.
    std::function<void(const std::string& key, const std::string& routing_key,
                       const std::string& body)>
        message;
    // The consumer of trigger `key` lost its connection (why).
    std::function<void(const std::string& key, const std::string& why)> lost;
  };
  struct Options {
    int64_t rescan_ms = 1000;
    size_t max_consumers = 64;
    AmqpConsumer::Options consumer;
  };
  // A trigger's state on this node, for getTriggerDetails.
  struct Status {
    std::string status;   // "ready", "starting" or "error"
    std::string message;  // why ("" when ready and consuming)
    int64_t count = 0;    // messages received by this node's consumers since it started
  };

  AmqpTriggers(store::Store* store, Callbacks callbacks, Options options);
  ~AmqpTriggers();  // as Stop
  AmqpTriggers(const AmqpTriggers&) = delete;
  AmqpTriggers& operator=(const AmqpTriggers&) = delete;

  void Start() EXCLUDES(mu_);
  // Stops the supervisor and every consumer; no callback runs once it has returned.
  void Stop() EXCLUDES(mu_);

  // Trigger `key` was written or deleted on this node.
  void Changed(const std::string& key) EXCLUDES(mu_);
  // A workflow was deployed, undeployed or deleted on this node: associations may have changed.
  void Wake() EXCLUDES(mu_);

  // The state of AMQP trigger `key` whose record holds `trigger_info`.
  Status StatusOf(const std::string& key, const json::Value& trigger_info) EXCLUDES(mu_);

 private:
  void Run() EXCLUDES(mu_);
  struct Scanned {
    std::set<std::string> exist;             // every AMQP trigger
    std::map<std::string, AmqpConfig> want;  // the active ones' configs
  };
  // Reads the records, or nullopt when the store failed.
  std::optional<Scanned> Scan();
  // Starts and stops consumers to match.
  void Reconcile(const Scanned& scanned) EXCLUDES(mu_);
  // Joins the stopped consumers whose threads have returned (all of them with `all`).
  void Reap(bool all) EXCLUDES(mu_);

  store::Store* const store_;
  const Callbacks callbacks_;
  const Options options_;
  Mutex mu_;
  CondVar wake_;
  bool stopping_ GUARDED_BY(mu_) = false;
  bool started_ GUARDED_BY(mu_) = false;
  bool dirty_ GUARDED_BY(mu_) = false;  // Changed/Wake since the last scan
  std::map<std::string, std::unique_ptr<AmqpConsumer>> consumers_ GUARDED_BY(mu_);
  // Stopped consumers whose threads have not returned yet, by trigger.
  std::list<std::pair<std::string, std::unique_ptr<AmqpConsumer>>> stopping_consumers_
      GUARDED_BY(mu_);
  std::map<std::string, std::shared_ptr<std::atomic<int64_t>>> counts_ GUARDED_BY(mu_);
  std::set<std::string> over_limit_ GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace stator::knix

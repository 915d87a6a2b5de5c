// AmqpConsumer: one AMQP trigger's consumer on rabbitmq-c, reconnecting with back-off.
#include "knix/amqp_consumer.h"

#include <amqp.h>
#include <amqp_ssl_socket.h>
#include <amqp_tcp_socket.h>
#include <sys/time.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <random>
#include <utility>
#include <vector>

namespace stator::knix {
namespace {

constexpr amqp_channel_t kChannel = 1;
constexpr int64_t kFirstBackoffMs = 250;
constexpr int kPollMs = 200;  // how often a consumer waiting for messages looks at stop_
constexpr const char* kCaBundle = "/etc/ssl/certs/ca-certificates.crt";

timeval Millis(int64_t ms) {
  return timeval{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
}

amqp_bytes_t Bytes(const std::string& s) { return amqp_bytes_t{s.size(), (void*)s.data()}; }

std::string Text(amqp_bytes_t b) { return std::string(static_cast<const char*>(b.bytes), b.len); }

bool ValidUtf8(const std::string& s) {
  static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    const unsigned char c = s[i];
    size_t extra = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (n - i <= extra) return false;
    for (size_t k = 1; k <= extra; ++k) {
      const unsigned char d = s[i + k];
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    if (cp < kMin[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

// Why an RPC failed ("" when it did not).
std::string ReplyError(const amqp_rpc_reply_t& r, const std::string& what) {
  switch (r.reply_type) {
    case AMQP_RESPONSE_NORMAL:
      return "";
    case AMQP_RESPONSE_NONE:
      return what + ": no reply from the broker";
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
      return what + ": " + amqp_error_string2(r.library_error);
    case AMQP_RESPONSE_SERVER_EXCEPTION:
      if (r.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
        auto* m = static_cast<amqp_connection_close_t*>(r.reply.decoded);
        return what + ": the broker closed the connection: " + std::to_string(m->reply_code) + " " +
               Text(m->reply_text);
      }
      if (r.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
        auto* m = static_cast<amqp_channel_close_t*>(r.reply.decoded);
        return what + ": the broker closed the channel: " + std::to_string(m->reply_code) + " " +
               Text(m->reply_text);
      }
      return what + ": unexpected reply from the broker";
  }
  return what + ": failed";
}

// The URL parsed by rabbitmq-c (whose fields point into `buffer`).
struct ParsedUrl {
  std::vector<char> buffer;
  amqp_connection_info info{};
};

std::string Parse(const std::string& addr, ParsedUrl* out) {
  out->buffer.assign(addr.begin(), addr.end());
  out->buffer.push_back('\0');
  amqp_default_connection_info(&out->info);
  int s = amqp_parse_url(out->buffer.data(), &out->info);
  if (s != AMQP_STATUS_OK) {
    return "amqp_addr is not an AMQP URL (amqp://user:password@host:port/vhost): " +
           std::string(amqp_error_string2(s));
  }
  return "";
}

}  // namespace

AmqpConfig AmqpConfig::FromTriggerInfo(const json::Value& info, const std::string& trigger_id) {
  AmqpConfig c;
  auto str = [&](const char* key, std::string* out) {
    const json::Value* v = info.is_object() ? info.Find(key) : nullptr;
    if (v != nullptr && v->is_string()) *out = v->as_string();
  };
  auto flag = [&](const char* key, bool* out) {
    const json::Value* v = info.is_object() ? info.Find(key) : nullptr;
    if (v != nullptr && v->is_bool()) *out = v->as_bool();
  };
  str("amqp_addr", &c.addr);
  str("routing_key", &c.routing_key);
  str("exchange", &c.exchange);
  if (c.exchange.empty()) c.exchange = "egress_exchange";
  c.queue = trigger_id;
  flag("durable", &c.durable);
  flag("exclusive", &c.exclusive);
  flag("auto_delete", &c.auto_delete);
  flag("no_wait", &c.no_wait);
  flag("with_ack", &c.with_ack);
  if (const json::Value* p = info.is_object() ? info.Find("ignore_message_probability") : nullptr;
      p != nullptr && (p->is_double() || p->is_int())) {
    c.ignore_message_probability = p->is_double() ? p->as_double() : double(p->as_int());
  }
  return c;
}

std::string CheckAmqpAddress(const std::string& addr) {
  ParsedUrl url;
  return Parse(addr, &url);
}

AmqpConsumer::AmqpConsumer(AmqpConfig config, Callbacks callbacks,
                           std::shared_ptr<std::atomic<int64_t>> count, Options options)
    : config_(std::move(config)),
      callbacks_(std::move(callbacks)),
      count_(std::move(count)),
      options_(options) {
  state_ = State{"starting", "connecting to the broker"};
}

AmqpConsumer::~AmqpConsumer() {
  RequestStop();
  Join();
}

void AmqpConsumer::Start() {
  thread_ = std::thread([this] {
    Run();
    done_.store(true);
  });
}

void AmqpConsumer::RequestStop() {
  stop_.store(true);
  MutexLock lock(&mu_);
  wake_.SignalAll();
}

void AmqpConsumer::Join() {
  if (thread_.joinable()) thread_.join();
}

AmqpConsumer::State AmqpConsumer::state() const {
  MutexLock lock(&mu_);
  return state_;
}

void AmqpConsumer::SetState(std::string status, std::string message) {
  MutexLock lock(&mu_);
  state_ = State{std::move(status), std::move(message)};
}

void AmqpConsumer::Run() {
  if (std::string bad = CheckAmqpAddress(config_.addr); !bad.empty()) {
    SetState("error", bad);  // not retried: the trigger's record must change
    return;
  }
  int64_t backoff_ms = kFirstBackoffMs;
  while (!Stopping()) {
    bool consumed = false;
    std::string why = Session(&consumed);
    if (Stopping()) return;
    if (consumed) {
      backoff_ms = kFirstBackoffMs;
      if (callbacks_.lost) callbacks_.lost(why);
    }
    SetState("error", why + " (retrying in " + std::to_string(backoff_ms) + " ms)");
    MutexLock lock(&mu_);
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(backoff_ms);
    while (!Stopping() && std::chrono::steady_clock::now() < until) wake_.WaitUntil(&mu_, until);
    backoff_ms = std::min(backoff_ms * 2, options_.max_backoff_ms);
  }
}

std::string AmqpConsumer::Session(bool* consumed) {
  ParsedUrl url;
  if (std::string bad = Parse(config_.addr, &url); !bad.empty()) return bad;
  const amqp_connection_info& info = url.info;
  amqp_connection_state_t conn = amqp_new_connection();
  bool logged_in = false;
  bool healthy = true;  // worth a polite connection.close at the end
  struct Closer {
    amqp_connection_state_t conn;
    bool* logged_in;
    bool* healthy;
    ~Closer() {
      if (*logged_in && *healthy) amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
      amqp_destroy_connection(conn);
    }
  } closer{conn, &logged_in, &healthy};

  const std::string where = std::string(info.host) + ":" + std::to_string(info.port);
  amqp_socket_t* socket = nullptr;
  if (info.ssl) {
    socket = amqp_ssl_socket_new(conn);
    if (socket != nullptr && amqp_ssl_socket_set_cacert(socket, kCaBundle) != AMQP_STATUS_OK) {
      return "amqps: cannot read the CA certificates " + std::string(kCaBundle);
    }
  } else {
    socket = amqp_tcp_socket_new(conn);
  }
  if (socket == nullptr) return "cannot create a socket";
  timeval timeout = Millis(options_.connect_timeout_ms);
  amqp_set_handshake_timeout(conn, &timeout);
  amqp_set_rpc_timeout(conn, &timeout);
  int s = amqp_socket_open_noblock(socket, info.host, info.port, &timeout);
  if (s != AMQP_STATUS_OK) {
    healthy = false;
    return "cannot connect to the broker at " + where + ": " + amqp_error_string2(s);
  }
  if (Stopping()) return "";
  amqp_rpc_reply_t r =
      amqp_login(conn, info.vhost, 0, AMQP_DEFAULT_FRAME_SIZE, options_.heartbeat_s,
                 AMQP_SASL_METHOD_PLAIN, info.user, info.password);
  if (std::string e = ReplyError(r, "login to " + where); !e.empty()) {
    healthy = false;
    return e;
  }
  logged_in = true;
  auto failed = [&](const char* what) {
    std::string e = ReplyError(amqp_get_rpc_reply(conn), what);
    if (!e.empty()) healthy = false;
    return e;
  };
  amqp_channel_open(conn, kChannel);
  if (std::string e = failed("channel.open"); !e.empty()) return e;
  amqp_queue_declare(conn, kChannel, Bytes(config_.queue), /*passive=*/0, config_.durable,
                     config_.exclusive, config_.auto_delete, amqp_empty_table);
  if (std::string e = failed("queue.declare"); !e.empty()) return e;
  amqp_queue_bind(conn, kChannel, Bytes(config_.queue), Bytes(config_.exchange),
                  Bytes(config_.routing_key), amqp_empty_table);
  if (std::string e = failed("queue.bind"); !e.empty()) return e;
  if (config_.with_ack) {
    amqp_basic_qos(conn, kChannel, 0, /*prefetch_count=*/32, 0);
    if (std::string e = failed("basic.qos"); !e.empty()) return e;
  }
  amqp_basic_consume(conn, kChannel, Bytes(config_.queue), amqp_empty_bytes, /*no_local=*/0,
                     /*no_ack=*/config_.with_ack ? 0 : 1, /*exclusive=*/0, amqp_empty_table);
  if (std::string e = failed("basic.consume"); !e.empty()) return e;
  *consumed = true;
  SetState("ready", "");

  std::mt19937 random(std::random_device{}());
  std::uniform_real_distribution<double> percent(0.0, 100.0);
  while (!Stopping()) {
    amqp_maybe_release_buffers(conn);
    amqp_envelope_t envelope;
    timeval poll = Millis(kPollMs);
    r = amqp_consume_message(conn, &envelope, &poll, 0);
    if (r.reply_type == AMQP_RESPONSE_NORMAL) {
      count_->fetch_add(1);
      std::string body = Text(envelope.message.body);
      std::string routing_key = Text(envelope.routing_key);
      const uint64_t tag = envelope.delivery_tag;
      amqp_destroy_envelope(&envelope);
      const bool ignore = config_.ignore_message_probability > 0.0 &&
                          percent(random) <= config_.ignore_message_probability;
      if (!ignore && ValidUtf8(body)) {
        callbacks_.message(routing_key, body);
      } else if (!ignore) {
        std::cerr << "stator: knix: AMQP trigger " << config_.queue
                  << ": a message whose body is not UTF-8 was dropped\n";
      }
      if (config_.with_ack) {
        s = amqp_basic_ack(conn, kChannel, tag, 0);
        if (s != AMQP_STATUS_OK) {
          healthy = false;
          return std::string("basic.ack: ") + amqp_error_string2(s);
        }
      }
      continue;
    }
    if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && r.library_error == AMQP_STATUS_TIMEOUT) {
      continue;
    }
    if (r.reply_type != AMQP_RESPONSE_LIBRARY_EXCEPTION ||
        r.library_error != AMQP_STATUS_UNEXPECTED_STATE) {
      healthy = false;
      return ReplyError(r, "the connection to " + where + " failed");
    }
    // A frame other than a delivery: the broker closing something, or cancelling the consumer.
    amqp_frame_t frame;
    timeval wait = Millis(options_.connect_timeout_ms);
    s = amqp_simple_wait_frame_noblock(conn, &frame, &wait);
    if (s != AMQP_STATUS_OK) {
      healthy = false;
      return "the connection to " + where + " failed: " + amqp_error_string2(s);
    }
    if (frame.frame_type != AMQP_FRAME_METHOD) continue;
    switch (frame.payload.method.id) {
      case AMQP_CONNECTION_CLOSE_METHOD: {
        auto* m = static_cast<amqp_connection_close_t*>(frame.payload.method.decoded);
        healthy = false;
        return "the broker closed the connection: " + std::to_string(m->reply_code) + " " +
               Text(m->reply_text);
      }
      case AMQP_CHANNEL_CLOSE_METHOD: {
        auto* m = static_cast<amqp_channel_close_t*>(frame.payload.method.decoded);
        return "the broker closed the channel: " + std::to_string(m->reply_code) + " " +
               Text(m->reply_text);
      }
      case AMQP_BASIC_CANCEL_METHOD:
        return "the broker cancelled the consumer (the queue " + config_.queue + " was deleted?)";
      default:
        break;  // basic.return, basic.ack, ...: nothing to do
    }
  }
  return "";
}

}  // namespace stator::knix

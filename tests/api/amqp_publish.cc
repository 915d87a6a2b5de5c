// amqp_publish: a minimal AMQP 0-9-1 publisher for test_knix_triggers_amqp.py (rabbitmq-c).
//
// usage: amqp_publish URL EXCHANGE ROUTING_KEY [--declare TYPE] [--hex] BODY...
//   Connects to URL (amqp://user:pass@host:port/vhost), declares EXCHANGE (non-durable) of TYPE
//   (topic, direct, fanout) when --declare is given, and publishes each BODY (hex-decoded with
//   --hex) to EXCHANGE with ROUTING_KEY, in order. Exits 0 when every publish was written, 1
//   with a message on stderr otherwise.
#include <amqp.h>
#include <amqp_tcp_socket.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace {

bool Ok(amqp_rpc_reply_t r, const char* what) {
  if (r.reply_type == AMQP_RESPONSE_NORMAL) return true;
  std::fprintf(stderr, "amqp_publish: %s failed (reply type %d, library error %s)\n", what,
               r.reply_type, amqp_error_string2(r.library_error));
  return false;
}

std::string Unhex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: amqp_publish URL EXCHANGE ROUTING_KEY [--declare TYPE] BODY...\n");
    return 2;
  }
  std::vector<char> url(argv[1], argv[1] + std::strlen(argv[1]) + 1);
  const std::string exchange = argv[2];
  const std::string routing_key = argv[3];
  std::string declare;
  bool hex = false;
  std::vector<std::string> bodies;
  for (int i = 4; i < argc; ++i) {
    if (std::strcmp(argv[i], "--declare") == 0 && i + 1 < argc) {
      declare = argv[++i];
    } else if (std::strcmp(argv[i], "--hex") == 0) {
      hex = true;
    } else {
      bodies.push_back(hex ? Unhex(argv[i]) : argv[i]);
    }
  }
  amqp_connection_info info;
  amqp_default_connection_info(&info);
  if (amqp_parse_url(url.data(), &info) != AMQP_STATUS_OK) {
    std::fprintf(stderr, "amqp_publish: not an AMQP URL: %s\n", argv[1]);
    return 1;
  }
  amqp_connection_state_t conn = amqp_new_connection();
  amqp_socket_t* socket = amqp_tcp_socket_new(conn);
  timeval timeout{5, 0};
  if (socket == nullptr ||
      amqp_socket_open_noblock(socket, info.host, info.port, &timeout) != AMQP_STATUS_OK) {
    std::fprintf(stderr, "amqp_publish: cannot connect to %s:%d\n", info.host, info.port);
    return 1;
  }
  if (!Ok(amqp_login(conn, info.vhost, 0, AMQP_DEFAULT_FRAME_SIZE, 0, AMQP_SASL_METHOD_PLAIN,
                     info.user, info.password),
          "login")) {
    return 1;
  }
  amqp_channel_open(conn, 1);
  if (!Ok(amqp_get_rpc_reply(conn), "channel.open")) return 1;
  if (!declare.empty()) {
    amqp_exchange_declare(conn, 1, amqp_cstring_bytes(exchange.c_str()),
                          amqp_cstring_bytes(declare.c_str()), 0, 0, 0, 0, amqp_empty_table);
    if (!Ok(amqp_get_rpc_reply(conn), "exchange.declare")) return 1;
  }
  for (const std::string& body : bodies) {
    amqp_bytes_t b{body.size(), const_cast<char*>(body.data())};
    int s = amqp_basic_publish(conn, 1, amqp_cstring_bytes(exchange.c_str()),
                               amqp_cstring_bytes(routing_key.c_str()), 0, 0, nullptr, b);
    if (s != AMQP_STATUS_OK) {
      std::fprintf(stderr, "amqp_publish: basic.publish: %s\n", amqp_error_string2(s));
      return 1;
    }
  }
  // A round trip after the publishes: they have reached the broker when it answers.
  amqp_channel_close(conn, 1, AMQP_REPLY_SUCCESS);
  amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
  amqp_destroy_connection(conn);
  return 0;
}

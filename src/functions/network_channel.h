// The network channel: how a sandboxed function reaches stator, and nothing else.
//
// A sandboxed zygote runs in a network namespace of its own (only loopback). Its relay process
// (runtime/stator_runtime.py) listens on 127.0.0.1:PORT inside and, for each connection it
// accepts, sends a 'C' frame {"id": N} over the network channel, a SOCK_SEQPACKET socket pair
// whose other end (the zygote's fd 4) the server's reactor watches. AnswerNetworkRequests
// answers each request at once with a 'C' frame {"id": N, "error": null} carrying (SCM_RIGHTS)
// a TCP socket connecting, non-blocking, to the server's own endpoint (Upstream), or
// {"id": N, "error": "..."} without one. The request carries no address: the channel connects to
// the endpoint and to nothing else, whatever is asked. Nothing is kept per request (each is
// answered before the next is read, and the server's copy of the socket is closed once sent);
// malformed requests are dropped unanswered, and so is an answer the relay does not take.
//
// Thread-safety: pure functions of their arguments (and the channel socket).
#pragma once

#include <sys/socket.h>

#include <string>

#include "common/result.h"

namespace stator::functions {

// The server's own listening address: what the channel connects sandboxed functions to.
struct Upstream {
  sockaddr_storage address{};
  socklen_t length = 0;
  int port = 0;
};

// The address of an endpoint URL ("http://HOST:PORT", "http://[V6]:PORT"); a wildcard host is
// reached on loopback. Errors ("InvalidEndpoint"): not such a URL, or a host that does not
// resolve.
Result<Upstream> ResolveEndpoint(const std::string& endpoint);

// At most this many requests are answered per call: a flood from one function cannot hold the
// reactor (level-triggered epoll brings the rest back on its next round, after everyone
// else's events).
inline constexpr int kNetworkRequestsPerWake = 16;

// Answers the requests waiting on `channel` (non-blocking; at most kNetworkRequestsPerWake).
// Returns false when the channel has closed or failed (the relay is gone): the caller closes
// its end.
bool AnswerNetworkRequests(int channel, const Upstream& upstream);

}  // namespace stator::functions

// `stator serve`: the AWS-compatible API server. Every service it speaks (Step Functions over
// AWS JSON 1.0, Lambda over REST, DynamoDB over AWS JSON 1.0) shares one port, as the AWS SDKs
// expect when given one endpoint URL; api::Dispatch picks the service of each request.
//
// Serve() runs the server until SIGINT or SIGTERM, then shuts down gracefully and returns the
// process exit code (0 after a clean shutdown, 1 when it could not start). Once listening it
// prints exactly one line on stdout,
//   stator listening on http://HOST:PORT
// (PORT is the bound port, useful with --port 0), so that scripts and tests can connect.
//
// ApiServer is the same server as an object, for embedding and tests: Start() returns once it
// is listening; Stop() (or destruction) shuts it down gracefully.
//
// Thread-safety: ApiServer::Stop may be called from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/result.h"

namespace stator::server {

struct ServeOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0: an ephemeral port
  std::string data_dir;  // empty: keep everything in memory (or in store_uri's database)
  // A PostgreSQL connection URI (postgresql://USER@HOST:PORT/DB): keep everything there instead,
  // as one node of a cluster (docs/cluster.md). Exclusive with data_dir.
  std::string store_uri;
  // This node's name in the cluster's leases; "" = a random one at each start. A node restarted
  // with the same id takes its executions back at once instead of after their leases expire.
  std::string node_id;
  int activity_poll_seconds = 60;  // GetActivityTask's long poll (AWS: 60 s)
  int lease_seconds = 10;          // how long a node's executions stay its own without renewal
  std::string account = "123456789012";
  std::string region = "us-east-1";
  // Real seconds per execution second: 1 real time, 0 virtual time (Waits and back-offs pass
  // at once), else scaled (see server_clock.h).
  double time_scale = 1.0;
  int threads = 2;            // HTTP io threads
  int execution_threads = 2;  // scheduler threads running executions (1 with virtual time)
  std::string mock_config;    // Step Functions Local mock configuration file ("" = none)
  // Functions (Lambda API, Task states calling functions; docs/functions.md):
  int function_concurrency = 10;    // warm instances per function
  int function_spares = 1;          // idle instances forked ahead of demand
  int function_idle_seconds = 300;  // idle instances (and zygotes) exit after this
  bool function_sandbox = true;     // bubblewrap when available
  // Faults injected into the store's commits (store::ParseStoreFaults: "fail-commit=N", ...),
  // for tests only; "" = none. Serve() takes it from the environment variable
  // STATOR_STORE_FAULTS.
  std::string store_faults;
};

class ApiServer {
 public:
  static Result<std::unique_ptr<ApiServer>> Start(const ServeOptions& options);
  ~ApiServer();

  uint16_t port() const;
  // "http://HOST:PORT"
  std::string endpoint() const;
  void Stop();

  class Impl;

 private:
  explicit ApiServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Runs the server in the calling thread until SIGINT/SIGTERM; returns the exit code.
// Call it before starting other threads: it blocks those signals so only it receives them.
int Serve(const ServeOptions& options);

}  // namespace stator::server

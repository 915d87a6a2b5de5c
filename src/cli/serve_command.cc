// stator serve: hands the options to server::Serve, which runs the server until a signal.
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "server/serve.h"

namespace stator::cli {

int ServeCommand(const ServeOptions& o, std::ostream& out, std::ostream& err) {
  server::ServeOptions s;
  s.host = o.host;
  s.port = static_cast<uint16_t>(o.port);
  s.data_dir = o.data_dir;
  s.store_uri = o.store_uri;
  s.node_id = o.node_id;
  s.lease_seconds = o.lease_seconds;
  s.activity_poll_seconds = o.activity_poll_seconds;
  s.account = o.account;
  s.region = o.region;
  s.time_scale = o.time_scale;
  s.threads = o.threads;
  s.execution_threads = o.execution_threads;
  s.mock_config = o.mock_config;
  s.function_concurrency = o.function_concurrency;
  s.function_spares = o.function_spares;
  s.function_idle_seconds = o.function_idle_seconds;
  s.function_sandbox = o.function_sandbox;
  int code = server::Serve(s);
  return code == 0 ? kExitSucceeded : kExitExecutionFailed;
}

}  // namespace stator::cli

#include "api/serve.h"

#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <iostream>

#include "api/aws_json/router.h"
#include "api/http_server.h"
#include "api/states_service.h"
#include "common/clock.h"
#include "store/store.h"

namespace stator::api {

class ApiServer::Impl {
 public:
  ServeOptions options;
  std::unique_ptr<store::Store> store;
  SystemClock clock;
  std::unique_ptr<StatesService> states;
  AwsJsonRouter router;
  std::unique_ptr<HttpServer> http;
};

ApiServer::ApiServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ApiServer::~ApiServer() { Stop(); }

Result<std::unique_ptr<ApiServer>> ApiServer::Start(const ServeOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  STATOR_TRY(impl->store, store::OpenStore(options.data_dir));
  ArnScope scope;
  scope.region = options.region;
  scope.account = options.account;
  impl->states = std::make_unique<StatesService>(impl->store.get(), &impl->clock, scope);
  impl->states->Register(&impl->router);

  HttpServer::Options http;
  http.host = options.host;
  http.port = options.port;
  http.threads = options.threads;
  const AwsJsonRouter* router = &impl->router;
  STATOR_TRY(impl->http,
             HttpServer::Start(http, [router](HttpRequest&& request, Responder respond) {
               router->Handle(std::move(request), std::move(respond));
             }));
  return std::unique_ptr<ApiServer>(new ApiServer(std::move(impl)));
}

uint16_t ApiServer::port() const { return impl_->http->port(); }

std::string ApiServer::endpoint() const {
  const std::string& host = impl_->options.host;
  bool v6 = host.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port());
}

void ApiServer::Stop() {
  if (impl_ && impl_->http) impl_->http->Stop();
}

int Serve(const ServeOptions& options) {
  // Block the shutdown signals in this thread before any server thread exists, so every
  // thread inherits the mask and sigwait below is the only place they arrive.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto server = ApiServer::Start(options);
  if (!server.ok()) {
    std::cerr << "stator serve: " << server.error().cause << "\n";
    return 1;
  }
  std::cout << "stator listening on " << (*server)->endpoint() << std::endl;

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  std::cerr << "stator serve: shutting down (" << (signal_number == SIGINT ? "SIGINT" : "SIGTERM")
            << ")\n";
  (*server)->Stop();
  return 0;
}

}  // namespace stator::api

// ServerTargets: a firing's Lambda invocation or StartExecution, in process.
#include "server/schedule_host.h"

#include "api/states_service.h"
#include "common/uuid.h"

namespace stator::server {

void ServerTargets::Run(const std::string& target_arn, const std::string& payload,
                        std::function<void(const std::string& error)> done) {
  // arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE (RunnableTarget checked the shape).
  size_t pos = 0;
  for (int i = 0; i < 5 && pos != std::string::npos; ++i) {
    pos = target_arn.find(':', pos);
    if (pos != std::string::npos) ++pos;
  }
  std::string resource = pos == std::string::npos ? "" : target_arn.substr(pos);
  if (resource.starts_with("function:")) {
    std::string name = resource.substr(9);
    name = name.substr(0, name.find(':'));  // a qualifier runs $LATEST: stator has no versions
    auto f = registry_->Find(name);
    if (!f.ok()) return done(f.error().error + ": " + f.error().cause);
    if (*f == nullptr) return done("ResourceNotFoundException: Function not found: " + target_arn);
    functions::Invocation inv;
    inv.request_id = NewUuid();
    inv.payload = payload;
    inv.invoked_arn = target_arn;
    inv.queue_when_busy = true;
    runtime_->Invoke(*f, std::move(inv),
                     [done = std::move(done)](Result<functions::InvocationResult> r) {
                       if (!r.ok()) return done(r.error().error + ": " + r.error().cause);
                       if (r->function_error) return done("function error: " + r->payload);
                       done("");
                     });
    return;
  }
  if (resource.starts_with("stateMachine:")) {
    json::Value input =
        json::Value::MakeObject({{"stateMachineArn", json::Value::String(target_arn)},
                                 {"input", json::Value::String(payload)}});
    router_->Call(std::string(api::kStatesTargetPrefix) + ".StartExecution", input,
                  [done = std::move(done)](ApiResult<json::Value> r) {
                    if (!r.ok()) return done(r.error().name + ": " + r.error().message);
                    done("");
                  });
    return;
  }
  done("not a Lambda function or state machine: " + target_arn);
}

}  // namespace stator::server

// An invocation's platform calls: a 'P' frame from a busy instance goes to the invocation's
// handler (after the runtime's lock is released); its reply comes back as a 'Q' frame, written
// only while the instance still runs that invocation (frame.h, runtime.h).
#include <string>

#include "common/json.h"
#include "functions/runtime_impl.h"

namespace stator::functions {
namespace {

std::string Quoted(std::string_view s) {
  std::string out;
  json::AppendQuoted(s, &out);
  return out;
}

}  // namespace

bool Workers::OnPlatformCall(Instance* inst, Call* call, Frame& f, PlatformCalls* calls) {
  auto h = json::Parse(f.header);
  if (!h.ok() || !h->is_object()) return false;
  const json::Value* id = h->Find("id");
  const json::Value* name = h->Find("call");
  if (id == nullptr || !id->is_int() || name == nullptr || !name->is_string()) return false;
  int64_t call_id = id->as_int();
  if (!call->inv.platform) {
    SendReply(inst->id(), call->serial, call_id,
              Error{"ServiceException", "this function cannot make platform calls"});
    return true;
  }
  Result<json::Value> args = f.data.empty() ? json::Value::Null() : json::Parse(f.data);
  if (!args.ok()) {
    SendReply(inst->id(), call->serial, call_id,
              Error{"InvalidParameterValueException",
                    "the arguments of a platform call are not JSON: " + args.error().cause});
    return true;
  }
  calls->push_back([handler = call->inv.platform, gate = rt_->gate, function = this->name(),
                    w = this, id = inst->id(), serial = call->serial, call_id,
                    name = name->as_string(), args = std::move(args).value()]() mutable {
    handler(std::move(name), std::move(args),
            [gate = std::move(gate), function = std::move(function), w, id, serial,
             call_id](Result<json::Value> r) {
              Impl::Reply(gate, function, w, id, serial, call_id, std::move(r));
            });
  });
  return true;
}

void Workers::SendReply(InstancePool::Id id, uint64_t serial, int64_t call_id,
                        const Result<json::Value>& result) {
  auto it = instances_.find(id);
  if (it == instances_.end()) return;
  const Call* call = pool_.RunningCall(id);
  if (call == nullptr || call->serial != serial) return;  // that invocation has ended
  Instance* inst = it->second.get();
  std::string header = "{\"id\":" + std::to_string(call_id);
  std::string data;
  if (result.ok()) {
    data = result->Dump();
  } else {
    header +=
        ",\"error\":" + Quoted(result.error().cause) + ",\"type\":" + Quoted(result.error().error);
  }
  header += "}";
  EncodeFrame('Q', header, data, inst->MoreOutput());
  AfterWrite(inst, inst->Flush());
}

void FunctionRuntime::Impl::Reply(const std::shared_ptr<ReplyGate>& gate,
                                  const std::string& function, const Workers* w, uint64_t id,
                                  uint64_t serial, int64_t call_id, Result<json::Value> result) {
  MutexLock gate_lock(&gate->mu);
  Impl* rt = gate->rt;
  if (rt == nullptr) return;  // the runtime is gone
  MutexLock lock(&rt->mu);
  // w may have been destroyed (a retired pool that finished): reach it only through the
  // runtime's own lists. (A new Workers at the same address is harmless: serials are unique.)
  Workers* found = nullptr;
  if (auto it = rt->pools.find(function); it != rt->pools.end() && it->second.get() == w) {
    found = it->second.get();
  }
  for (size_t i = 0; found == nullptr && i < rt->retired.size(); ++i) {
    if (rt->retired[i].get() == w) found = rt->retired[i].get();
  }
  if (found == nullptr) return;
  found->AssertLockHeldBy(rt);
  found->SendReply(id, serial, call_id, result);
}

}  // namespace stator::functions

// TestState: runs one state of a definition once (with mocks, a given context object and
// variables) and answers with its outcome and, at inspection level DEBUG or TRACE, its data
// processing steps. The rules live in the engine (engine/test_state.h); this file holds the
// operation's input shape and hands the request to the execution service. Clients send it to
// the "sync-" host prefix, which the server accepts like any Host.
#include "api/routes/states/operations.h"
#include "api/routes/states/state_machine_common.h"

namespace stator::api::states {

ShapeRef TestStateInput() {
  static const ShapeRef shape = [] {
    ShapeRef data = Sensitive(String(std::nullopt, 262144));  // SensitiveData
    ShapeRef state_name = Sensitive(String(1, 80));           // TestStateStateName
    return Struct({
        {"definition", Sensitive(DefinitionShape()), kRequired},
        {"roleArn", ArnShape()},
        {"input", data},
        {"inspectionLevel", Enum({"INFO", "DEBUG", "TRACE"})},
        {"revealSecrets", Boolean()},
        {"variables", data},
        {"stateName", state_name},
        {"mock", Struct({
                     {"result", data},
                     {"errorOutput", Struct({
                                         {"error", Sensitive(String(0, 256))},
                                         {"cause", Sensitive(String(0, 32768))},
                                     })},
                     {"fieldValidationMode", Enum({"STRICT", "PRESENT", "NONE"})},
                 })},
        {"context", data},
        {"stateConfiguration", Struct({
                                   {"retrierRetryCount", Integer(0)},
                                   {"errorCausedByState", state_name},
                                   {"mapIterationFailureCount", Integer(0)},
                                   {"mapItemReaderData", data},
                               })},
    });
  }();
  return shape;
}

void TestState(StatesService& service, const json::Value& input, JsonDone done) {
  service.executions().TestState(input, std::move(done));
}

}  // namespace stator::api::states

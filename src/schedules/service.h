// SchedulerService: EventBridge Scheduler's `scheduler` API (REST-JSON, 2021-06-30), as boto3's
// "scheduler" client and `aws scheduler` speak it, on the server's one port:
//
//   POST   /schedules/NAME     CreateSchedule      → {ScheduleArn}
//   GET    /schedules/NAME     GetSchedule         (?groupName=)
//   PUT    /schedules/NAME     UpdateSchedule      → {ScheduleArn} (every setting replaced)
//   DELETE /schedules/NAME     DeleteSchedule      (?groupName=&clientToken=)
//   GET    /schedules          ListSchedules       (?NamePrefix=&State=&MaxResults=&NextToken=
//                                                   &ScheduleGroup=)
//   POST|GET|DELETE /tags/ARN  TagResource, ListTagsForResource, UntagResource (?TagKeys=):
//                              on schedules (stator's extension: AWS tags schedule groups only;
//                              deploy records a schedule's stack there)
//
// Only the `default` schedule group exists. Targets must be a Lambda function or a state
// machine. A request body may carry `StatorRuleArn` (stator's extension, deploy's SAM
// `Schedule` events): the schedule stands for that EventBridge rule (schedule.h).
// Errors are AWS's: the status, header x-amzn-ErrorType, body {"Message": ...};
// ValidationException 400, ResourceNotFoundException 404, ConflictException 409.
//
// Ownership: borrows the catalog, the timers (its clock) and the runner.
// Thread-safety: Handle may be called from any thread.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/http_server.h"
#include "common/arn.h"
#include "schedules/catalog.h"
#include "schedules/runner.h"
#include "schedules/timers.h"

namespace stator::schedules {

inline constexpr const char* kSchedulesPath = "/schedules";
inline constexpr const char* kTagsPath = "/tags/";

class SchedulerService {
 public:
  SchedulerService(Catalog* catalog, const Timers* timers, Runner* runner, ArnScope scope)
      : catalog_(catalog), timers_(timers), runner_(runner), scope_(std::move(scope)) {}

  void Handle(api::HttpRequest&& request, api::Responder respond);

 private:
  // A request's path segments (decoded) and query parameters.
  struct Request {
    std::string method;
    std::vector<std::string> segments;  // "/schedules/a" -> {"schedules", "a"}
    std::vector<std::pair<std::string, std::string>> query;
    std::string body;
    std::optional<std::string> Query(const std::string& name) const;
  };
  // Each answers the operation's JSON, or an Error{AWS error code, message}.
  Result<json::Value> Create(const std::string& name, const json::Value& body);
  Result<json::Value> Update(const std::string& name, const json::Value& body);
  Result<json::Value> Get(const Request& r, const std::string& name);
  Result<json::Value> Delete(const Request& r, const std::string& name);
  Result<json::Value> List(const Request& r);
  Result<json::Value> Tags(const Request& r, const std::string& arn);
  // The schedule a request's settings describe (validated), named `name`.
  Result<Schedule> FromRequest(const std::string& name, const json::Value& body);
  Result<Schedule> Existing(const std::string& group, const std::string& name);

  Catalog* const catalog_;
  const Timers* const timers_;
  Runner* const runner_;
  const ArnScope scope_;
};

}  // namespace stator::schedules

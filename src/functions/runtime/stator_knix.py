"""stator's KNIX function context (docs/knix.md): what a KNIX function's `context` has beyond
Lambda's (KNIX's MicroFunctionsAPI): the data layer, dynamic control flow, triggers, KNIX's
attributes and the session methods, each a platform call over the instance's channel
(stator_runtime._Channel) served by the server's KNIX front door. Imported by stator_runtime.py
(the script beside it) for functions whose context is KNIX's; never run on its own.
"""

import json
import sys
import time

from stator_runtime import LambdaContext, PipelinedCallError, PlatformCallError


class MicroFunctionsDataLayerException(Exception):
    """KNIX's error for a data-layer call with bad arguments (or one the server refused)."""


def _dl_names(kind):
    def names(self, start_index=0, end_index=2147483647, is_private=False):
        if not (isinstance(start_index, int) and isinstance(end_index, int) and
                start_index >= 0 and end_index <= 2147483647 and isinstance(is_private, bool)):
            raise MicroFunctionsDataLayerException(
                f"MicroFunctionsAPI.{kind}(start_index, end_index) accepts indices between 0 "
                "and 2147483647 (defaults).")
        return self._dl(kind, is_private, start=start_index, count=end_index)
    return names


_PIPELINED = frozenset(("put", "delete", "putMapEntry", "deleteMapEntry", "clearMap",
                        "deleteMap", "addSetEntry", "removeSetEntry", "clearSet", "deleteSet",
                        "createCounter", "incrementCounter", "decrementCounter",
                        "deleteCounter"))


class _KnixDataLayer:
    """KNIX's data-layer methods (MicroFunctionsAPI), each a platform call ("dl.<method>")
    served by the server's DataLayer: the user's storage, or with is_private=True the
    workflow's. The writes (_PIPELINED: KNIX answers each with None) are pipelined: sent
    without waiting (_Channel.send) and applied by the server in the order this invocation
    sent its calls, so a read that follows sees them (it waits for its answer, which comes
    after theirs); before the invocation's result goes back, every write it sent is applied
    (_commit_queued). A pipelined write that fails raises MicroFunctionsDataLayerException
    from the data-layer call during which the instance hears of it (the next read, a later
    write's window check, or the end of the invocation, which then fails) and the writes sent
    after it until then are not applied, as if the failing call had raised there.
    A write with is_queued=True is kept here and sent (one "dl.commit" call, the writes in
    order) when the handler has returned successfully; a failed invocation's queued writes
    are dropped. As in KNIX, get() sees the queued puts and deletes of this invocation; the
    other reads see only what is stored."""

    _queued = None  # [{"call", "args"}] of this invocation, in order
    _queued_kv = None  # (is_private, key) -> value, None once deleted

    def _dl(self, method, is_private, is_queued=False, **args):
        if not isinstance(is_private, bool) or not isinstance(is_queued, bool):
            raise MicroFunctionsDataLayerException(
                f"MicroFunctionsAPI.{method}: is_private and is_queued must be booleans.")
        for name, value in args.items():
            if name not in ("start", "count", "n") and not isinstance(value, str):
                raise MicroFunctionsDataLayerException(
                    f"MicroFunctionsAPI.{method} accepts a string as '{name}'.")
        args["private"] = is_private
        if is_queued:
            if self._queued is None:
                self._queued, self._queued_kv = [], {}
            self._queued.append({"call": "dl." + method, "args": args})
            if method in ("put", "delete"):
                self._queued_kv[(is_private, args["key"])] = args.get("value")
            return None
        try:
            if method in _PIPELINED:
                args["pipelined"] = True
                self._channel.send("dl." + method, args)
                return None
            return self._channel.call("dl." + method, args)
        except PlatformCallError as e:
            raise MicroFunctionsDataLayerException(str(e)) from None

    def _commit_queued(self, succeeded=True):
        """The invocation's end (the instance loop calls it once the handler returned): waits
        until every write it sent is applied, then, when it succeeded, applies the queued
        writes. Raises MicroFunctionsDataLayerException when a write failed (then the queued
        writes are not applied)."""
        ops, self._queued, self._queued_kv = self._queued, None, None
        try:
            if succeeded and ops:
                self._channel.call("dl.commit", {"ops": ops})  # answered after the rest
            else:
                self._channel.sync()
        except PlatformCallError as e:
            raise MicroFunctionsDataLayerException(str(e)) from None

    def _drain_after_failure(self):
        """The end of an invocation whose handler raised: its writes are applied before its
        error goes back; a failed one is logged (the handler's error is the result)."""
        self._queued = self._queued_kv = None
        try:
            self._channel.sync()
        except PlatformCallError as e:
            sys.stderr.write(f"[ERROR] MicroFunctionsDataLayerException: {e}\n")

    # key/value. bucketName: one of the user's triggerable buckets instead of the default one
    # (ignored with is_private, and by queued writes, as in KNIX); a put there runs the
    # workflows associated with the bucket.
    @staticmethod
    def _bucket(args, bucketName, is_queued=False):
        if bucketName is not None and not is_queued:
            if not isinstance(bucketName, str):
                raise MicroFunctionsDataLayerException(
                    "MicroFunctionsAPI accepts a string as 'bucketName'.")
            args["bucket"] = bucketName
        return args

    def put(self, key, value, is_private=False, is_queued=False, bucketName=None):
        self._dl("put", is_private, is_queued,
                 **self._bucket({"key": key, "value": value}, bucketName, is_queued))

    def get(self, key, is_private=False, bucketName=None):
        if self._queued_kv and isinstance(key, str) and (is_private, key) in self._queued_kv:
            v = self._queued_kv[(is_private, key)]
            return "" if v is None else v
        v = self._dl("get", is_private, **self._bucket({"key": key}, bucketName))
        return "" if v is None else v

    def delete(self, key, is_private=False, is_queued=False, bucketName=None):
        self._dl("delete", is_private, is_queued,
                 **self._bucket({"key": key}, bucketName, is_queued))

    remove = delete
    getKeys = _dl_names("getKeys")
    listKeys = getKeys

    # maps
    def createMap(self, mapname, is_private=False, is_queued=False):
        return None  # no effect in KNIX either: a map exists from its first entry

    def putMapEntry(self, mapname, key, value, is_private=False, is_queued=False):
        self._dl("putMapEntry", is_private, is_queued, map=mapname, key=key, value=value)

    def getMapEntry(self, mapname, key, is_private=False):
        v = self._dl("getMapEntry", is_private, map=mapname, key=key)
        return "" if v is None else v

    def deleteMapEntry(self, mapname, key, is_private=False, is_queued=False):
        self._dl("deleteMapEntry", is_private, is_queued, map=mapname, key=key)

    def containsMapKey(self, mapname, key, is_private=False):
        return self._dl("containsMapKey", is_private, map=mapname, key=key)

    def getMapKeys(self, mapname, is_private=False):
        return set(self._dl("getMapKeys", is_private, map=mapname))

    def clearMap(self, mapname, is_private=False, is_queued=False):
        self._dl("clearMap", is_private, is_queued, map=mapname)

    def deleteMap(self, mapname, is_private=False, is_queued=False):
        self._dl("deleteMap", is_private, is_queued, map=mapname)

    def retrieveMap(self, mapname, is_private=False):
        return self._dl("retrieveMap", is_private, map=mapname)

    getMapNames = _dl_names("getMapNames")
    listMaps = getMapNames

    # sets
    def createSet(self, setname, is_private=False, is_queued=False):
        return None  # no effect in KNIX either: a set exists from its first item

    def addSetEntry(self, setname, item, is_private=False, is_queued=False):
        self._dl("addSetEntry", is_private, is_queued, set=setname, item=item)

    def removeSetEntry(self, setname, item, is_private=False, is_queued=False):
        self._dl("removeSetEntry", is_private, is_queued, set=setname, item=item)

    def containsSetItem(self, setname, item, is_private=False):
        return self._dl("containsSetItem", is_private, set=setname, item=item)

    def retrieveSet(self, setname, is_private=False):
        return set(self._dl("retrieveSet", is_private, set=setname))

    def clearSet(self, setname, is_private=False, is_queued=False):
        self._dl("clearSet", is_private, is_queued, set=setname)

    def deleteSet(self, setname, is_private=False, is_queued=False):
        self._dl("deleteSet", is_private, is_queued, set=setname)

    getSetNames = _dl_names("getSetNames")
    listSets = getSetNames

    # counters
    def _count(self, value, name):
        if not isinstance(value, int) or isinstance(value, bool):
            raise MicroFunctionsDataLayerException(
                f"MicroFunctionsAPI.{name} accepts an integer count.")
        return value

    def createCounter(self, countername, count, is_private=False, is_queued=False):
        self._dl("createCounter", is_private, is_queued, counter=countername,
                        n=self._count(count, "createCounter"))

    def getCounterValue(self, countername, is_private=False):
        return self._dl("getCounterValue", is_private, counter=countername)

    def incrementCounter(self, countername, increment, is_private=False, is_queued=False):
        self._dl("incrementCounter", is_private, is_queued, counter=countername,
                        n=self._count(increment, "incrementCounter"))

    def decrementCounter(self, countername, decrement, is_private=False, is_queued=False):
        self._dl("decrementCounter", is_private, is_queued, counter=countername,
                        n=self._count(decrement, "decrementCounter"))

    def deleteCounter(self, countername, is_private=False, is_queued=False):
        self._dl("deleteCounter", is_private, is_queued, counter=countername)

    getCounterNames = _dl_names("getCounterNames")
    listCounters = getCounterNames


class _KnixTriggers:
    """KNIX's trigger and bucket methods (MicroFunctionsAPI): management requests made as the
    workflow's owner, each a platform call ("knix.management") answered with the management
    API's {"status", "data"} envelope. Return values and printed errors are KNIX's."""

    def _invoke_management_api(self, request):
        if type(request) != type({}):
            return False, "Request must be specified as a dictionary", None
        if "data" not in request:
            return False, "Request must contain a dictionary named 'data'", None
        try:
            response = self._channel.call("knix.management", {"request": request})
        except PipelinedCallError as e:
            raise MicroFunctionsDataLayerException(str(e)) from None
        except PlatformCallError as e:
            message = "Received empty response or error status code: " + str(e)
            print("[invoke_management_api] Error: " + message)
            return False, message, None
        if type(response) == type({}) and "status" in response:
            return True, "Received a valid response from the management service", response
        message = ("Received an incorrectly formed reponse from the management service: "
                   "response body: " + str(response))
        print("[invoke_management_api] Error: " + message)
        return False, message, response

    def _management_ok(self, request, error):
        status, message, response = self._invoke_management_api(request)
        if status == False or response["status"] != "success":
            print(error + "Error message: " + str(message) + ", response: " + str(response))
            return False
        return True

    def addTriggerableBucket(self, bucketName):
        return self._management_ok(
            {"action": "addTriggerableBucket", "data": {"bucketname": bucketName}},
            "Error: Unable to add a triggerable bucket: " + str(bucketName) + ", ")

    def addStorageTriggerForWorkflow(self, workflowName, bucketName):
        return self._management_ok(
            {"action": "addStorageTriggerForWorkflow",
             "data": {"workflowname": workflowName, "bucketname": bucketName}},
            "Error: Unable to add a storage trigger for workflow " + str(workflowName) +
            ", Triggerable bucket " + str(bucketName))

    def deleteTriggerableBucket(self, bucketName):
        return self._management_ok(
            {"action": "deleteTriggerableBucket", "data": {"bucketname": bucketName}},
            "Error: Unable to delete a triggerable bucket: " + str(bucketName) + ", ")

    def deleteStorageTriggerForWorkflow(self, workflowName, bucketName):
        return self._management_ok(
            {"action": "deleteStorageTriggerForWorkflow",
             "data": {"workflowname": workflowName, "tablename": bucketName}},
            "Error: Unable to delete a storage trigger for workflow " + str(workflowName) +
            ", Triggerable bucket " + str(bucketName))

    def _getTriggerableBuckets(self):
        status, message, response = self._invoke_management_api(
            {"action": "getTriggerableBuckets", "data": {}})
        if status == False or response["status"] != "success":
            print("Error: Unable to fetch a triggerable buckets, Error message: " +
                  str(message) + ", response: " + str(response))
            return None
        return response

    def _getWorkflowDetails(self, workflowName):
        status, message, response = self._invoke_management_api(
            {"action": "getWorkflowDetails", "data": {"workflowname": workflowName}})
        if status == False or response["status"] != "success":
            print("Error: Unable to fetch details for workflow: " + str(workflowName) +
                  ", Error message: " + str(message) + ", response: " + str(response))
            return None
        return response

    def _trigger_call(self, request, error):
        status, message, response = self._invoke_management_api(request)
        if status == False or response["status"] != "success":
            error_msg = str(message) + ", response: " + str(response)
            print(error + ", Error message: " + error_msg)
            return False, error_msg
        return True, response["data"]["message"]

    def addTriggerTimer(self, trigger_name, trigger_info):
        if "timer_interval_ms" not in trigger_info:
            return False, "Missing parameter for timer trigger: timer_interval_ms"
        return self.addTrigger(trigger_name, trigger_info)

    def addTriggerAMQP(self, trigger_name, trigger_info):
        if "amqp_addr" not in trigger_info:
            return False, "Missing parameter for AMQP trigger: amqp_addr"
        if "routing_key" not in trigger_info:
            return False, "Missing parameter for AMQP trigger: routing_key"
        return self.addTrigger(trigger_name, trigger_info)

    def addTrigger(self, trigger_name, trigger_info):
        return self._trigger_call(
            {"action": "addTrigger",
             "data": {"trigger_name": trigger_name, "trigger_info": trigger_info}},
            "Error: Unable to create trigger " + str(trigger_name) + " with information: " +
            str(trigger_info))

    def addTriggerForWorkflow(self, trigger_name, workflow_name, workflow_state=""):
        # KNIX sends the state's queue topic; stator names the state itself.
        state = workflow_state if type(workflow_state) == type("") else ""
        return self._trigger_call(
            {"action": "addTriggerForWorkflow",
             "data": {"trigger_name": trigger_name, "workflow_name": workflow_name,
                      "workflow_state": state}},
            "Error: Unable to add trigger " + str(trigger_name) + " for workflow " +
            str(workflow_name))

    def deleteTriggerForWorkflow(self, trigger_name, workflow_name):
        return self._trigger_call(
            {"action": "deleteTriggerForWorkflow",
             "data": {"trigger_name": trigger_name, "workflow_name": workflow_name}},
            "Error: Unable to remove workflow: " + str(workflow_name) + " from the trigger: " +
            str(trigger_name))

    def deleteTrigger(self, trigger_name):
        return self._trigger_call(
            {"action": "deleteTrigger", "data": {"trigger_name": trigger_name}},
            "Error: Unable to delete trigger " + str(trigger_name))
class _KnixIdentity:
    """KNIX's context.identity (fixed values, as KNIX's)."""

    def __init__(self):
        self.cognito_identity_id = "knix_cognito_identity_id"
        self.cognito_identity_pool_id = "knix_cognito_identity_pool_id"


class _KnixMobileClient:
    """KNIX's context.client_context.client (fixed values, as KNIX's)."""

    def __init__(self):
        self.installation_id = "knix_installation_id"
        self.app_title = "knix_app_title"
        self.app_version_name = "knix_app_version_name"
        self.app_version_code = "knix_app_version_code"
        self.app_package_name = "knix_app_package_name"


class _KnixClientContext:
    def __init__(self):
        self.client = _KnixMobileClient()
        self.custom = {"knix_custom": True}
        self.env = {"knix_env": "test"}


class _KnixAttributes:
    """KNIX's AWS-style context attributes (MicroFunctionsAPI): from the invocation's "ctx"
    (the state name and the execution's key) where the server sent one."""

    _key = None

    def _knix_attributes(self, ctx):
        if not ctx:
            return
        name = ctx.get("state", self.function_name)
        self._key = ctx.get("key")
        self.function_name = name
        self.function_version = 1
        self.invoked_function_arn = name + ":1"
        self.memory_limit_in_mb = int(self.memory_limit_in_mb)
        self.aws_request_id = self._key
        self.log_group_name = "/knix/mfn/" + name
        self.log_stream_name = time.strftime("%Y/%m/%d", time.gmtime()) + "[$LATEST]" + name
        self.identity = _KnixIdentity()
        self.client_context = _KnixClientContext()

    def get_event_key(self):
        return self._key

    def get_instance_id(self):
        return self._key

    def ping(self, num):
        return "pong " + str(num)

    def get_context_object_properties(self):
        ident, cc = self.identity, self.client_context
        return json.dumps({
            "function_name": self.function_name,
            "function_version": self.function_version,
            "invoked_function_arn": self.invoked_function_arn,
            "memory_limit_in_mb": self.memory_limit_in_mb,
            "aws_request_id": self.aws_request_id,
            "log_group_name": self.log_group_name,
            "log_stream_name": self.log_stream_name,
            "identity": None if ident is None else {
                "cognito_identity_id": ident.cognito_identity_id,
                "cognito_identity_pool_id": ident.cognito_identity_pool_id},
            "client_context": None if cc is None else {
                "client": dict(vars(cc.client)), "custom": cc.custom, "env": cc.env},
        })


class MicroFunctionsSessionAPIException(Exception):
    """KNIX's error for a session call with bad arguments (or one the server refused)."""


def _session_value_ok(value):
    return value is None or isinstance(value, (str, dict, list, int, float))


class _KnixSessions:
    """KNIX's session methods (MicroFunctionsAPI), each a platform call ("session.<name>")
    served by the server's session registry (src/knix/sessions.h). The invocation's "ctx"
    says its session ({"id", "function_id" for a session function instance}); without one the
    workflow has no session function and the methods warn and answer nothing, as KNIX's.
    Messages sent with send_now=False are kept here and sent when the handler has returned
    successfully (KNIX: at the end of the function); a failed invocation's are dropped."""

    _session = None   # ctx["session"], or None outside a session workflow
    _session_out = None  # queued messages of this invocation

    def _warn(self, text):
        print(f"[WARNING] {text}", flush=True)

    def _sc(self, call, args=None):
        try:
            r = self._channel.call("session." + call, args or {})
        except PipelinedCallError as e:
            raise MicroFunctionsDataLayerException(str(e)) from None
        except PlatformCallError as e:
            raise MicroFunctionsSessionAPIException(str(e)) from None
        if r.get("w"):
            self._warn(r["w"])
        return r.get("v")

    def _in_session(self, what):
        if self._session is None:
            self._warn(f"Cannot {what} in a workflow with no session functions.")
            return False
        return True

    def _session_function(self, what):
        if self._session is None or "function_id" not in self._session:
            self._warn(f"Cannot {what} in a non-session function.")
            return False
        return True

    def _send(self, to, target, message, send_now):
        if not _session_value_ok(message):
            raise MicroFunctionsSessionAPIException(
                "Malformed message: 'message' must a python data type (dict, list, str, int, "
                "float, or None).")
        if not self._in_session("send a session update message"):
            return
        m = {"to": to, "target": target, "message": message}
        if send_now:
            self._reached(m, self._sc("send", {"messages": [m]})[0])
        else:
            if self._session_out is None:
                self._session_out = []
            self._session_out.append(m)

    def _reached(self, m, n):
        if n == 0 and m["to"] == "id":
            self._warn("[SessionUtils] No such running function instance: " + str(m["target"]))
        elif n == 0 and m["to"] == "alias":
            self._warn("Cannot send message to session function with alias; no session "
                       "function with that alias.")

    def _flush_session(self):
        """Sends the queued messages (the instance loop calls it once the handler succeeded)."""
        if not self._session_out:
            return
        out, self._session_out = self._session_out, None
        for m, n in zip(out, self._sc("send", {"messages": out})):
            self._reached(m, n)

    def send_to_running_function_in_session(self, rgid, message, send_now=False,
                                            session_metadata=None):
        self._send("id", rgid, message, send_now)

    def send_to_all_running_functions_in_session_with_function_name(self, gname, message,
                                                                     send_now=False):
        self._send("name", gname, message, send_now)

    def send_to_all_running_functions_in_session(self, message, send_now=False):
        self._send("all", "", message, send_now)

    def send_to_running_function_in_session_with_alias(self, alias, message, send_now=False):
        self._send("alias", alias, message, send_now)

    def get_session_update_messages(self, count=1, block=False):
        if self._session is None or "function_id" not in self._session:
            self._warn("Cannot get session update messages in a non-session function: " +
                       str(self.function_name))
            return []
        return self._sc("get", {"count": count, "block": bool(block)})

    def is_still_running(self):
        if not self._session_function("get status of running"):
            return None
        return self._sc("running")

    def set_session_alias(self, alias):
        if not isinstance(alias, str):
            raise MicroFunctionsSessionAPIException(
                "Invalid session alias; must be a non-empty string.")
        if alias == "":
            raise MicroFunctionsSessionAPIException("Session alias cannot be empty.")
        if self._in_session("set a session alias"):
            self._sc("set_alias", {"alias": alias})

    def unset_session_alias(self):
        if self._in_session("unset a session alias"):
            self._sc("unset_alias")

    def get_session_alias(self):
        if not self._in_session("get a session alias"):
            return ""
        return self._sc("get_alias")

    def set_session_function_alias(self, alias, session_function_id=None):
        if not isinstance(alias, str):
            raise MicroFunctionsSessionAPIException(
                "Invalid session function alias; must be a non-empty string.")
        if alias == "":
            raise MicroFunctionsSessionAPIException("Session function alias cannot be empty.")
        if session_function_id is None and not self._session_function(
                "set a session function alias"):
            return
        if self._in_session("set a session function alias"):
            self._sc("set_function_alias", {"alias": alias, "id": session_function_id})

    def unset_session_function_alias(self, session_function_id=None):
        if session_function_id is None and not self._session_function(
                "unset a session function alias"):
            return
        if self._in_session("unset a session function alias"):
            self._sc("unset_function_alias", {"id": session_function_id})

    def get_session_function_alias(self, session_function_id=None):
        if session_function_id is None and not self._session_function(
                "get a session function alias"):
            return None
        if not self._in_session("get a session function alias"):
            return None
        return self._sc("get_function_alias", {"id": session_function_id})

    def get_all_session_function_aliases(self):
        if not self._in_session("get session function aliases"):
            return {}
        return self._sc("function_aliases")

    def get_alias_summary(self):
        if not self._in_session("get alias summary for session"):
            return {}
        return self._sc("alias_summary")

    def get_session_id(self):
        if not self._in_session("get a session id"):
            return None
        return self._session["id"]

    def get_session_function_id(self):
        if not self._session_function("get session function id"):
            return None
        return self._session["function_id"]

    def get_session_function_id_with_alias(self, alias=None):
        if alias is None:
            return self.get_session_function_id()
        if not self._in_session("get a session function id"):
            return None
        return self._sc("function_id_with_alias", {"alias": alias})

    def get_all_session_function_ids(self):
        if not self._in_session("get session function ids"):
            return []
        return self._sc("function_ids")

    def get_all_session_metadata(self):
        if not self._in_session("get session metadata"):
            return {}
        return self._sc("metadata")


class MicroFunctionsWorkflowException(Exception):
    """KNIX's error for a dynamic-flow call the workflow does not allow."""


class _KnixFlow:
    """KNIX's dynamic control flow (MicroFunctionsAPI). add_workflow_next(next, value) (alias
    add_dynamic_next) sends value to state `next` once this function has returned (a state of
    its PotentialNext, or "end"); send_to_function_now(destination, value) sends it at once (any
    state, or "end"; the workflow needs AllowImmediateMessages). Each is a platform call
    ("wf.next") that the server checks, raising MicroFunctionsWorkflowException with KNIX's
    message when the workflow does not allow it. add_dynamic_workflow takes {"next", "value"}
    dicts; get_dynamic_workflow lists the routes added so far."""

    _dynamic = None

    def _route(self, next, value, now):
        if not isinstance(next, str):
            raise MicroFunctionsWorkflowException(
                "Malformed dynamic trigger definition; 'next' must be a string.")
        try:
            self._channel.call("wf.next", {"next": next, "value": value, "now": now})
        except PipelinedCallError as e:
            raise MicroFunctionsDataLayerException(str(e)) from None
        except PlatformCallError as e:
            raise MicroFunctionsWorkflowException(str(e)) from None
        except (TypeError, ValueError):
            raise MicroFunctionsWorkflowException(
                "\nMalformed dynamic trigger definition; 'value' must be a python data type "
                "(dict, list, str, int, float, or None).") from None

    def add_workflow_next(self, next, value):
        self._route(next, value, False)
        if self._dynamic is None:
            self._dynamic = []
        self._dynamic.append({"next": next, "value": value, "is_privileged": False})

    add_dynamic_next = add_workflow_next

    def send_to_function_now(self, destination, value):
        self._route(destination, value, True)

    def add_dynamic_workflow(self, dynamic_trigger):
        triggers = dynamic_trigger if isinstance(dynamic_trigger, list) else [dynamic_trigger]
        if not isinstance(dynamic_trigger, (dict, list)):
            raise MicroFunctionsWorkflowException(
                "Malformed dynamic trigger definition; use either a dict() with 'next' and "
                "'value' fields or a list of dict().")
        for trigger in triggers:
            if not isinstance(trigger, dict) or "next" not in trigger or "value" not in trigger:
                raise MicroFunctionsWorkflowException(
                    "Malformed dynamic trigger definition; 'next' and 'value' must be present "
                    "in the trigger dict().")
            self.add_workflow_next(trigger["next"], trigger["value"])

    def get_dynamic_workflow(self):
        return list(self._dynamic or [])


class KnixContext(LambdaContext, _KnixDataLayer, _KnixFlow, _KnixTriggers, _KnixAttributes,
                  _KnixSessions):
    """Lambda's context plus what KNIX's functions call on theirs: log(text, level) (a line
    "[LEVEL] text" goes to stdout, where the KNIX front door's workflow logs take the level
    from it), the data layer (_KnixDataLayer), dynamic control flow (_KnixFlow), triggers
    (_KnixTriggers), KNIX's attributes (_KnixAttributes) and the session methods
    (_KnixSessions)."""

    def __init__(self, cfg, request_id, arn, deadline_ms, stream, ctx=None):
        super().__init__(cfg, request_id, arn, deadline_ms, stream)
        if ctx:
            self._knix_attributes(ctx)
            self._session = ctx.get("session")

    def log(self, text, level="INFO"):
        level = str(level).upper()
        if level not in ("INFO", "WARNING", "DEBUG", "ERROR"):
            level = "INFO"
        print(f"[{level}] {text}", flush=True)

# stator's Python function runtime: the zygote and its warm instances.
#
# The server starts this script once per function (inside the sandbox) with:
#   fd 3     a SOCK_SEQPACKET control socket to the server,
#   fd 4     (sandboxed only) a SOCK_SEQPACKET network channel to the server (see _Relay),
#   fd 1, 2  the function's init log (a memfd the server reads),
#   env      the function's environment plus STATOR_* settings (see Config below).
# In the sandbox the function has a network namespace of its own (only `lo`): the zygote first
# forks the network relay (_Relay), a process that listens on 127.0.0.1:PORT (the server's
# port, STATOR_RELAY_PORT) and connects each accepted connection to stator through a socket
# the server connects and passes over fd 4. Instances inherit neither fd 4 nor any relayed
# connection (the relay is its own process, reparented to the sandbox's init).
# The zygote imports boto3 (when present) and the handler module once, reports Z (ready or an
# init error) and then forks one warm instance per S (spawn) message. Each S message carries two
# file descriptors: the instance's stream socket to the server and its log memfd. The instance
# answers Y (ready, with its pidfd attached) and then serves I (invoke) frames one at a time with
# R (result) or E (error) frames; during an invocation, user code may make platform calls, each
# a P frame {"id", "call"} (data: JSON arguments) answered by a Q frame {"id", "error"?, "type"?}
# (data: the JSON result) that the instance waits for (_Channel). Frame layout (docs/functions.md):
#   u32 big-endian N, then N bytes: u8 type, u32 big-endian header length H, H bytes of JSON
#   header, N - 5 - H bytes of data.
# Thread-safety: none needed; the zygote, the relay and each instance are single-threaded loops.

import array
import gc
import importlib
import importlib.util
import json
import logging
import os
import resource
import select
import selectors
import signal
import socket
import struct
import sys
import time
import traceback

_PREFIX = struct.Struct(">IBI")
_MAX_FRAME = 64 * 1024 * 1024


def _frame(kind, header, data=b""):
    h = json.dumps(header, separators=(",", ":")).encode()
    return _PREFIX.pack(5 + len(h) + len(data), kind, len(h)) + h + data


def _parse(body):
    kind = body[0]
    (hlen,) = struct.unpack_from(">I", body, 1)
    header = json.loads(body[5:5 + hlen]) if hlen else {}
    return kind, header, body[5 + hlen:]


class Config:
    def __init__(self):
        env = os.environ
        self.function_name = env.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.version = env.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_mb = int(env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
        self.handler = env.get("_HANDLER", "")
        self.context = env.get("_STATOR_CONTEXT", "")
        self.task_root = env.get("LAMBDA_TASK_ROOT", os.getcwd())
        self.log_group = env.get("AWS_LAMBDA_LOG_GROUP_NAME", "")


class PlatformCallError(Exception):
    """A platform call the server refused or failed: error_type is its error code."""

    def __init__(self, error_type, message):
        super().__init__(message)
        self.error_type = error_type


class _Channel:
    """Platform calls from user code to the server over the instance's socket: a P frame out,
    then the instance blocks until the matching Q frame comes back (call). A pipelined call
    (send: KNIX's data-layer writes, which answer nothing) is sent and not waited for; the
    server applies an invocation's calls in the order they were sent and answers a pipelined
    one never (docs/functions.md, platform calls). Every WINDOW pipelined calls a "dl.sync"
    goes out unawaited (a mark, answered once what was sent before it is applied) and the
    sender waits for the mark before it: at most 2 * WINDOW pipelined calls are in flight.
    A failed pipelined call is reported in the answer of a later call (a mark's, or the next
    one the instance waits for): that call raises it. A call that is not the data layer's
    ("dl.*": served in order with the pipelined ones) first waits until every pipelined call
    is applied, so what it causes (a message, a trigger, the next state) can read them; so
    does the end of an invocation (sync, called by the instance loop)."""

    WINDOW = 512

    def __init__(self, sock, reader):
        self._sock = sock
        self._reader = reader
        self._next_id = 0
        self._unmarked = 0  # pipelined calls sent since the last mark (or answered call)
        self._marks = []  # ids of the marks sent and not answered yet, oldest first
        self._unread = set()  # ids of the calls (marks included) whose answer is still to come
        self._failure = None  # a PlatformCallError heard of while waiting for another answer
        self._encode = json.JSONEncoder(separators=(",", ":")).encode

    def _send(self, name, args):
        self._next_id += 1
        h = b'{"id":%d,"call":%s}' % (self._next_id, self._encode(name).encode())
        d = self._encode(args).encode()
        self._sock.sendall(_PREFIX.pack(5 + len(h) + len(d), 80, len(h)) + h + d)  # 80: 'P'
        return self._next_id

    def send(self, name, args):
        """A pipelined call: sent, not waited for (raises a failure heard of at a mark)."""
        self._send(name, args)
        self._unmarked += 1
        if self._unmarked >= self.WINDOW:
            self._unmarked = 0
            mark = self._send("dl.sync", {})
            self._marks.append(mark)
            self._unread.add(mark)
            if len(self._marks) > 1:
                self._wait(self._marks[0])  # backpressure: the server is at most 2 windows behind

    def sync(self):
        """Returns once every pipelined call sent is applied; raises the failure of one."""
        if self._unmarked or self._unread or self._failure is not None:
            self.call("dl.sync", {})  # (and reads every answer still to come: none is left)

    def call(self, name, args):
        if (self._unmarked or self._marks) and not name.startswith("dl."):
            try:
                self.call("dl.sync", {})
            except PlatformCallError as e:
                raise MicroFunctionsDataLayerException(str(e)) from None
        cid = self._send(name, args)
        self._unread.add(cid)
        self._unmarked = 0  # answered after every call sent before it (when "dl.")
        return self._wait(cid)

    def _wait(self, cid):
        while True:
            body = self._reader.next()
            if body is None:
                os._exit(0)  # the server is gone
            kind, header, data = _parse(body)
            if kind != ord("Q"):
                os._exit(2)
            rid = header.get("id")
            self._unread.discard(rid)
            if rid == cid:
                break
            # A mark's answer, or the runtime's own refusal of a pipelined call (or the answer
            # of a call whose wait an exception cut short: dropped).
            if rid in self._marks:
                self._marks.remove(rid)
            if header.get("error") is not None and self._failure is None:
                self._failure = PlatformCallError(header.get("type") or "ServiceException",
                                                  header["error"])
        if cid in self._marks:
            self._marks.remove(cid)
        self._marks = [m for m in self._marks if m > cid]  # (answered before it, in order)
        failure, self._failure = self._failure, None
        if header.get("error") is not None:
            raise PlatformCallError(header.get("type") or "ServiceException", header["error"])
        if failure is not None:
            raise failure
        return json.loads(data) if data else None


class LambdaContext:
    """The context object handed to handlers, with Lambda's attribute names."""

    def __init__(self, cfg, request_id, arn, deadline_ms, stream):
        self.function_name = cfg.function_name
        self.function_version = cfg.version
        self.invoked_function_arn = arn
        self.memory_limit_in_mb = str(cfg.memory_mb)
        self.aws_request_id = request_id
        self.log_group_name = cfg.log_group
        self.log_stream_name = stream
        self.identity = None
        self.client_context = None
        self._deadline_ms = deadline_ms
        self._channel = None  # set by the instance loop

    def get_remaining_time_in_millis(self):
        return max(0, int(self._deadline_ms - time.time() * 1000))


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


def _new_context(cfg, request_id, arn, deadline_ms, stream, ctx=None):
    if cfg.context == "knix":
        return KnixContext(cfg, request_id, arn, deadline_ms, stream, ctx)
    return LambdaContext(cfg, request_id, arn, deadline_ms, stream)


class _RequestIdFilter(logging.Filter):
    request_id = ""

    def filter(self, record):
        record.aws_request_id = _RequestIdFilter.request_id
        return True


def _setup_logging():
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n",
        "%Y-%m-%dT%H:%M:%S"))
    handler.formatter.converter = time.gmtime
    handler.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.WARNING)


def _error_body(exc, request_id, error_type=None, skip_frames=1):
    tb = traceback.extract_tb(exc.__traceback__)[skip_frames:]
    return {
        "errorMessage": str(exc),
        "errorType": error_type or type(exc).__name__,
        "requestId": request_id,
        "stackTrace": traceback.format_list(tb),
    }


def _load_handler(cfg):
    """Imports the handler: 'module.function' (Lambda) or, with no handler, <name>.py's handle
    (KNIX). Returns (callable, None) or (None, error body)."""
    sys.path.insert(0, cfg.task_root)
    if cfg.handler:
        if "." not in cfg.handler:
            return None, {"errorMessage": f"Bad handler '{cfg.handler}': not enough values to "
                          "unpack (expected 2, got 1)", "errorType": "Runtime.MalformedHandlerName",
                          "requestId": "", "stackTrace": []}
        module_name, func_name = cfg.handler.rsplit(".", 1)
        module_name = module_name.replace("/", ".")
        try:
            module = importlib.import_module(module_name)
        except ImportError as e:
            return None, {"errorMessage": f"Unable to import module '{module_name}': {e}",
                          "errorType": "Runtime.ImportModuleError", "requestId": "",
                          "stackTrace": []}
        except Exception as e:  # noqa: BLE001 - any init failure is the user's
            body = _error_body(e, "", "Runtime.UserCodeSyntaxError"
                               if isinstance(e, SyntaxError) else None, 0)
            return None, body
    else:
        func_name = "handle"
        module_name = cfg.function_name
        path = os.path.join(cfg.task_root, module_name + ".py")
        if not os.path.exists(path):
            return None, {"errorMessage": f"Unable to import module '{module_name}': no handler "
                          f"is configured and the package has no {module_name}.py",
                          "errorType": "Runtime.ImportModuleError", "requestId": "",
                          "stackTrace": []}
        try:
            spec = importlib.util.spec_from_file_location(module_name.replace("-", "_"), path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[spec.name] = module
            spec.loader.exec_module(module)
        except Exception as e:  # noqa: BLE001
            return None, _error_body(e, "", None, 0)
    func = getattr(module, func_name, None)
    if func is None:
        return None, {"errorMessage": f"Handler '{func_name}' missing on module '{module_name}'",
                      "errorType": "Runtime.HandlerNotFound", "requestId": "", "stackTrace": []}
    return func, None


class _FrameReader:
    """Frames from a stream socket, read in as few recv calls as possible (one per frame when
    the frame fits in a read, which is what the server's single send makes likely)."""

    def __init__(self, sock):
        self._sock = sock
        self._buf = bytearray()
        # Wait in poll(POLLIN), not in a blocking recv: a task sleeping in recv on a Unix
        # stream socket is also woken each time the server reads this side's last reply (the
        # kernel's write-space wake-up does not look at what the sleeper waits for); poll's
        # wake-up does, so the reply costs the server no wake-up of this process.
        self._poll = select.poll()
        self._poll.register(sock.fileno(), select.POLLIN)

    def next(self):
        """The body of the next frame (bytes after the length), None at end of stream;
        exits the process on a malformed length."""
        buf = self._buf
        need = 4
        while True:
            if len(buf) >= 4:
                (n,) = struct.unpack_from(">I", buf)
                if n < 5 or n > _MAX_FRAME:
                    os._exit(2)
                need = 4 + n
                if len(buf) >= need:
                    body = bytes(buf[4:need])
                    del buf[:need]
                    return body
            self._poll.poll()
            chunk = self._sock.recv(min(max(65536, need - len(buf)), 1 << 20))
            if not chunk:
                return None
            buf += chunk


class _Relay:
    """The sandbox's way to stator: listens on 127.0.0.1:PORT (and [::1]:PORT) inside the
    function's network namespace and, for each connection accepted there, asks the server over
    the network channel for a socket to its endpoint: a 'C' frame {"id"} out, a 'C' frame
    {"id", "error"} back with the connected (or connecting) socket attached when error is null.
    Bytes are then copied both ways until both sides have ended (a side's end of stream becomes
    a shutdown of writing on the other, once what was read before it has been written); an
    error on either side closes both. One selector loop, non-blocking sockets, no threads;
    reading a side stops while what it sent waits to be written (back-pressure)."""

    MAX_CONNECTIONS = 1024  # relayed plus waiting for their upstream socket
    MAX_PENDING = 64  # connections waiting for the server's answer
    CHUNK = 256 * 1024
    OWN_FDS = 32  # its own descriptors (listeners, channel, selector, stdio) and slack

    def __init__(self, channel_fd, port):
        self.max_connections = self._connection_budget()
        self.sel = selectors.DefaultSelector()
        self.channel = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET, fileno=channel_fd)
        self.channel.setblocking(False)
        self.sel.register(self.channel, selectors.EVENT_READ, None)
        self.listeners = []
        for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
            try:
                s = socket.socket(family, socket.SOCK_STREAM)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind((host, port))
                s.listen(512)
                s.setblocking(False)
            except OSError:
                continue  # no IPv6 in the namespace: IPv4 alone
            self.listeners.append(s)
            self.sel.register(s, selectors.EVENT_READ, None)
        # Reads land in one preallocated buffer: a fresh 256 KB bytes object per read would be
        # an mmap, page faults and an munmap each time.
        self.buf = bytearray(self.CHUNK)
        self.view = memoryview(self.buf)
        self.next_id = 1
        self.pending = {}  # request id -> accepted socket waiting for its upstream
        self.links = 0  # relayed pairs

    def _connection_budget(self):
        """MAX_CONNECTIONS, or fewer when even the hard limit on descriptors cannot hold two
        per connection (accepted and upstream): the cap, not EMFILE, must be what refuses a
        connection. The soft limit, inherited from the server, is raised as far as needed."""
        need = 2 * self.MAX_CONNECTIONS + self.OWN_FDS
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft != resource.RLIM_INFINITY and soft < need:
            raised = need if hard == resource.RLIM_INFINITY else min(need, hard)
            try:
                resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
                soft = raised
            except (ValueError, OSError):
                pass
        if soft == resource.RLIM_INFINITY or soft >= need:
            return self.MAX_CONNECTIONS
        return max(1, (soft - self.OWN_FDS) // 2)

    def run(self):
        while True:
            for key, mask in self.sel.select():
                sock = key.fileobj
                if sock is self.channel:
                    self._answers()
                elif key.data is None:
                    self._accept(sock)
                elif not key.data.closed:  # not closed with its peer earlier in this batch
                    self._ready(key.data, mask)

    def _accept(self, listener):
        for _ in range(64):
            try:
                conn, _addr = listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return  # out of file descriptors, say: the client sees its connection wait
            if (len(self.pending) >= self.MAX_PENDING or
                    len(self.pending) + self.links >= self.max_connections):
                conn.close()
                continue
            rid = self.next_id
            self.next_id += 1
            try:
                self.channel.send(_frame(ord("C"), {"id": rid}))
            except OSError:
                conn.close()
                continue
            self.pending[rid] = conn

    def _answers(self):
        while True:
            try:
                msg, fds, _flags, _addr = socket.recv_fds(self.channel, 4096, 1)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                os._exit(0)
            if not msg and not fds:
                os._exit(0)  # the server closed the channel: the function is going away
            upstream = socket.socket(fileno=fds[0]) if fds else None
            conn, failed = None, True
            try:
                kind, header, _ = _parse(msg[4:])
                if kind == ord("C"):
                    conn = self.pending.pop(header["id"], None)
                    failed = header.get("error") is not None
            except (ValueError, KeyError, IndexError, TypeError, AttributeError, struct.error):
                pass
            if conn is None or upstream is None or failed:
                if conn is not None:
                    conn.close()
                if upstream is not None:
                    upstream.close()
                continue
            self._link(conn, upstream)

    def _link(self, conn, upstream):
        self.links += 1
        a, b = _Side(conn), _Side(upstream)
        a.peer, b.peer = b, a
        for side in (a, b):
            side.sock.setblocking(False)
            try:
                side.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
            self._watch(side)

    def _watch(self, side):
        events = 0
        if not side.eof and not side.peer.out:
            events |= selectors.EVENT_READ
        if side.out:
            events |= selectors.EVENT_WRITE
        if events == side.events:
            return
        if side.events == 0:
            self.sel.register(side.sock, events, side)
        elif events == 0:
            self.sel.unregister(side.sock)
        else:
            self.sel.modify(side.sock, events, side)
        side.events = events

    def _close(self, side):
        for s in (side, side.peer):
            if s.events:
                self.sel.unregister(s.sock)
                s.events = 0
            s.sock.close()
            s.closed = True
        self.links -= 1

    def _ready(self, side, mask):
        peer = side.peer
        try:
            if mask & selectors.EVENT_WRITE and side.out:
                n = side.sock.send(side.out)
                del side.out[:n]
                if not side.out and peer.eof:
                    side.sock.shutdown(socket.SHUT_WR)
            if mask & selectors.EVENT_READ and not side.eof and not peer.out:
                got = side.sock.recv_into(self.buf)
                if not got:
                    side.eof = True
                    peer.sock.shutdown(socket.SHUT_WR)
                else:
                    try:
                        n = peer.sock.send(self.view[:got])
                    except (BlockingIOError, InterruptedError):
                        n = 0
                    if n < got:
                        peer.out += self.view[n:got]
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            self._close(side)
            return
        if side.eof and peer.eof and not side.out and not peer.out:
            self._close(side)
            return
        self._watch(side)
        self._watch(peer)


class _Side:
    """One socket of a relayed pair; out holds what was read from the peer and is not yet
    written to this socket."""

    __slots__ = ("sock", "peer", "out", "eof", "events", "closed")

    def __init__(self, sock):
        self.sock = sock
        self.peer = None
        self.out = bytearray()
        self.eof = False  # this socket has ended (read returned end of stream)
        self.events = 0
        self.closed = False


def _start_relay(ctl):
    """Forks the relay (sandboxed zygotes: fd 4 is the network channel) as a grandchild, so that
    the zygote does not wait for it and instances are not counted with it; the relay carries on
    under the sandbox's init and dies with the sandbox."""
    port = os.environ.pop("STATOR_RELAY_PORT", "")
    if not port:
        return
    try:
        os.fstat(4)
    except OSError:
        return
    pid = os.fork()
    if pid == 0:
        try:
            if os.fork() == 0:
                ctl.close()
                null = os.open("/dev/null", os.O_RDWR)
                for fd in (0, 1, 2):
                    os.dup2(null, fd)
                os.close(null)
                _Relay(4, int(port)).run()
        finally:
            os._exit(0)
    os.close(4)
    os.waitpid(pid, 0)


def _vm_size_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _log_stream():
    return time.strftime("%Y/%m/%d", time.gmtime()) + "/[$LATEST]" + os.urandom(16).hex()


def _prewarm(cfg, stream):
    """Does once, with made-up data, what every invocation does around the handler (frames,
    JSON, the context object, rusage): the copy-on-write faults the fork left behind are then
    paid before the instance reports ready, not by its first call."""
    body = _frame(ord("I"), {"id": "prewarm", "deadline": 0.0, "arn": ""},
                  b'{"k": [1, 2.5, "s", null, true, false, {}]}')[4:]
    kind, header, data = _parse(body)
    ctx = _new_context(cfg, header["id"], header.get("arn", ""), header["deadline"], stream)
    ctx.get_remaining_time_in_millis()
    out = json.dumps(json.loads(data)).encode()
    sys.stdout.flush()
    sys.stderr.flush()
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    _frame(kind, {"us": 0, "rss": rss_kb, "fatal": False}, out)


def _instance(cfg, handler, sock_fd, log_fd, spawn):
    started = time.perf_counter()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    os.close(log_fd)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM, fileno=sock_fd)
    limit_mb = spawn.get("memory_mb", 0)
    if limit_mb:
        # Address-space growth beyond the warm instance's baseline is capped at the function's
        # memory size: an allocation past it fails (MemoryError) and the instance is replaced.
        cap = _vm_size_bytes() + limit_mb * 1024 * 1024
        try:
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        except (ValueError, OSError):
            pass
    stream = _log_stream()
    if spawn.get("prewarm"):
        _prewarm(cfg, stream)
    pidfd = os.pidfd_open(os.getpid())
    ready = _frame(ord("Y"), {"pid": os.getpid(), "stream": stream,
                              "init_us": int((time.perf_counter() - started) * 1e6)})
    sock.sendmsg([ready], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [pidfd]))])
    os.close(pidfd)
    dumps = json.dumps
    loads = json.loads
    perf = time.perf_counter
    reader = _FrameReader(sock)
    channel = _Channel(sock, reader)
    while True:
        body = reader.next()
        if body is None:
            os._exit(0)
        kind, header, data = _parse(body)
        if kind != ord("I"):
            os._exit(2)
        request_id = header["id"]
        _RequestIdFilter.request_id = request_id
        ctx = _new_context(cfg, request_id, header.get("arn", ""), header["deadline"], stream,
                           header.get("ctx"))
        ctx._channel = channel
        fatal = False
        t0 = perf()
        try:
            event = loads(data) if data else None
            result = handler(event, ctx)
            try:
                out = dumps(result).encode()
                kind = ord("R")
            except (TypeError, ValueError) as e:
                out = dumps({"errorMessage": f"Unable to marshal response: {e}",
                             "errorType": "Runtime.MarshalError", "requestId": request_id,
                             "stackTrace": []}).encode()
                kind = ord("E")
            commit = getattr(ctx, "_commit_queued", None)
            if commit is not None:
                # KNIX's data layer: the writes sent applied; the queued ones on success only
                commit(kind == ord("R"))
            flush = getattr(ctx, "_flush_session", None)
            if kind == ord("R") and flush is not None:
                flush()  # KNIX's session messages sent with send_now=False
        except MemoryError:
            fatal = True
            out = dumps({"errorType": "Runtime.OutOfMemory",
                         "errorMessage": f"RequestId: {request_id} Error: Runtime exited with "
                         "error: signal: killed"}).encode()
            kind = ord("E")
        except Exception as e:  # noqa: BLE001 - the handler's failure is data
            drain = getattr(ctx, "_drain_after_failure", None)
            if drain is not None:
                drain()  # the data-layer writes it sent are applied before its error goes back
            body = _error_body(e, request_id)
            sys.stderr.write(f"[ERROR] {body['errorType']}: {body['errorMessage']}\n"
                             "Traceback (most recent call last):\n" +
                             "".join(body["stackTrace"]))
            out = dumps(body).encode()
            kind = ord("E")
        except SystemExit as e:
            fatal = True
            out = dumps({"errorType": "Runtime.ExitError",
                         "errorMessage": f"RequestId: {request_id} Error: Runtime exited with "
                         f"error: exit status {e.code}"}).encode()
            kind = ord("E")
        elapsed_us = int((perf() - t0) * 1e6)
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except Exception:  # noqa: BLE001
            pass
        rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        sock.sendall(_frame(kind, {"us": elapsed_us, "rss": rss_kb, "fatal": fatal}, out))
        if fatal:
            os._exit(1)


def main():
    t0 = time.perf_counter()
    cfg = Config()
    ctl = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET, fileno=3)
    _start_relay(ctl)
    sys.stdout.reconfigure(line_buffering=True)
    sys.stderr.reconfigure(line_buffering=True)
    os.chdir(cfg.task_root)
    if os.environ.get("STATOR_PREIMPORT_BOTO3", "1") == "1":
        try:
            import boto3  # noqa: F401
            import botocore.session  # noqa: F401
        except ImportError:
            pass
    _setup_logging()
    handler, error = _load_handler(cfg)
    sys.stdout.flush()
    sys.stderr.flush()
    if error is None:
        # Everything imported so far stays shared with the instances (no copy-on-write from
        # the collector touching it).
        gc.collect()
        gc.freeze()
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    init_us = int((time.perf_counter() - t0) * 1e6)
    ctl.send(_frame(ord("Z"), {"init_us": init_us, "error": error}))
    if error is not None:
        # Stay until the server has read the error and closes the socket.
        ctl.recv(16)
        return
    while True:
        try:
            msg, fds, _flags, _addr = socket.recv_fds(ctl, 65536, 4)
        except InterruptedError:
            continue
        if not msg:
            return
        kind, header, _ = _parse(msg[4:])
        if kind != ord("S") or len(fds) != 2:
            for fd in fds:
                os.close(fd)
            continue
        pid = os.fork()
        if pid == 0:
            try:
                ctl.close()
                _instance(cfg, handler, fds[0], fds[1], header)
            finally:
                os._exit(3)
        for fd in fds:
            os.close(fd)


if __name__ == "__main__":
    main()

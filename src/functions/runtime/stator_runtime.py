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

# stator_knix.py (beside this script) imports from this module by name: when this is the
# script being run, that name is this module (not a second copy of it).
sys.modules.setdefault("stator_runtime", sys.modules[__name__])

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


class PipelinedCallError(PlatformCallError):
    """The failure of an earlier pipelined call (_Channel.send), raised by the next call the
    instance waits for."""


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
            except PlatformCallError as e:  # the failure of a pipelined call
                raise PipelinedCallError(e.error_type, str(e)) from None
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
                self._failure = PipelinedCallError(header.get("type") or "ServiceException",
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


def _new_context(cfg, request_id, arn, deadline_ms, stream, ctx=None):
    if cfg.context == "knix":
        import stator_knix  # noqa: E402  (beside this script; KNIX functions only)
        return stator_knix.KnixContext(cfg, request_id, arn, deadline_ms, stream, ctx)
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
    if cfg.context == "knix":
        # Before the function's own directory goes on sys.path; shared with the instances.
        import stator_knix  # noqa: F401
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

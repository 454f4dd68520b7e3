"""Runs the real agenttheo binary on a free loopback port, and reads its
streams with real HTTP clients. Shared by the integration and browser tests."""

import asyncio
import ctypes
import http.client
import json
import os
import re
import select
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.parse

BINARY = os.environ.get("AGENTTHEO_BIN", os.path.join(
    os.path.dirname(__file__), "..", "..", "build", "agenttheo"))

# Port 9 (discard) on loopback: nothing listens there on these machines.
DEAD_UPSTREAM = "http://127.0.0.1:9"
# The egress proxy resolves no name but localhost: Chromium calls home
# (accounts.google.com, for each new browser context) through it, and a
# name it resolved would be a DNS query off this machine.
NO_NAME_LOOKUPS = "MAP localhost 127.0.0.1, MAP * ~NOTFOUND"
_libc = ctypes.CDLL(None, use_errno=True)
# sched_getattr has no libc wrapper; its number differs by architecture.
_SYS_SCHED_GETATTR = {"x86_64": 315, "aarch64": 275}[os.uname().machine]


def thread_slice_us(tid):
    """The CPU slice the kernel gives thread `tid`, in µs (sched_getattr's
    sched_runtime), or None where it tells none (Linux before 6.12)."""
    attr = ctypes.create_string_buffer(48)
    if _libc.syscall(_SYS_SCHED_GETATTR, tid, attr, 48, 0) != 0:
        return None
    runtime_ns = struct.unpack_from("Q", attr, 24)[0]
    return runtime_ns // 1000 or None


def named_threads(pid):
    """(tid, name) of each thread of `pid`; none once it has exited, and
    a thread that ends while they are read is left out."""
    found = []
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except FileNotFoundError:
        return found
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as comm:
                found.append((int(tid), comm.read().strip()))
        except FileNotFoundError:
            continue
    return found


def kernel_has_custom_slices():
    """Linux 6.12+ grants a thread the slice it asks for."""
    major, minor = (int(x) for x in os.uname().release.split(".")[:2])
    return (major, minor) >= (6, 12)


LISTENING = re.compile(r"listening on http://[^:]+:(\d+)")
WORKER_LISTENING = re.compile(r"worker listening on [^:]+:(\d+)")


class Server:
    """`with Server("--planner-token-delay", "5ms") as srv:` starts the binary
    with those flags on an ephemeral port and stops it with SIGTERM, checking
    that it exits cleanly."""

    def __init__(self, *flags, env=None, workdir=None):
        self.flags = list(flags)
        self.env = env or {}
        self.proc = None
        self.killed = False
        self.port = None
        self.log_lines = []
        self._log_thread = None
        # An empty directory by default, so no developer's config/.env leaks in.
        self._own_workdir = None if workdir else tempfile.TemporaryDirectory(
            prefix="agenttheo-test-")
        self.workdir = workdir or self._own_workdir.name

    listening = LISTENING

    def command_line(self):
        return ["serve", "--host", "127.0.0.1", "--port", "0"]

    def __enter__(self):
        env = {k: v for k, v in os.environ.items()
               if k not in ("HOST", "PORT", "LOG_LEVEL")}
        # A safety net that does not depend on the code under test: whatever
        # the egress policy lets through, the agent's browser reaches nothing
        # beyond loopback (its proxy's way out is a port nothing listens on).
        env["BROWSER_UPSTREAM_PROXY"] = DEAD_UPSTREAM
        env["BROWSER_HOST_RESOLVER_RULES"] = NO_NAME_LOOKUPS
        env.update(self.env)
        self.proc = subprocess.Popen(
            [BINARY, *self.command_line(), *self.flags],
            cwd=self.workdir, env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 20
        while self.port is None:
            line = self.proc.stderr.readline()
            if not line:
                raise RuntimeError("agenttheo exited before listening:\n"
                                   + "".join(self.log_lines))
            self.log_lines.append(line)
            match = self.listening.search(line)
            if match:
                self.port = int(match.group(1))
            if time.monotonic() > deadline:
                raise RuntimeError("agenttheo did not start in time")
        self._log_thread = threading.Thread(target=self._drain_log,
                                            daemon=True)
        self._log_thread.start()
        return self

    def _drain_log(self):
        for line in self.proc.stderr:
            self.log_lines.append(line)

    def kill(self):
        """SIGKILL, as a crash does; the exit that follows is expected."""
        self.proc.kill()
        self.proc.wait()
        self.killed = True

    def threads(self):
        """(name, CPUs it may run on) of each of the process's threads."""
        return [(name, os.sched_getaffinity(tid))
                for tid, name in named_threads(self.proc.pid)]

    def thread_slices(self):
        """(name, CPU slice in µs or None) of each of the process's threads."""
        return [(name, thread_slice_us(tid))
                for tid, name in named_threads(self.proc.pid)]

    def stop(self, timeout=15):
        """SIGTERM, then the exit code (None if it had to be killed)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None

    def __exit__(self, *exc):
        code = self.stop()
        if self._log_thread is not None:
            self._log_thread.join(5)
        self.proc.stderr.close()
        if self._own_workdir:
            self._own_workdir.cleanup()
        if exc[0] is None and code != 0 and not self.killed:
            raise AssertionError(
                f"agenttheo exited with {code}:\n" + "".join(self.log_lines))

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def get(self, path, headers=None, method="GET"):
        """One request; returns (status, headers, body bytes)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        try:
            conn.request(method, path, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, dict(resp.getheaders()), resp.read()
        finally:
            conn.close()

    def metrics(self):
        """/metrics as {sample with its labels: value}."""
        text = self.get("/metrics")[2].decode()
        return {name: float(value) for name, value in
                (line.rsplit(" ", 1) for line in text.splitlines()
                 if line and not line.startswith("#"))}

    def call(self, method, path, body=None, headers=None):
        """A JSON API call; returns (status, parsed body or None)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        try:
            data = None
            hdrs = dict(headers or {})
            if body is not None:
                data = body if isinstance(body, (bytes, str)) else json.dumps(body)
                hdrs.setdefault("Content-Type", "application/json")
            conn.request(method, path, body=data, headers=hdrs)
            resp = conn.getresponse()
            raw = resp.read()
            return resp.status, json.loads(raw) if raw else None
        finally:
            conn.close()

    def get_json(self, path, headers=None):
        status, _, body = self.get(path, headers)
        return status, json.loads(body) if body else None


class Worker(Server):
    """`with Worker(*flags, listen=0) as w:` runs `agenttheo worker` on a
    loopback port (`w.port`; 0 picks a free one); stops it like a Server."""

    listening = WORKER_LISTENING

    def __init__(self, *flags, listen=0, **kwargs):
        super().__init__(*flags, **kwargs)
        self.listen = listen

    def command_line(self):
        return ["worker", "--listen", str(self.listen)]

    @property
    def address(self):
        return f"127.0.0.1:{self.port}"


def stream_path(command=None, **params):
    query = {}
    if command is not None:
        query["command"] = command
    query.update(params)
    return "/stream?" + urllib.parse.urlencode(query, quote_via=urllib.parse.quote)


class SseEvent:
    def __init__(self, id, type, data):
        self.id = id
        self.type = type
        self.data = data

    def __repr__(self):
        return f"SseEvent({self.id}, {self.type})"


class SseStream:
    """Reads one `/stream` response frame by frame (http.client undoes the
    chunked framing). Comments (`: ping`) are counted, not returned."""

    def __init__(self, port, path, headers=None, timeout=30):
        self.conn = http.client.HTTPConnection("127.0.0.1", port,
                                               timeout=timeout)
        self.conn.request("GET", path, headers=headers or {})
        self.resp = self.conn.getresponse()
        self.status = self.resp.status
        self.headers = {k.lower(): v for k, v in self.resp.getheaders()}
        self.comments = 0

    def next_event(self):
        """The next event, or None at the end of the response."""
        fields = {}
        data_lines = []
        while True:
            raw = self.resp.readline()
            if not raw:
                return None
            line = raw.decode("utf-8").rstrip("\n")
            if line == "":
                if not fields and not data_lines:
                    continue
                return SseEvent(int(fields["id"]) if "id" in fields else None,
                                fields.get("event", "message"),
                                json.loads("\n".join(data_lines)))
            if line.startswith(":"):
                self.comments += 1
                continue
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "data":
                data_lines.append(value)
            else:
                fields[name] = value

    def events(self):
        while True:
            event = self.next_event()
            if event is None:
                return
            yield event

    def read_all(self):
        return list(self.events())

    def close(self):
        self.conn.close()

    def abort(self):
        """Drops the connection without a word, as a crashing client does."""
        sock = self.conn.sock
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                            b"\x01\x00\x00\x00\x00\x00\x00\x00")
        # The response's file object holds the socket open too.
        self.resp.close()
        self.conn.close()
        if sock is not None:
            sock.close()


def raw_request(port, data, timeout=10, read=True):
    """Sends raw bytes; returns everything the server answered."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        if not read:
            return b""
        chunks = []
        while True:
            try:
                chunk = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


def read_until(stream, predicate, timeout=10):
    """Reads a child's text pipe line by line until `predicate` holds for
    what was read, or `timeout` passes; returns what was read."""
    text = ""
    deadline = time.monotonic() + timeout
    while not predicate(text):
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([stream], [], [], left)[0]:
            break
        line = stream.readline()
        if not line:
            break
        text += line
    return text


def status_of(raw_response):
    head = raw_response.split(b"\r\n", 1)[0].decode("latin-1")
    return int(head.split()[1])


def body_of(raw_response):
    return raw_response.split(b"\r\n\r\n", 1)[1]


class ServerTestCase(unittest.TestCase):
    """One real server for the whole class, started with `server_args()`
    (`server_flags` unless a class needs to compute them), stopped after
    the class's other cleanups have run."""

    server_flags = ()

    @classmethod
    def server_args(cls):
        return cls.server_flags

    @classmethod
    def setUpClass(cls):
        cls.server = cls.enterClassContext(Server(*cls.server_args()))

    def run_async(self, coro, timeout=60):
        return asyncio.run(asyncio.wait_for(coro, timeout))


def split_binary_frame(data):
    """A binary WebSocket message's JSON header and its image: a 4-byte
    big-endian header length, the header, then the raw bytes."""
    size = int.from_bytes(data[:4], "big")
    return json.loads(data[4:4 + size]), data[4 + size:]


async def ws_errors_until_close(ws, timeout=10):
    """Reads an aiohttp WebSocket until it stops carrying text: the `error`
    messages it got on the way, and the message that ended it (CLOSE, ...)."""
    import aiohttp
    errors = []
    while True:
        msg = await asyncio.wait_for(ws.receive(), timeout)
        if msg.type != aiohttp.WSMsgType.TEXT:
            return errors, msg
        body = json.loads(msg.data)
        if body["type"] == "error":
            errors.append(body)

"""The WebSocket transport (`GET /ws`) against the real binary, with
aiohttp's WebSocket client and, for a client that stops reading, a raw
socket: several runs and sessions on one socket, session subscriptions and
unsubscribe, cancel, every protocol error with the socket going on, the
slow-consumer bound, batch_ms on WebSocket and SSE, and permessage-deflate
measured on the wire."""

import asyncio
import base64
import json
import os
import signal
import socket
import struct
import sys
import time
import unittest
import zlib

import aiohttp

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "browser"))

from harness import Server, ServerTestCase, stream_path, ws_errors_until_close  # noqa: E402
from tcp_proxy import TcpProxy  # noqa: E402


async def receive(ws, timeout=30):
    """The next text message, parsed (a batch stays a list)."""
    msg = await asyncio.wait_for(ws.receive(), timeout)
    if msg.type != aiohttp.WSMsgType.TEXT:
        raise AssertionError(f"expected text, got {msg.type} {msg.data!r}")
    return json.loads(msg.data)


async def until(ws, predicate, timeout=30):
    """Messages up to and including the first that `predicate` accepts."""
    seen = []
    while True:
        msg = await receive(ws, timeout)
        seen.append(msg)
        if predicate(msg):
            return seen


def is_complete(message_id):
    return lambda m: m.get("type") == "complete" and m.get("messageId") == message_id


def ids(events):
    return [e["id"] for e in events]


class WebSocket(ServerTestCase):
    server_flags = ("--planner-token-delay", "2ms", "--browser", "none")

    def url(self):
        return f"ws://127.0.0.1:{self.server.port}/ws"

    def test_one_socket_runs_several_sessions_at_once(self):
        self.run_async(self.several_sessions())

    async def several_sessions(self):
        async with aiohttp.ClientSession() as http, http.ws_connect(self.url()) as ws:
            for n in (1, 2, 3):
                await ws.send_json({"type": "run", "command": f"hello number {n}",
                                    "messageId": f"multi-{n}", "ref": f"r{n}"})
            acks, runs = {}, {f"multi-{n}": [] for n in (1, 2, 3)}
            done = set()
            while len(done) < 3:
                msg = await receive(ws)
                if msg["type"] == "subscribed":
                    acks[msg["ref"]] = msg["data"]
                    continue
                runs[msg["messageId"]].append(msg)
                if msg["type"] == "complete":
                    done.add(msg["messageId"])
            self.assertEqual(sorted(acks), ["r1", "r2", "r3"])
            sessions = {a["session"] for a in acks.values()}
            self.assertEqual(len(sessions), 3)
            for mid, events in runs.items():
                self.assertEqual(events[0]["type"], "start")
                self.assertEqual(events[0]["data"]["command"],
                                 f"hello number {mid[-1]}")
                self.assertEqual(ids(events), list(range(events[0]["id"],
                                                         events[0]["id"] + len(events))))
                self.assertEqual({e["session"] for e in events}, {acks[f"r{mid[-1]}"]["session"]})
            # A finished run leaves the socket's list; it can follow it again.
            await ws.send_json({"type": "ping", "ref": "p"})
            pong = await receive(ws)
            self.assertEqual((pong["type"], pong["ref"], pong["data"]["subscriptions"]),
                             ("pong", "p", 0))

    def test_a_session_subscription_follows_every_run_until_unsubscribed(self):
        self.run_async(self.session_subscription())

    async def session_subscription(self):
        _, created = self.server.call("POST", "/api/sessions")
        sid = created["id"]
        async with aiohttp.ClientSession() as http, http.ws_connect(self.url()) as ws:
            await ws.send_json({"type": "subscribe", "session": sid, "ref": "s"})
            ack = await receive(ws)
            self.assertEqual((ack["type"], ack["data"]["key"]), ("subscribed", f"session:{sid}"))
            for n in (1, 2):
                self.server.call("POST", f"/api/sessions/{sid}/runs",
                                 {"command": f"hello {n}", "messageId": f"follow-{n}"})
                events = await until(ws, is_complete(f"follow-{n}"))
                self.assertEqual(events[0]["type"], "start")
                self.assertEqual({e["messageId"] for e in events}, {f"follow-{n}"})
            await ws.send_json({"type": "unsubscribe", "session": sid, "ref": "u"})
            off = await receive(ws)
            self.assertEqual((off["type"], off["ref"], off["data"]["key"]),
                             ("unsubscribed", "u", f"session:{sid}"))
            self.server.call("POST", f"/api/sessions/{sid}/runs",
                             {"command": "hello 3", "messageId": "follow-3"})
            # Wait for the run to end on the API, then make sure nothing came.
            for _ in range(100):
                _, run = self.server.call("GET", "/api/runs/follow-3/events")
                if run["state"] == "finished":
                    break
                await asyncio.sleep(0.05)
            await ws.send_json({"type": "ping", "ref": "after"})
            self.assertEqual((await receive(ws))["type"], "pong")

    def test_cancel_stops_the_running_command(self):
        self.run_async(self.cancel())

    async def cancel(self):
        command = " ".join(f"word{i}" for i in range(400))  # a long reply
        async with aiohttp.ClientSession() as http, http.ws_connect(self.url()) as ws:
            await ws.send_json({"type": "run", "command": command, "messageId": "ws-cancel"})
            ack = await receive(ws)
            sid = ack["data"]["session"]
            await until(ws, lambda m: m.get("type") == "token")
            asked = time.monotonic()
            await ws.send_json({"type": "cancel", "session": sid, "ref": "c"})
            events = await until(ws, is_complete("ws-cancel"))
            self.assertLess(time.monotonic() - asked, 2)
            replies = [e for e in events if e["type"] == "cancelled"]
            if not replies:
                # The answer comes from the socket's actor, the events from
                # the run's: either may reach the socket first.
                replies = (await until(ws, lambda m: m.get("type") == "cancelled"))[-1:]
            self.assertEqual(replies[0]["data"]["cancelled"], "ws-cancel")
            self.assertTrue(events[-1]["data"]["cancelled"])
            self.assertIn("cancelled", [e["data"].get("state") for e in events
                                        if e["type"] == "status"])

    def test_protocol_errors_answer_and_the_socket_goes_on(self):
        self.run_async(self.protocol_errors())

    async def protocol_errors(self):
        async with aiohttp.ClientSession() as http, http.ws_connect(self.url()) as ws:
            bad = [("not json at all", "bad_json", 400),
                   ({"type": "dance", "ref": "d"}, "unknown_type", 400),
                   ({"type": "run", "ref": "m"}, "missing_command", 400),
                   ({"type": "run", "command": "x", "stream_mode": "loud"}, "bad_stream_mode", 400),
                   ({"type": "run", "command": "x", "batch_ms": 99999}, "bad_batch_ms", 400),
                   ({"type": "run", "command": "x", "max_failures": 5000},
                    "bad_max_failures", 400),
                   ({"type": "subscribe"}, "bad_target", 400),
                   ({"type": "subscribe", "messageId": "never-ran"}, "unknown_run", 404),
                   ({"type": "subscribe", "session": "s-missing"}, "unknown_session", 404),
                   ({"type": "unsubscribe", "messageId": "never-ran"}, "not_subscribed", 404),
                   ({"type": "cancel", "session": "s-missing"}, "unknown_session", 404)]
            for message, code, status in bad:
                if isinstance(message, str):
                    await ws.send_str(message)
                else:
                    await ws.send_json(message)
                reply = await receive(ws)
                self.assertEqual((reply["type"], reply["data"]["code"], reply["data"]["status"]),
                                 ("error", code, status), message)
                if isinstance(message, dict) and "ref" in message:
                    self.assertEqual(reply["ref"], message["ref"])
            # Following the same run twice on one socket is refused.
            await ws.send_json({"type": "run", "command": "hello", "messageId": "twice"})
            await ws.send_json({"type": "subscribe", "messageId": "twice", "ref": "2"})
            seen = await until(ws, lambda m: m.get("type") == "error")
            self.assertEqual(seen[-1]["data"]["code"], "already_subscribed")
            await until(ws, is_complete("twice"))
            await ws.send_json({"type": "ping"})
            self.assertEqual((await receive(ws))["type"], "pong")

    def test_batch_ms_groups_events_on_both_transports(self):
        self.run_async(self.batches())

    async def batches(self):
        async with aiohttp.ClientSession() as http, http.ws_connect(self.url()) as ws:
            await ws.send_json({"type": "run", "command": "hello", "messageId": "batched",
                                "batch_ms": 100})
            self.assertEqual((await receive(ws))["type"], "subscribed")
            messages, events = 0, []
            while not events or events[-1]["type"] != "complete":
                msg = await receive(ws)
                messages += 1
                events.extend(msg if isinstance(msg, list) else [msg])
            self.assertEqual(ids(events), list(range(events[0]["id"],
                                                     events[0]["id"] + len(events))))
            # ~100 token events at 2 ms each, in 100 ms windows.
            self.assertGreater(len(events), 100)
            self.assertLess(messages, len(events) / 4)
        # SSE: the same events, in far fewer HTTP chunks (one per write).
        plain = self.sse_chunks(stream_path("hello", messageId="sse-plain"))
        batched = self.sse_chunks(stream_path("hello", messageId="sse-batched",
                                              batch_ms="100"))
        self.assertEqual(plain[1], batched[1])
        self.assertLess(batched[0] * 4, plain[0])

    def sse_chunks(self, path):
        """(HTTP chunks, event types) of one SSE response, read raw."""
        _, chunks = raw_chunks(self.server.port, path, "identity")
        text = b"".join(chunks).decode()
        return len(chunks), [line[7:] for line in text.split("\n")
                             if line.startswith("event: ")]

    def test_plain_http_and_foreign_origins_are_refused(self):
        status, headers, body = self.server.get("/ws")
        self.assertEqual(status, 426)
        self.assertEqual(json.loads(body)["error"]["code"], "upgrade_required")
        self.assertEqual(headers["Upgrade"], "websocket")

        async def foreign():
            async with aiohttp.ClientSession() as http:
                with self.assertRaises(aiohttp.WSServerHandshakeError) as refused:
                    await http.ws_connect(self.url(), origin="https://evil.example")
                self.assertEqual(refused.exception.status, 403)
        self.run_async(foreign())


class Shutdown(unittest.TestCase):
    def test_sigterm_says_why_then_closes_with_going_away(self):
        asyncio.run(asyncio.wait_for(self.sigterm(), 30))

    async def sigterm(self):
        with Server("--planner-token-delay", "100ms", "--browser", "none") as server:
            async with aiohttp.ClientSession() as http, \
                    http.ws_connect(f"ws://127.0.0.1:{server.port}/ws") as ws:
                await ws.send_json({"type": "run", "command": "hello", "messageId": "bye"})
                await ws.receive()
                server.proc.send_signal(signal.SIGTERM)
                errors, msg = await ws_errors_until_close(ws)
                # The reason first, then a close frame (1001), not a cut (1006).
                self.assertEqual([e["data"]["code"] for e in errors], ["server_shutdown"])
                self.assertEqual(msg.type, aiohttp.WSMsgType.CLOSE)
                self.assertEqual((ws.close_code, msg.extra),
                                 (1001, "the server is shutting down"))
            self.assertEqual(server.stop(), 0)


class Compression(unittest.TestCase):
    def test_permessage_deflate_shrinks_the_wire(self):
        # Threshold 0: every message compressed, the tokens' small ones too.
        with Server("--planner-token-delay", "0", "--browser", "none",
                    "--ws-deflate-threshold", "0") as server:
            asyncio.run(asyncio.wait_for(self.measure(server), 60))

    async def measure(self, server):
        command = " ".join(f"item number {i} costs {i}.50 dollars" for i in range(60))
        sizes = {}
        for compress in (0, 15):
            async with TcpProxy(server.port) as proxy, aiohttp.ClientSession() as http:
                async with http.ws_connect(f"ws://127.0.0.1:{proxy.port}/ws",
                                           compress=compress) as ws:
                    ext = ws._response.headers.get("Sec-WebSocket-Extensions", "")
                    self.assertEqual("permessage-deflate" in ext, compress != 0)
                    await ws.send_json({"type": "run", "command": command,
                                        "messageId": f"deflate-{compress}"})
                    events = await until(ws, is_complete(f"deflate-{compress}"))
                    sizes[compress] = (proxy.bytes_down, len(events),
                                       events[-1]["data"]["result"])
        print(f"deflate: {sizes[15][0]} bytes vs {sizes[0][0]} plain", file=sys.stderr)
        self.assertEqual(sizes[0][1:], sizes[15][1:])   # the same run, decoded
        self.assertLess(sizes[15][0], 0.5 * sizes[0][0],
                        (sizes[15][0], sizes[0][0]))


class SseGzip(unittest.TestCase):
    """SSE_GZIP=true: gzip for clients that accept it, every write flushed
    so each chunk decodes into whole events on arrival."""

    def test_each_chunk_decodes_into_whole_events(self):
        with Server("--planner-token-delay", "2ms", "--browser", "none",
                    "--sse-gzip", "true") as server:
            path = stream_path("hello", messageId="gz-1")
            head, chunks = raw_chunks(server.port, path, "gzip, deflate")
            self.assertIn(b"Content-Encoding: gzip", head)
            inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
            text, wire = b"", 0
            for chunk in chunks:
                wire += len(chunk)
                part = inflate.decompress(chunk)
                if part:   # a flushed write ends at an event's end
                    self.assertTrue(part.endswith(b"\n\n"), part[-40:])
                text += part
            self.assertTrue(inflate.eof)   # the gzip trailer came, checked
            types = [line[7:] for line in text.decode().split("\n")
                     if line.startswith("event: ")]
            self.assertEqual((types[0], types[-1]), ("start", "complete"))
            self.assertLess(wire, len(text))
            # A client that does not accept gzip gets plain text.
            head, chunks = raw_chunks(server.port, stream_path(messageId="gz-1"),
                                      "identity")
            self.assertNotIn(b"Content-Encoding", head)
            self.assertIn(b"event: complete", b"".join(chunks))


def raw_chunks(port, path, accept_encoding):
    """The head and the chunks of one chunked response, read raw."""
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  f"Accept-Encoding: {accept_encoding}\r\n\r\n".encode())
        data = b""
        while not data.endswith(b"\r\n0\r\n\r\n"):
            more = s.recv(65536)
            if not more:
                break
            data += more
    head, body = data.split(b"\r\n\r\n", 1)
    chunks = []
    while body:
        size_line, body = body.split(b"\r\n", 1)
        size = int(size_line, 16)
        if size == 0:
            break
        chunks.append(body[:size])
        body = body[size + 2:]
    return head, chunks


class SlowWebSocketClient(unittest.TestCase):
    def test_a_client_that_stops_reading_is_dropped_and_others_complete(self):
        with Server("--planner-token-delay", "1ms", "--browser", "none",
                    "--send-queue-limit", "64K", "--socket-send-buffer", "4K",
                    "--ws-deflate", "false",
                    "--max-command-length", "16000") as server:
            asyncio.run(asyncio.wait_for(self.stall(server), 60))

    async def stall(self, server):
        command = " ".join(f"word{i}" for i in range(1800))
        async with aiohttp.ClientSession() as http, http.ws_connect(
                f"ws://127.0.0.1:{server.port}/ws") as reader:
            await reader.send_json({"type": "run", "command": command, "messageId": "ws-slow"})
            self.assertEqual((await receive(reader))["type"], "subscribed")
            stalled = raw_websocket(server.port)
            stalled.sendall(masked_text(json.dumps({"type": "subscribe",
                                                    "messageId": "ws-slow"})))
            events = await until(reader, is_complete("ws-slow"))
            self.assertEqual(ids(events), list(range(events[0]["id"],
                                                     events[0]["id"] + len(events))))
            self.assertGreater(sum(len(json.dumps(e)) for e in events), 120_000)
        stalled.settimeout(10)
        received = b""
        try:
            while chunk := stalled.recv(65536):
                received += chunk
        except ConnectionResetError:
            pass
        stalled.close()
        self.assertNotIn(b'"type":"complete"', received)
        self.assertTrue(any("slow WebSocket consumer" in line for line in server.log_lines))
        # Both sockets are released: the reader's once its session lets go
        # of it, which may be just after its close handshake.
        deadline = time.monotonic() + 5
        while (streams := server.get_json("/health")[1]["streams"]) != 0:
            self.assertLess(time.monotonic(), deadline, f"{streams} streams left open")
            time.sleep(0.05)


class SlowWebSocketReader(unittest.TestCase):
    def test_a_slow_reader_gets_every_frame_whole_and_in_order(self):
        # Small buffers on both ends and a reader that dawdles: most writes
        # fit only in part, cut anywhere in a frame, and the rest goes when
        # the socket drains. A byte lost or sent twice breaks the framing,
        # the ids or the text.
        with Server("--planner-token-delay", "0", "--send-queue-limit", "4M",
                    "--socket-send-buffer", "4K", "--ws-deflate", "false",
                    "--max-command-length", "16000", "--browser", "none") as server:
            command = " ".join(f"word{i}" for i in range(1800))
            sock = raw_websocket(server.port)
            sock.sendall(masked_text(json.dumps({"type": "run", "command": command,
                                                 "messageId": "ws-dawdle"})))
            messages, wire = read_frames_slowly(sock, is_complete("ws-dawdle"))
            sock.close()
        self.assertEqual(messages[0]["type"], "subscribed")
        events = messages[1:]
        self.assertEqual(ids(events), list(range(events[0]["id"],
                                                 events[0]["id"] + len(events))))
        text = "".join(e["data"]["token"] for e in events if e["type"] == "token")
        self.assertEqual(events[-1]["data"]["result"], text)
        self.assertGreater(wire, 120_000)


def read_frames_slowly(sock, last):
    """Server text frames, parsed, read 2 KiB at a time with pauses, up to
    the message `last` accepts; and the bytes read."""
    sock.settimeout(30)
    buffer, wire, messages = b"", 0, []
    while True:
        chunk = sock.recv(2048)
        if not chunk:
            raise AssertionError("the socket closed before the last message")
        wire += len(chunk)
        buffer += chunk
        time.sleep(0.001)
        while (frame := next_frame(buffer)) is not None:
            opcode, payload, buffer = frame
            if opcode != 0x1:
                raise AssertionError(f"unexpected opcode {opcode:#x}")
            messages.append(json.loads(payload))
            if last(messages[-1]):
                return messages, wire


def next_frame(data):
    """(opcode, payload, rest) of a whole unmasked, unfragmented frame at
    the start of `data`; None until it has all arrived."""
    if len(data) < 2:
        return None
    if not data[0] & 0x80 or data[1] & 0x80:
        raise AssertionError(f"not a final unmasked frame: {data[:2]!r}")
    size, at = data[1] & 0x7F, 2
    if size == 126:
        if len(data) < 4:
            return None
        size, at = struct.unpack("!H", data[2:4])[0], 4
    elif size == 127:
        if len(data) < 10:
            return None
        size, at = struct.unpack("!Q", data[2:10])[0], 10
    if len(data) < at + size:
        return None
    return data[0] & 0x0F, data[at:at + size], data[at + size:]


def raw_websocket(port):
    """A WebSocket handshake on a plain socket with a tiny receive buffer,
    after which the test never reads."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall((f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
               f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
               f"Sec-WebSocket-Version: 13\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += s.recv(1)
    assert b" 101 " in head, head
    return s


def masked_text(text):
    """One client text frame (clients must mask)."""
    payload = text.encode()
    mask = os.urandom(4)
    header = bytes([0x81])
    if len(payload) < 126:
        header += bytes([0x80 | len(payload)])
    else:
        header += bytes([0x80 | 126]) + struct.pack("!H", len(payload))
    return header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


if __name__ == "__main__":
    unittest.main()

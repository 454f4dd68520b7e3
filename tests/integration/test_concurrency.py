"""Many streams at once, and a client that stops reading: the server keeps
every other stream whole and drops only the laggard."""

import asyncio
import http.client
import io
import json
import socket
import time
import unittest

import aiohttp

from harness import Server, SseStream, stream_path

STREAMS = 200


async def read_stream(session, url):
    """Events of one stream as (id, type, data), read with aiohttp."""
    events = []
    current = {}
    async with session.get(url) as resp:
        assert resp.status == 200, resp.status
        async for raw in resp.content:
            line = raw.decode().rstrip("\n")
            if not line:
                if current:
                    events.append((int(current["id"]), current["event"],
                                   json.loads(current["data"])))
                current = {}
            elif not line.startswith(":"):
                name, _, value = line.partition(": ")
                current[name] = value
    return events


async def run_many(port, count):
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(connector=connector,
                                     timeout=timeout) as session:
        urls = [f"http://127.0.0.1:{port}"
                + stream_path(f"hello number {i}", messageId=f"c-{i}")
                for i in range(count)]
        return await asyncio.gather(*(read_stream(session, u) for u in urls))


def read_slowly(port, path):
    """The whole raw response, read 2 KiB at a time through a 4 KiB
    receive buffer, pausing between reads."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    sock.settimeout(30)
    raw = b""
    while chunk := sock.recv(2048):
        raw += chunk
        time.sleep(0.001)
    sock.close()
    return raw


class RecordedSocket:
    """Bytes already read, for http.client to parse as a response."""

    def __init__(self, data):
        self.data = data

    def makefile(self, mode):
        return io.BytesIO(self.data)


def parse_sse(text):
    events = []
    for block in text.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines()
                      if line and not line.startswith(":"))
        if "data" in fields:
            events.append((int(fields["id"]), fields["event"], json.loads(fields["data"])))
    return events


class Concurrency(unittest.TestCase):
    def test_200_concurrent_streams_each_complete_in_order(self):
        # One client running 200 at once is past the per-client defaults
        # (100 sessions, 120 runs a minute): this test is about the server.
        with Server("--planner-token-delay", "2ms", "--client-max-sessions", "0",
                    "--client-runs-per-minute", "0") as server:
            started = time.monotonic()
            results = asyncio.run(run_many(server.port, STREAMS))
            elapsed = time.monotonic() - started
            sessions = set()
            for i, events in enumerate(results):
                ids = [e[0] for e in events]
                self.assertEqual(ids, list(range(ids[0], ids[0] + len(ids))))
                self.assertEqual(events[0][1], "start")
                self.assertEqual(events[0][2]["command"], f"hello number {i}")
                self.assertEqual(events[-1][1], "complete")
                text = "".join(e[2]["token"] for e in events if e[1] == "token")
                self.assertEqual(text, events[-1][2]["result"])
                sessions.add(events[0][2]["session"])
            self.assertEqual(len(sessions), STREAMS)
            _, listing = server.get_json("/api/sessions")
            self.assertEqual(listing["count"], STREAMS)
            self.assertTrue(all(s["subscribers"] == 0
                                for s in listing["sessions"]))
            print(f"\n{STREAMS} streams completed in {elapsed:.2f}s")


class SlowConsumer(unittest.TestCase):
    def test_non_reading_client_is_dropped_and_others_complete(self):
        # The limit (64 KiB) sits well above the largest natural burst
        # (~40 KiB: the final message and complete echo the reply), and the
        # run writes ~140 KiB of payload, far more than a stalled client's socket
        # buffers (~16 KiB) plus the limit can absorb.
        with Server("--planner-token-delay", "1ms",
                    "--send-queue-limit", "64K",
                    "--socket-send-buffer", "4K",
                    "--max-command-length", "16000",
                    "--max-header-bytes", "64K") as server:
            command = " ".join(f"word{i}" for i in range(1800))
            path = stream_path(command, messageId="slow-1")
            stalled = socket.socket()
            stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            stalled.connect(("127.0.0.1", server.port))
            stalled.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            reader = SseStream(server.port, path)
            self.assertEqual(reader.status, 200)
            events = reader.read_all()
            self.assertEqual(events[-1].type, "complete")
            ids = [e.id for e in events]
            self.assertEqual(ids, list(range(ids[0], ids[0] + len(ids))))
            total = sum(len(json.dumps(e.data)) for e in events)
            self.assertGreater(total, 120_000)
            # The stalled client's connection was cut before the end.
            stalled.settimeout(10)
            received = b""
            while True:
                chunk = stalled.recv(65536)
                if not chunk:
                    break
                received += chunk
            stalled.close()
            self.assertIn(b"200 OK", received[:64])
            self.assertNotIn(b"event: complete", received)
            self.assertLess(len(received), total)
            status, health = server.get_json("/health")
            self.assertEqual(health["streams"], 0)
            self.assertTrue(any("slow consumer" in line
                                for line in server.log_lines))


    def test_a_slow_reader_gets_every_byte_in_order(self):
        # Small buffers on both ends and a reader that dawdles: writes fit
        # only in part, cut anywhere in a frame, and the rest goes when the
        # socket drains. A byte lost or sent twice would break the chunked
        # framing, the ids or the text.
        with Server("--planner-token-delay", "0", "--send-queue-limit", "4M",
                    "--socket-send-buffer", "4K", "--max-command-length", "16000",
                    "--max-header-bytes", "64K", "--browser", "none") as server:
            command = " ".join(f"word{i}" for i in range(1800))
            path = stream_path(command, messageId="dawdle-1")
            raw = read_slowly(server.port, path)
            response = http.client.HTTPResponse(RecordedSocket(raw))
            response.begin()
            self.assertEqual(response.status, 200)
            events = parse_sse(response.read().decode())
            self.assertEqual(events[-1][1], "complete")
            ids = [e[0] for e in events]
            self.assertEqual(ids, list(range(ids[0], ids[0] + len(ids))))
            text = "".join(data["token"] for _, kind, data in events if kind == "token")
            self.assertEqual(events[-1][2]["result"], text)
            self.assertGreater(len(raw), 120_000)

    def test_stalled_clients_show_in_the_queued_bytes_gauge(self):
        # Within a generous limit nobody is dropped: each stalled client's
        # write stays under way behind its full socket, and the gauge
        # counts it (it said 0 while 50 such clients waited).
        with Server("--planner-token-delay", "0", "--send-queue-limit", "4M",
                    "--socket-send-buffer", "4K", "--max-command-length", "16000",
                    "--browser", "none") as server:
            command = " ".join(f"word{i}" for i in range(1800))
            stalled = []
            for n in range(3):
                _, made = server.call("POST", "/api/sessions")
                s = socket.socket()
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                s.connect(("127.0.0.1", server.port))
                s.sendall(f"GET /api/sessions/{made['id']}/stream HTTP/1.1\r\n"
                          "Host: 127.0.0.1\r\n\r\n".encode())
                stalled.append((s, made["id"]))
            time.sleep(0.3)
            for s, sid in stalled:
                server.call("POST", f"/api/sessions/{sid}/runs", {"command": command})

            def queued():
                for line in server.get("/metrics")[2].decode().splitlines():
                    if line.startswith("agenttheo_stream_queued_bytes "):
                        return float(line.split()[1])
                raise AssertionError("no agenttheo_stream_queued_bytes")

            deadline = time.monotonic() + 20
            while queued() < 3 * 8_000:
                self.assertLess(time.monotonic(), deadline, queued())
                time.sleep(0.1)
            for s, _ in stalled:
                s.close()
            deadline = time.monotonic() + 20
            while queued() > 0:
                self.assertLess(time.monotonic(), deadline, queued())
                time.sleep(0.1)

if __name__ == "__main__":
    unittest.main()

"""Limits per client against the real binary: a client is its API token,
else its address, and a second loopback address (127.0.0.2) stands for
another client. One WebSocket flooding run messages can hold no more than
CLIENT_MAX_SESSIONS and leaves the server to everyone else; runs a
minute, streams open and WebSocket messages a second are bounded too;
every refusal is 429 `rate_limited`, with a Retry-After that is true; the
admin listing names the busiest client."""

import asyncio
import http.client
import json
import os
import socket
import sys
import time
import unittest

import aiohttp

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from harness import Server, stream_path  # noqa: E402


def call_from(source, port, method, path, body=None, headers=None):
    """A call from the loopback address `source`: status, headers, and the
    body parsed as JSON (None if it is not)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15,
                                      source_address=(source, 0))
    try:
        data = json.dumps(body).encode() if body is not None else None
        hdrs = dict(headers or {})
        if data is not None:
            hdrs["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=hdrs)
        resp = conn.getresponse()
        status, headers = resp.status, dict(resp.getheaders())
        if "json" not in headers.get("Content-Type", ""):
            return status, headers, None
        return status, headers, json.loads(resp.read() or b"null")
    finally:
        conn.close()


async def flood_runs(port, count):
    """`count` run messages on one WebSocket, as fast as it takes them; the
    errors that came back, by code."""
    codes = {}
    async with aiohttp.ClientSession() as http_session:
        async with http_session.ws_connect(f"http://127.0.0.1:{port}/ws") as ws:
            for i in range(count):
                await ws.send_json({"type": "run", "command": "hello",
                                    "messageId": f"flood-{i}", "ref": str(i)})
            deadline = time.monotonic() + 20
            seen = 0
            while seen < count and time.monotonic() < deadline:
                msg = await asyncio.wait_for(ws.receive(), 20)
                if msg.type != aiohttp.WSMsgType.TEXT:
                    break
                body = json.loads(msg.data)
                for item in body if isinstance(body, list) else [body]:
                    if "ref" not in item:
                        continue
                    if item["type"] == "error":
                        code = item["data"]["code"]
                        codes[code] = codes.get(code, 0) + 1
                        seen += 1
                    elif item["type"] == "subscribed":
                        codes["subscribed"] = codes.get("subscribed", 0) + 1
                        seen += 1
    return codes


class ClientLimits(unittest.TestCase):
    def test_a_flood_of_sessions_holds_at_most_its_share(self):
        # The flood of the security review: a thousand sessions at once,
        # by the JSON API and by runs on one WebSocket.
        with Server("--browser", "none", "--planner-token-delay", "0",
                    "--client-ws-messages-per-second", "0",
                    "--client-runs-per-minute", "0") as server:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=15)
            statuses = {}
            for _ in range(1000):
                conn.request("POST", "/api/sessions")
                resp = conn.getresponse()
                resp.read()
                statuses[resp.status] = statuses.get(resp.status, 0) + 1
            conn.close()
            self.assertEqual(statuses, {201: 100, 429: 900})
            # (A socket follows at most 32 runs: refusals still being
            # delivered hold slots, so some are refused for that.)
            codes = asyncio.run(flood_runs(server.port, 300))
            self.assertNotIn("subscribed", codes)
            self.assertEqual(sum(codes.values()), 300, codes)
            self.assertGreater(codes.get("rate_limited", 0), 0, codes)
            _, listing = server.get_json("/api/sessions")
            self.assertEqual(listing["count"], 100)
            # Everyone else is still served.
            status, _, made = call_from("127.0.0.2", server.port, "POST", "/api/sessions")
            self.assertEqual(status, 201, made)
            # The flooding client is told when a slot of its own frees: its
            # first idle session ends SESSION_IDLE_TIMEOUT (15 min) from now.
            status, headers, body = call_from("127.0.0.1", server.port, "POST",
                                              "/api/sessions")
            self.assertEqual(status, 429)
            self.assertEqual(body["error"]["code"], "rate_limited")
            self.assertTrue(880 <= int(headers["Retry-After"]) <= 900, headers)
            self.assertEqual(body["error"]["retry_after"], int(headers["Retry-After"]))
            # The console's listing puts it first.
            clients = server.get_json("/api/admin/clients")[1]
            top = clients["clients"][0]
            self.assertEqual(top["client"], "127.0.0.1")
            self.assertEqual(top["sessions"], 100)
            self.assertGreater(top["refused"], 900)
            self.assertEqual(clients["clients"][1]["client"], "127.0.0.2")
            self.assertEqual(clients["limits"]["max_sessions"], 100)

    def test_runs_a_minute_and_their_retry_after(self):
        with Server("--browser", "none", "--planner-token-delay", "0",
                    "--client-runs-per-minute", "2") as server:
            for i in range(2):
                status, _, body = call_from("127.0.0.1", server.port, "POST",
                                            "/api/sessions")
                self.assertEqual(status, 201)
                status, _, _ = call_from("127.0.0.1", server.port, "POST",
                                         f"/api/sessions/{body['id']}/runs",
                                         {"command": "hello"})
                self.assertEqual(status, 202)
            status, headers, body = server.get(stream_path("hello"))
            self.assertEqual(status, 429)
            # Two a minute, both just taken: the next is 30 s away.
            self.assertTrue(29 <= int(headers["Retry-After"]) <= 30, headers)
            self.assertEqual(json.loads(body)["error"]["code"], "rate_limited")
            # Another client's runs are its own.
            status, _, _ = call_from("127.0.0.2", server.port, "GET",
                                     stream_path("hello") + "&stream_mode=updates")
            self.assertEqual(status, 200)

    def test_streams_open_at_once(self):
        with Server("--browser", "none", "--client-max-streams", "2") as server:
            _, made = server.call("POST", "/api/sessions")
            path = f"/api/sessions/{made['id']}/stream"
            socks = []
            for _ in range(2):
                s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
                s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
                self.assertIn(b"200 OK", s.recv(4096))
                socks.append(s)
            status, headers, body = server.get(path)
            self.assertEqual(status, 429)
            self.assertNotIn("Retry-After", headers)
            self.assertIn("CLIENT_MAX_STREAMS", json.loads(body)["error"]["message"])
            socks.pop().close()
            deadline = time.monotonic() + 10
            while True:
                conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
                conn.request("GET", path)
                if conn.getresponse().status == 200 or time.monotonic() > deadline:
                    break
                conn.close()
                time.sleep(0.05)
            self.assertLess(time.monotonic(), deadline, "a closed stream was not released")
            conn.close()
            for s in socks:
                s.close()

    def test_websocket_messages_a_second(self):
        async def pings(port):
            async with aiohttp.ClientSession() as http_session:
                async with http_session.ws_connect(f"http://127.0.0.1:{port}/ws") as ws:
                    for i in range(60):
                        await ws.send_json({"type": "ping", "ref": str(i)})
                    replies = []
                    while len(replies) < 60:
                        body = json.loads((await asyncio.wait_for(ws.receive(), 10)).data)
                        replies.extend(body if isinstance(body, list) else [body])
                    return replies
        with Server("--browser", "none",
                    "--client-ws-messages-per-second", "10") as server:
            replies = asyncio.run(pings(server.port))
            pongs = [r for r in replies if r["type"] == "pong"]
            limited = [r["data"] for r in replies if r["type"] == "error"]
            # A burst of twice the rate passes, the rest is refused.
            self.assertTrue(20 <= len(pongs) <= 22, len(pongs))
            self.assertEqual(len(pongs) + len(limited), 60)
            self.assertEqual({e["code"] for e in limited}, {"rate_limited"})
            self.assertEqual({e["retry_after"] for e in limited}, {1})


if __name__ == "__main__":
    unittest.main()

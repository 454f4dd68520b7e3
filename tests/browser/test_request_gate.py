"""Who may drive the server, against the real binary on loopback: a Host it
does not answer to (a DNS-rebinding page's) gets 421 before routing on every
endpoint, a missing or doubled Host 400; a page on another site cannot start
a run even with a no-cors `<img>` that sends no Origin (real Chromium,
Fetch Metadata), while the server's own page and programs can; admin never
answers every origin; the UI's pages carry their security headers."""

import asyncio
import json
import os
import socket
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from harness import Server, ServerTestCase, body_of, raw_request, status_of  # noqa: E402
from cdp import Chromium  # noqa: E402
from test_agent_browser import start_page_server  # noqa: E402


def request(port, head):
    answer = raw_request(port, head.encode() + b"\r\n\r\n")
    return status_of(answer), answer


class RequestGate(ServerTestCase):
    server_flags = ("--browser", "none", "--planner-token-delay", "0",
                    "--allowed-hosts", "agents.example.test",
                    "--allowed-origins", "*")

    def sessions(self):
        return self.server.get_json("/api/sessions")[1]["count"]

    def test_a_rebinding_host_is_misdirected_everywhere(self):
        port = self.server.port
        before = self.sessions()
        for target in ("/stream?command=hello", "/api/sessions", "/health", "/",
                       "/api/admin/actors", "/metrics", "/nowhere"):
            status, answer = request(
                port, f"GET {target} HTTP/1.1\r\nHost: evil.example:{port}\r\n"
                      f"Origin: http://evil.example:{port}\r\nConnection: close")
            self.assertEqual(status, 421, target)
            error = json.loads(body_of(answer))["error"]
            self.assertEqual(error["code"], "misdirected_request")
        status, _ = request(port, f"POST /api/admin/sessions/s-x/end HTTP/1.1\r\n"
                                  f"Host: evil.example:{port}\r\nContent-Length: 0\r\n"
                                  "Connection: close")
        self.assertEqual(status, 421)
        status, _ = request(port, f"GET /ws HTTP/1.1\r\nHost: evil.example:{port}\r\n"
                                  "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                                  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                  "Sec-WebSocket-Version: 13")
        self.assertEqual(status, 421)
        self.assertEqual(self.sessions(), before)

    def test_hosts_the_server_answers_to(self):
        port = self.server.port
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}",
                     "agents.example.test"):
            status, _ = request(port, f"GET /health HTTP/1.1\r\nHost: {host}\r\n"
                                      "Connection: close")
            self.assertEqual(status, 200, host)
        for head in ("GET /health HTTP/1.1\r\nConnection: close",
                     "GET /health HTTP/1.1\r\nHost: localhost\r\nHost: localhost\r\n"
                     "Connection: close",
                     f"GET /health HTTP/1.1\r\nHost: x@evil.example:{port}\r\nConnection: close",
                     "GET /health HTTP/1.1\r\nHost: localhost.\r\nConnection: close"):
            status, answer = request(port, head)
            self.assertEqual(status, 400, head)
            self.assertEqual(json.loads(body_of(answer))["error"]["code"], "bad_host")
        status, _ = request(port, "GET /health HTTP/1.1\r\nHost: 2130706433\r\n"
                                  "Connection: close")
        self.assertEqual(status, 421)

if __name__ == "__main__":
    unittest.main()

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

    def test_the_ui_pages_carry_their_security_headers(self):
        for path, policy in (("/", "script-src 'self'"), ("/admin", "script-src 'self'"),
                             ("/demo/", None)):
            status, headers, _ = self.server.get(path)
            self.assertEqual(status, 200)
            headers = {k.lower(): v for k, v in headers.items()}
            self.assertEqual(headers["x-content-type-options"], "nosniff")
            self.assertEqual(headers["referrer-policy"], "same-origin")
            csp = headers["content-security-policy"]
            self.assertIn("frame-ancestors 'self'", csp)
            if policy:
                self.assertIn(policy, csp)
            else:
                self.assertNotIn("script-src", csp)  # the demo site's own inline scripts
        _, headers, _ = self.server.get("/ui/app.js")
        self.assertEqual(headers["X-Content-Type-Options"], "nosniff")

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
        # An absolute-form target (RFC 9112 §3.2.2) is served, its authority
        # standing for Host.
        status, _ = request(port, f"GET http://127.0.0.1:{port}/health HTTP/1.1\r\n"
                                  "Host: elsewhere.example\r\nConnection: close")
        self.assertEqual(status, 200)
        status, _ = request(port, f"GET http://evil.example:{port}/health HTTP/1.1\r\n"
                                  f"Host: 127.0.0.1:{port}\r\nConnection: close")
        self.assertEqual(status, 421)

    def test_a_cross_site_request_starts_nothing(self):
        port = self.server.port
        before = self.sessions()
        for site in ("cross-site", "same-site"):
            status, answer = request(
                port, f"GET /stream?command=hello HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                      f"Sec-Fetch-Site: {site}\r\nSec-Fetch-Mode: no-cors\r\n"
                      "Connection: close")
            self.assertEqual(status, 403, site)
            self.assertEqual(json.loads(body_of(answer))["error"]["code"],
                             "cross_site_request")
        status, _ = request(port, f"POST /api/sessions HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                                  "Sec-Fetch-Site: cross-site\r\nOrigin: http://evil.example\r\n"
                                  "Content-Length: 0\r\nConnection: close")
        # `*` lets in every origin for the API...
        self.assertEqual(status, 201)
        status, _ = request(port, f"GET /api/admin/actors HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                                  "Sec-Fetch-Site: cross-site\r\nOrigin: http://evil.example\r\n"
                                  "Connection: close")
        # ...never for admin.
        self.assertEqual(status, 403)
        status, answer = request(port, f"GET /api/admin/actors HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                                       "Origin: http://evil.example\r\nConnection: close")
        self.assertNotIn(b"Access-Control-Allow-Origin", answer.split(b"\r\n\r\n")[0])
        # The server's own page, a person's navigation, a program: fine.
        for site in ("same-origin", "none", None):
            head = f"GET /health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close"
            stream = (f"GET /api/sessions HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                      + (f"Sec-Fetch-Site: {site}\r\n" if site else "") + "Connection: close")
            self.assertEqual(request(port, head)[0], 200)
            self.assertEqual(request(port, stream)[0], 200, site)
        self.assertEqual(self.sessions(), before + 1)


class CrossSitePage(unittest.TestCase):
    """A real page on another site, in real Chromium, points an `<img>` and a
    no-cors fetch at /stream: no run starts."""

    def test_an_image_on_another_site_starts_no_run(self):
        pages, pages_port = start_page_server()
        self.addCleanup(pages.wait)
        self.addCleanup(pages.kill)
        with Server("--browser", "none", "--planner-token-delay", "0",
                    "--log-level", "DEBUG") as server:
            asyncio.run(asyncio.wait_for(self.image_page(server, pages_port), 60))

    async def image_page(self, server, pages_port):
        target = f"http://127.0.0.1:{server.port}/stream?command=hello"
        async with Chromium() as browser:
            tab = browser.first
            # localhost is another site than 127.0.0.1.
            await tab.navigate(f"http://localhost:{pages_port}/index.html")
            await tab.evaluate(f"""(() => {{
              const img = new Image(); img.src = {json.dumps(target + "&messageId=img")};
              document.body.append(img);
              fetch({json.dumps(target + "&messageId=nocors")}, {{mode: 'no-cors'}}).catch(() => {{}});
            }})()""")
            self.assertEqual(await tab.evaluate("document.title"), "AgentTheo test page")
            # Both reached the server (its DEBUG line for each request)...
            deadline = time.monotonic() + 10
            while not all(any(f"messageId={m}" in line for line in server.log_lines)
                          for m in ("img", "nocors")):
                self.assertLess(time.monotonic(), deadline, "".join(server.log_lines))
                await asyncio.sleep(0.05)
            # ...and neither started anything.
            await asyncio.sleep(0.3)
            self.assertEqual(server.get_json("/api/sessions")[1]["count"], 0)
            status, _, body = server.get("/api/runs/img/events")
            self.assertEqual(status, 404)
            # The server's own page still runs commands.
            await tab.navigate(f"http://127.0.0.1:{server.port}/demo/")
            got = await tab.evaluate(f"""fetch({json.dumps(target + "&messageId=own")})
              .then((r) => r.text()).then((t) => t.includes('event: complete'))""")
            self.assertTrue(got)


if __name__ == "__main__":
    unittest.main()

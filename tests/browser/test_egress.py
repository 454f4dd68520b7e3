"""Every way a page or the model can send the agent's browser somewhere,
against the real binary and real Chromium, with a fixture listening on
127.0.0.2 that the deny list refuses: each spelling of its address, a
redirect, a link clicked, a form posted, fetch, an iframe, an image, a
WebSocket, a popup, and a host name mapped to it. The fixture must see no
request at all; the tool's output must say why. A control server without
the deny list proves the fixture sees what does reach it. Only loopback
addresses are used, and the harness's dead upstream proxy stands behind
the policy anyway."""

import http.server
import os
import socketserver
import sys
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from harness import NO_NAME_LOOKUPS, Server, SseStream, stream_path  # noqa: E402

DENIED = "127.0.0.2"


class Target(socketserver.ThreadingTCPServer):
    """The address the policy refuses: records the request line of every
    connection that reaches it (HTTP or a WebSocket upgrade alike)."""
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        self.seen = []
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                line = self.rfile.readline().decode("latin-1").strip()
                outer.seen.append(line)
                body = b"<title>Secret</title><p>the secret page</p>"
                self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                                 b"Content-Length: %d\r\nConnection: close\r\n\r\n"
                                 % len(body) + body)

        super().__init__((DENIED, 0), Handler)
        self.port = self.server_address[1]


def attack_pages(target):
    """Pages on 127.0.0.1 that each try one way to reach `target`."""
    secret = f"http://{target}"
    return {
        "/redirect": ("302", f"{secret}/redirected"),
        "/link": f'<title>Link</title><a href="{secret}/clicked">Secret link</a>',
        "/form": (f'<title>Form</title><form method="post" action="{secret}/posted">'
                  '<input name="q" value="x"><button>Send it</button></form>'),
        "/popup": (f'<title>Popup</title><a href="{secret}/popup" target="_blank">'
                   'Open the popup</a>'),
        "/scripts": (
            "<title>Scripts</title><p id=out>waiting</p>"
            f'<iframe src="{secret}/framed"></iframe><img src="{secret}/image.png">'
            "<script>const said = [];"
            "const say = s => { said.push(s); out.textContent = said.join('; '); };"
            f"fetch('{secret}/fetched').then(r => say('fetch ' + r.status),"
            " () => say('fetch failed'));"
            f"const ws = new WebSocket('ws://{target}/socket');"
            "ws.onopen = () => say('socket open');"
            "ws.onerror = () => say('socket failed');"
            "</script>"),
    }


class Pages(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, target):
        pages = attack_pages(target)

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def send_chunked(self):
                """HTTP/1.1 chunked, each chunk its own write, as servers
                that stream a page do (through the egress proxy's relay)."""
                self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                                 b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
                for part in (b"<title>Chunked</title><p>first part</p>",
                             b"<p>second part</p>", b"<p>third part</p>"):
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                    self.wfile.flush()
                    time.sleep(0.05)
                self.wfile.write(b"0\r\n\r\n")
                self.close_connection = True

            def do_GET(self):
                if self.path == "/chunked":
                    return self.send_chunked()
                page = pages.get(self.path.split("?")[0])
                if page is None:
                    self.send_error(404)
                    return
                if isinstance(page, tuple):
                    self.send_response(int(page[0]))
                    self.send_header("Location", page[1])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = page.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        super().__init__(("127.0.0.1", 0), Handler)
        self.port = self.server_address[1]


class EgressCase(unittest.TestCase):
    denied = True

    @classmethod
    def setUpClass(cls):
        cls.target = Target()
        cls.pages = Pages(f"{DENIED}:{cls.target.port}")
        for server in (cls.target, cls.pages):
            threading.Thread(target=server.serve_forever, daemon=True).start()
            cls.addClassCleanup(server.server_close)
            cls.addClassCleanup(server.shutdown)
        # The click tool's click is a script's, which Chromium's popup
        # blocker stops; without it the popup really opens.
        env = {"BROWSER_HOST_RESOLVER_RULES": f"MAP denied.test {DENIED}, "
                                              f"{NO_NAME_LOOKUPS}",
               "CHROMIUM_FLAGS": "--disable-popup-blocking"}
        if cls.denied:
            env["BROWSER_DENIED_HOSTS"] = DENIED
        cls.server = cls.enterClassContext(Server(env=env))

    def setUp(self):
        self.target.seen.clear()

    def page(self, path):
        return f"http://127.0.0.1:{self.pages.port}{path}"

    def run_command(self, command):
        events = SseStream(self.server.port, stream_path(command),
                           timeout=90).read_all()
        self.assertIn(events[-1].type, ("complete", "error"), events[-1].data)
        return events

    def tool_ends(self, command):
        return [e.data for e in self.run_command(command) if e.type == "tool_end"]


class EgressIsRefused(EgressCase):
    def tearDown(self):
        self.assertEqual(self.target.seen, [], "the denied address was reached")

    def test_every_spelling_of_the_address_is_refused(self):
        port = self.target.port
        for url in [f"http://{DENIED}:{port}/", f"http://2130706434:{port}/",
                    f"http://0x7f000002:{port}/", f"http://127.0.0.%32:{port}/",
                    f"http://127.0.0.2.:{port}/", f"http://0177.0.0.02:{port}/",
                    f"http://[::ffff:127.0.0.2]:{port}/"]:
            with self.subTest(url=url):
                end = self.tool_ends(f"go to {url}")[0]
                self.assertFalse(end["ok"])
                self.assertRegex(end["output"], r"^refused: .* is denied by configuration$")

    def test_a_redirect_is_refused_with_the_reason(self):
        end = self.tool_ends(f"go to {self.page('/redirect')}")[0]
        self.assertFalse(end["ok"])
        self.assertEqual(end["output"],
                         f"could not open {self.page('/redirect')}: blocked by the "
                         f"egress policy: {DENIED} is denied by configuration")
        self.assertEqual(end["error_code"], "egress_blocked")

    def test_a_name_that_resolves_to_it_is_refused(self):
        url = f"http://denied.test:{self.target.port}/"
        end = self.tool_ends(f"go to {url}")[0]
        self.assertFalse(end["ok"])
        self.assertEqual(end["output"],
                         f"could not open {url}: blocked by the egress policy: "
                         f"denied.test resolves to {DENIED}, which is denied by "
                         "configuration")

    def test_a_name_no_rule_maps_is_not_looked_up(self):
        # The harness's rules end with `MAP * ~NOTFOUND`: the proxy answers
        # for the name itself, no resolver asked.
        url = f"http://nowhere.test:{self.target.port}/"
        end = self.tool_ends(f"go to {url}")[0]
        self.assertFalse(end["ok"])
        self.assertEqual(end["output"],
                         f"could not open {url}: no address is known for "
                         "nowhere.test: BROWSER_HOST_RESOLVER_RULES resolves it "
                         "to nothing (~NOTFOUND)")

    def test_a_clicked_link_and_a_posted_form_are_refused(self):
        for path, button in [("/link", "Secret link"), ("/form", "Send it")]:
            with self.subTest(path=path):
                ends = self.tool_ends(f"go to {self.page(path)} then click "
                                      f"{button} then read the page")
                self.assertEqual([e["ok"] for e in ends], [True, True, True], ends)
                self.assertIn(f"blocked by the egress policy: {DENIED} is denied "
                              "by configuration", ends[-1]["output"])

    def test_fetch_frames_images_and_sockets_are_refused(self):
        ends = self.tool_ends(f"go to {self.page('/scripts')} then wait for "
                              "socket failed then read the page")
        self.assertTrue(all(e["ok"] for e in ends), ends)
        self.assertIn("fetch failed", ends[-1]["output"])
        self.assertIn("socket failed", ends[-1]["output"])

    def test_a_popup_is_refused(self):
        ends = self.tool_ends(f"go to {self.page('/popup')} then click "
                              "Open the popup then read the page")
        self.assertTrue(all(e["ok"] for e in ends), ends)

    def test_the_server_api_is_out_of_reach_but_the_demo_is_not(self):
        own = f"http://127.0.0.1:{self.server.port}"
        for path in ["/health", "/api/sessions", "/metrics", "/api/admin/stats"]:
            with self.subTest(path=path):
                end = self.tool_ends(f"go to {own}{path}")[0]
                self.assertFalse(end["ok"])
                self.assertIn("blocked by the egress policy: the AgentTheo server's "
                              "own API is not reachable from its agent", end["output"])
        ends = self.tool_ends(f"go to http://localhost:{self.server.port}/demo/ "
                              "then read the title")
        self.assertEqual([e["ok"] for e in ends], [True, True], ends)
        self.assertEqual(ends[-1]["output"], "Demo Garden Shop")


class EgressControl(EgressCase):
    """Without the deny list the same pages do reach the fixture: the
    refusals above are the policy's doing, not a broken fixture."""
    denied = False

    def test_the_fixture_sees_what_reaches_it(self):
        for command in [f"go to {self.page('/link')} then click Secret link",
                        f"go to {self.page('/form')} then click Send it",
                        f"go to {self.page('/scripts')} then wait for socket",
                        f"go to {self.page('/popup')} then click Open the popup",
                        f"go to {self.page('/redirect')}",
                        f"go to http://denied.test:{self.target.port}/mapped"]:
            with self.subTest(command=command):
                ends = self.tool_ends(command)
                self.assertTrue(all(e["ok"] for e in ends), ends)
        paths = {line.split()[1] for line in self.target.seen if line}
        self.assertEqual(paths >= {"/clicked", "/posted", "/framed", "/image.png",
                                   "/fetched", "/socket", "/popup", "/redirected",
                                   "/mapped"}, True, paths)

    def test_a_chunked_page_arrives_whole(self):
        ends = self.tool_ends(f"go to {self.page('/chunked')} then read the page")
        self.assertTrue(ends[0]["output"].endswith('title: "Chunked"'), ends[0])
        self.assertIn("first part\nsecond part\nthird part", ends[-1]["output"])


if __name__ == "__main__":
    unittest.main()

"""Files, end to end: what the agent's Chromium downloads becomes one of
the session's artifacts (an `artifact` event, the bytes the fixture server
sent, fetched back through the API); a file a client posts goes into a
file input and reaches the fixture server whole; names that would leave
the session's folder are refused everywhere; MAX_ARTIFACT_BYTES bounds
downloads and uploads; deleting the session deletes its files."""

import hashlib
import http.client
import json
import os
import re
import socket
import sys
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from harness import ServerTestCase, SseStream, stream_path  # noqa: E402
from page_server import download_bytes  # noqa: E402
from test_agent_browser import serve_pages  # noqa: E402

TOKEN = "files-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
MAX_BYTES = 1 << 20


def multipart(field, filename, data, boundary="----agenttheo-test-boundary"):
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\n"
            f"not a file\r\n--{boundary}\r\nContent-Disposition: form-data; "
            f"name=\"{field}\"; filename=\"{filename}\"\r\nContent-Type: "
            f"application/octet-stream\r\n\r\n").encode() + data + \
        f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


class Files(ServerTestCase):
    server_flags = ("--planner-token-delay", "0", "--api-token", TOKEN,
                    "--max-artifact-bytes", str(MAX_BYTES))

    @classmethod
    def setUpClass(cls):
        cls.port = serve_pages(cls)
        super().setUpClass()

    def url(self, path):
        return f"http://127.0.0.1:{self.port}/{path}"

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers={**AUTH, **(headers or {})})
            resp = conn.getresponse()
            return resp.status, dict(resp.getheaders()), resp.read()
        finally:
            conn.close()

    def new_session(self):
        status, _, body = self.request("POST", "/api/sessions")
        self.assertEqual(status, 201, body)
        return json.loads(body)["id"]

    def run_command(self, command, session=None):
        params = {"session": session} if session else {}
        events = SseStream(self.server.port, stream_path(command, **params),
                           headers=AUTH, timeout=60).read_all()
        self.assertEqual(events[-1].type, "complete", events[-1].data)
        return events

    def tool_ends(self, events, name):
        return [e.data for e in events if e.type == "tool_end" and e.data["tool_name"] == name]

    def folder(self, session):
        return os.path.join(self.server.workdir, "data", "artifacts", session)

    def post_file(self, session, filename, data):
        body, content_type = multipart("file", filename, data)
        return self.request("POST", f"/api/sessions/{session}/artifacts", body,
                            {"Content-Type": content_type})

    def assert_click_ends_with_file_kept(self, link, name):
        """Clicks `link` on files.html: the file's `artifact` comes before
        the click's `tool_end`, whose output says it was downloaded."""
        events = self.run_command(f"go to {self.url('files.html')} then click {link}")
        kinds = [e.type for e in events]
        self.assertIn("artifact", kinds)
        click_end = max(i for i, e in enumerate(events)
                        if e.type == "tool_end" and e.data["tool_name"] == "click")
        self.assertLess(kinds.index("artifact"), click_end)
        artifact = next(e.data for e in events if e.type == "artifact")
        self.assertEqual((artifact["name"], artifact["bytes"]), (name, 150000))
        self.assertIn(f"downloaded {name} (150000 bytes", events[click_end].data["output"])

    def test_a_click_that_starts_a_download_ends_with_the_file_kept(self):
        # The export's second half comes a second after its first, long
        # after the click's settle time: the click waits for it.
        self.assert_click_ends_with_file_kept("Fetch the slow export", "export.csv")

    def test_a_download_answered_late_is_kept_before_the_click_ends(self):
        # Its head comes half a second after the click, past the settle
        # time: the navigation stops with no new document, and Chrome tells
        # of the download only after that. Its second half comes a second
        # later still, so a click that ended at the navigation's stop would
        # end without it.
        self.assert_click_ends_with_file_kept("Fetch the late export", "late.csv")

    def test_a_download_becomes_an_artifact_the_api_serves(self):
        events = self.run_command(f"go to {self.url('files.html')} then click Get the "
                                  f"report then list the downloads")
        session = events[0].data["session"]
        artifacts = [e.data for e in events if e.type == "artifact"]
        self.assertEqual(len(artifacts), 1, artifacts)
        artifact = artifacts[0]
        self.assertEqual((artifact["name"], artifact["mime"], artifact["bytes"]),
                         ("report.csv", "text/csv", 150000))
        self.assertEqual(artifact["url"], f"/api/sessions/{session}/artifacts/report.csv")
        clicked = self.tool_ends(events, "click")[0]["output"]
        self.assertIn("downloaded report.csv (150000 bytes", clicked)
        listed = self.tool_ends(events, "list_downloads")[0]
        self.assertTrue(listed["ok"])
        self.assertIn("- report.csv (150000 bytes, text/csv)", listed["output"])

        served = download_bytes("report.csv", 150000)
        status, headers, body = self.request("GET", artifact["url"])
        self.assertEqual(status, 200)
        self.assertEqual(body, served)
        self.assertEqual(headers["Content-Type"], "text/csv")
        self.assertEqual(headers["Content-Disposition"],
                         "attachment; filename=\"report.csv\"; "
                         "filename*=UTF-8''report.csv")
        self.assertEqual(headers["X-Content-Type-Options"], "nosniff")
        status, headers, body = self.request("HEAD", artifact["url"])
        self.assertEqual((status, headers["Content-Length"], body), (200, "150000", b""))
        with open(os.path.join(self.folder(session), "report.csv"), "rb") as f:
            self.assertEqual(f.read(), served)

        status, _, body = self.request("GET", f"/api/sessions/{session}/artifacts")
        listing = json.loads(body)
        self.assertEqual(status, 200)
        self.assertEqual([(a["name"], a["bytes"]) for a in listing["artifacts"]],
                         [("report.csv", 150000)])
        self.assertEqual((listing["bytes"], listing["max_bytes"]), (150000, MAX_BYTES))
        # The same auth as the rest of the API.
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        conn.request("GET", artifact["url"])
        self.assertEqual(conn.getresponse().status, 401)
        conn.close()

    def test_a_posted_file_goes_into_a_file_input(self):
        session = self.new_session()
        data = os.urandom(200_000)
        status, _, body = self.post_file(session, "cv.pdf", data)
        self.assertEqual(status, 201, body)
        stored = json.loads(body)
        self.assertEqual((stored["name"], stored["mime"], stored["bytes"]),
                         ("cv.pdf", "application/pdf", len(data)))
        # By target (a CSS selector)...
        events = self.run_command(f"go to {self.url('files.html')} then upload cv.pdf "
                                  f"into #resume then click Send then read the page",
                                  session)
        uploaded = self.tool_ends(events, "upload_file")[0]
        self.assertTrue(uploaded["ok"], uploaded)
        self.assertIn(f"put cv.pdf ({len(data)} bytes) into #resume", uploaded["output"])
        self.assertIn("received cv.pdf", events[-1].data["result"])
        received = self.received("cv.pdf")
        self.assertEqual((received["field"], received["bytes"], received["sha256"]),
                         ("resume", len(data), hashlib.sha256(data).hexdigest()))

        # ...and by the ref a snapshot gave; a raw body named by ?name=.
        raw = b"plain text, posted raw\n"
        status, _, body = self.request(
            "POST", f"/api/sessions/{session}/artifacts?name=notes.txt", raw,
            {"Content-Type": "text/plain"})
        self.assertEqual((status, json.loads(body)["name"]), (201, "notes.txt"))
        events = self.run_command(f"go to {self.url('files.html')} then take a snapshot",
                                  session)
        snapshot = self.tool_ends(events, "get_page_snapshot")[0]["output"]
        ref = re.search(r'button "Resume" \[ref=(e\d+)\]', snapshot).group(1)
        events = self.run_command(f"upload notes.txt into {ref} then click Send", session)
        self.assertTrue(self.tool_ends(events, "upload_file")[0]["ok"])
        received = self.received("notes.txt")
        self.assertEqual(received["sha256"], hashlib.sha256(raw).hexdigest())

        # Not a file input: said so, nothing set.
        events = self.run_command(f"go to {self.url('files.html')} then upload "
                                  f"notes.txt into #name", session)
        refused = self.tool_ends(events, "upload_file")[0]
        self.assertFalse(refused["ok"])
        self.assertIn("is not a file input", refused["output"])

    def received(self, filename):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.request("GET", "/uploaded")
        uploads = json.loads(conn.getresponse().read())
        conn.close()
        found = [u for u in uploads if u["filename"] == filename]
        self.assertTrue(found, uploads)
        return found[-1]

    def test_names_that_leave_the_folder_are_refused(self):
        session = self.new_session()
        secret = os.path.join(self.server.workdir, "data", "secret.txt")
        os.makedirs(os.path.dirname(secret), exist_ok=True)
        with open(secret, "w") as f:
            f.write("not for the agent")
        status, _, body = self.post_file(session, "../../evil.txt", b"x")
        self.assertEqual((status, json.loads(body)["name"]), (201, "evil.txt"))
        self.assertEqual([n for n in os.listdir(self.folder(session))
                          if not n.startswith(".")], ["evil.txt"])
        self.assertFalse(os.path.exists(os.path.join(self.server.workdir, "data",
                                                     "evil.txt")))
        base = f"/api/sessions/{session}/artifacts/"
        for name in ("..%2Fsecret.txt", "%2e%2e%2fsecret.txt", "..", "%2E%2E",
                     ".partial", "a%00b", "..%5Csecret.txt"):
            status, _, body = self.request("GET", base + name)
            self.assertEqual(status, 400, name)
            self.assertEqual(json.loads(body)["error"]["code"], "bad_artifact_name")
        status, _, body = self.request("GET", base + "missing.txt")
        self.assertEqual((status, json.loads(body)["error"]["code"]),
                         (404, "unknown_artifact"))
        status, _, body = self.request("GET", "/api/sessions/no-such/artifacts")
        self.assertEqual((status, json.loads(body)["error"]["code"]),
                         (404, "unknown_session"))
        # The model cannot name a file outside the folder either.
        # (The planner trims dots at a step's ends: these keep theirs.)
        names = ("evil.txt/../../../secret.txt", "/etc/hostname", "x/../evil.txt")
        self.run_command(f"go to {self.url('files.html')}", session)
        for name in names:
            events = self.run_command(f"upload {name} into #resume", session)
            refused = self.tool_ends(events, "upload_file")[0]
            self.assertFalse(refused["ok"])
            self.assertIn(f"no file named '{name}'", refused["output"])
        self.assertEqual(self.received_count("secret.txt"), 0)

    def received_count(self, filename):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.request("GET", "/uploaded")
        uploads = json.loads(conn.getresponse().read())
        conn.close()
        return sum(1 for u in uploads if u["filename"] == filename)

    def test_max_artifact_bytes_bounds_downloads_and_uploads(self):
        events = self.run_command(f"go to {self.url('files.html')} then click Get the "
                                  f"big file")
        session = events[0].data["session"]
        outputs = " ".join(e["output"] for e in self.tool_ends(events, "click"))
        # What happens to a download after its tool ended is said to the
        # next tool; list until nothing is under way.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            listed = self.run_command("list the downloads", session)
            events += listed
            outputs += " ".join(e["output"] for e in self.tool_ends(listed, "list_downloads"))
            if "Still downloading" not in outputs.rsplit("list", 1)[-1]:
                break
            time.sleep(0.2)
        self.assertEqual([e for e in events if e.type == "artifact"], [])
        self.assertIn("stopped downloading big.bin", outputs)
        self.assertIn("MAX_ARTIFACT_BYTES", outputs)
        names = os.listdir(self.folder(session)) if os.path.isdir(self.folder(session)) else []
        self.assertNotIn("big.bin", names)

        other = self.new_session()
        # Refused as soon as the head says how large it is.
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=10) as s:
            s.sendall(f"POST /api/sessions/{other}/artifacts?name=big.bin HTTP/1.1\r\n"
                      f"Host: 127.0.0.1\r\nAuthorization: Bearer {TOKEN}\r\n"
                      f"Content-Length: {MAX_BYTES + 200_000}\r\n\r\n".encode())
            head = s.recv(4096).decode()
        self.assertTrue(head.startswith("HTTP/1.1 413"), head)
        self.assertIn('"body_too_large"', head)
        status, _, _ = self.post_file(other, "a.bin", b"a" * (MAX_BYTES - 1000))
        self.assertEqual(status, 201)
        status, _, body = self.post_file(other, "b.bin", b"b" * 2000)
        self.assertEqual((status, json.loads(body)["error"]["code"]),
                         (413, "artifacts_full"))
        status, _, body = self.request("POST", f"/api/sessions/{other}/artifacts", b"",
                                       {"Content-Type": "application/octet-stream"})
        self.assertEqual((status, json.loads(body)["error"]["code"]), (400, "bad_upload"))

    def test_an_upload_that_asks_first_is_told_to_go_on(self):
        # curl sends `Expect: 100-continue` past 1 MiB and waits a second
        # for the answer before sending the body anyway.
        session = self.new_session()
        data = b"y" * 5000
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=10) as s:
            s.sendall(f"POST /api/sessions/{session}/artifacts?name=asked.bin HTTP/1.1\r\n"
                      f"Host: 127.0.0.1\r\nAuthorization: Bearer {TOKEN}\r\n"
                      f"Expect: 100-continue\r\nContent-Length: {len(data)}\r\n\r\n"
                      .encode())
            interim = s.recv(4096).decode()
            self.assertEqual(interim, "HTTP/1.1 100 Continue\r\n\r\n")
            s.sendall(data)
            final = b""
            while b"}" not in final:
                final += s.recv(4096)
        self.assertTrue(final.startswith(b"HTTP/1.1 201"), final)
        self.assertIn(b'"name":"asked.bin"', final)

    def test_deleting_the_session_deletes_its_files(self):
        session = self.new_session()
        status, _, _ = self.post_file(session, "gone.txt", b"soon gone")
        self.assertEqual(status, 201)
        self.assertTrue(os.path.isfile(os.path.join(self.folder(session), "gone.txt")))
        status, _, _ = self.request("DELETE", f"/api/sessions/{session}")
        self.assertEqual(status, 200)
        self.assertFalse(os.path.exists(self.folder(session)))


if __name__ == "__main__":
    unittest.main()

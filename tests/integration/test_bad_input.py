"""Bad input never crashes or hangs the server: each case gets a clear 4xx
with a JSON body, and the server keeps serving."""

import json
import unittest

from harness import (ServerTestCase, SseStream, body_of, raw_request,
                     status_of, stream_path)


class BadInput(ServerTestCase):
    server_flags = ("--planner-token-delay", "0", "--max-command-length", "200",
                    "--max-header-bytes", "4K",
                    "--allowed-origins", "http://app.example")

    def tearDown(self):
        # Whatever the last request did, the server still answers.
        status, body = self.server.get_json("/health")
        self.assertEqual(status, 200)
        self.assertEqual(body["status"], "ok")

    def expect_error(self, path, status, code, headers=None, method="GET"):
        got, hdrs, body = self.server.get(path, headers, method)
        self.assertEqual(got, status, body)
        self.assertTrue(hdrs["Content-Type"].startswith("application/json"))
        error = json.loads(body)["error"]
        self.assertEqual(error["status"], status)
        self.assertEqual(error["code"], code)
        self.assertTrue(error["message"])
        return hdrs

    def test_missing_command(self):
        self.expect_error("/stream", 400, "missing_command")
        self.expect_error("/stream?messageId=never-seen", 400, "missing_command")

    def test_over_long_command(self):
        self.expect_error(stream_path("x" * 201), 400, "command_too_long")
        ok = SseStream(self.server.port, stream_path("x" * 200))
        self.assertEqual(ok.status, 200)
        self.assertEqual(ok.read_all()[-1].type, "complete")

    def test_unsafe_message_id(self):
        for bad in ["has space", "a/b", "<script>", "x" * 129, ""]:
            with self.subTest(bad=bad):
                self.expect_error(stream_path("hi", messageId=bad), 400,
                                  "bad_message_id")

    def test_malformed_last_event_id(self):
        for bad in ["abc", "-1", "1.5", "99999999999999999999999"]:
            with self.subTest(bad=bad):
                self.expect_error(stream_path("hi", messageId="lei"), 400,
                                  "bad_last_event_id", {"Last-Event-ID": bad})

    def test_bad_query_encoding(self):
        self.expect_error("/stream?command=%zz", 400, "bad_query")
        self.expect_error("/stream?command=%E2%28%A1", 400, "bad_command")

    def test_a_body_not_framed_by_chunked_cannot_smuggle_a_request(self):
        tucked = b"0\r\n\r\nGET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        for coding in (b"xchunked", b"chunked, identity", b"gzip, chunked"):
            with self.subTest(coding=coding):
                answer = raw_request(self.server.port, (
                    b"POST /api/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    b"Transfer-Encoding: " + coding + b"\r\n\r\n") + tucked)
                # One answer, then the connection closes: the tucked request
                # is never served.
                self.assertEqual(answer.count(b"HTTP/1.1 "), 1, answer)
                self.assertEqual(status_of(answer), 501)
                self.assertEqual(json.loads(body_of(answer))["error"]["code"],
                                 "unsupported_transfer_coding")

    def test_utf8_is_checked_strictly_everywhere(self):
        # Overlong '/', a surrogate, past U+10FFFF: all look like UTF-8.
        for bad in ("%C0%AF", "%ED%A0%80", "%F4%90%80%80", "%E0%80%AF"):
            with self.subTest(bad=bad):
                self.expect_error(f"/stream?command=go{bad}", 400, "bad_command")
        _, made = self.server.call("POST", "/api/sessions")
        sid = made["id"]
        answer = raw_request(self.server.port, (
            f"POST /api/sessions/{sid}/runs HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/json\r\nContent-Length: 20\r\n"
            "Connection: close\r\n\r\n").encode() + b'{"command":"go \xed\xa0\x80"}')
        self.assertEqual(status_of(answer), 400)
        self.assertEqual(json.loads(body_of(answer))["error"]["code"], "bad_body")
        status, session = self.server.call("GET", f"/api/sessions/{sid}")
        self.assertEqual((status, session["runs"]), (200, []))
        self.server.call("DELETE", f"/api/sessions/{sid}")

    def test_oversized_headers(self):
        request = (b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: "
                   + b"a" * 8192 + b"\r\n\r\n")
        answer = raw_request(self.server.port, request)
        self.assertEqual(status_of(answer), 431)
        self.assertEqual(json.loads(body_of(answer))["error"]["code"],
                         "headers_too_large")

    def test_malformed_request_line(self):
        answer = raw_request(self.server.port, b"BLAH\x01 / HTTP/9\r\n\r\n")
        self.assertEqual(status_of(answer), 400)
        self.assertEqual(json.loads(body_of(answer))["error"]["code"],
                         "malformed_request")

    def test_client_that_hangs_up_mid_request(self):
        def session_ids():
            status, body = self.server.get_json("/api/sessions")
            self.assertEqual(status, 200)
            return {s["id"] for s in body["sessions"]}

        before = session_ids()
        raw_request(self.server.port, b"GET /stream?command=hi&messageId=cut",
                    read=False)
        # The half request started nothing; the next request is answered.
        self.assertEqual(session_ids(), before)
        self.expect_error("/stream?messageId=cut", 400, "missing_command")

    def test_unknown_path_and_wrong_method(self):
        self.expect_error("/nothing/here", 404, "not_found")
        hdrs = self.expect_error("/stream", 405, "method_not_allowed",
                                 method="POST")
        self.assertIn("GET", hdrs["Allow"])
        self.expect_error("/health", 405, "method_not_allowed", method="DELETE")

    def test_foreign_origin_cannot_start_a_run(self):
        self.expect_error(stream_path("hi", messageId="evil-1"), 403,
                          "origin_not_allowed",
                          {"Origin": "http://evil.example"})
        # Nothing ran: the id is still unknown.
        self.expect_error("/stream?messageId=evil-1", 400, "missing_command")

    def test_own_and_listed_origins_may(self):
        own = SseStream(self.server.port, stream_path("hi"),
                        {"Origin": self.server.base})
        self.assertEqual(own.status, 200)
        self.assertNotIn("access-control-allow-origin", own.headers)
        own.read_all()
        listed = SseStream(self.server.port, stream_path("hi"),
                           {"Origin": "http://app.example"})
        self.assertEqual(listed.status, 200)
        self.assertEqual(listed.headers["access-control-allow-origin"],
                         "http://app.example")
        listed.read_all()

    def test_preflight(self):
        status, hdrs, _ = self.server.get("/stream", {
            "Origin": "http://app.example",
            "Access-Control-Request-Method": "GET"}, method="OPTIONS")
        self.assertEqual(status, 204)
        self.assertEqual(hdrs["Access-Control-Allow-Origin"], "http://app.example")
        self.expect_error("/stream", 403, "origin_not_allowed",
                          {"Origin": "http://evil.example"}, method="OPTIONS")


if __name__ == "__main__":
    unittest.main()

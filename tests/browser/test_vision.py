"""The model sees the page (LLM_VISION), against the real binary, real
Chromium and the scripted OpenAI-compatible model: with vision on, the
screenshot a page-changing step took (or take_screenshot's) reaches the
next request as an image part of a user message after the tool results —
decoded, a JPEG of the page's viewport, or of VISION_MAX_WIDTH when that
is narrower; with vision off no request carries an image; images are for
the run that took them, not the next run's conversation."""

import base64
import http.server
import os
import re
import socketserver
import sys
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, os.path.join(HERE, "..", "llm"))

from harness import Server, SseStream, stream_path  # noqa: E402
from scripted_upstream import ScriptedUpstream, reply, server_flags, tool_calls  # noqa: E402

PAGES = os.path.join(HERE, "pages")


def jpeg_size(data):
    """(width, height) from a JPEG's frame header."""
    assert data[:2] == b"\xff\xd8", "not a JPEG"
    i = 2
    while i + 4 <= len(data):
        marker, length = data[i + 1], int.from_bytes(data[i + 2:i + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            return (int.from_bytes(data[i + 7:i + 9], "big"),
                    int.from_bytes(data[i + 5:i + 7], "big"))
        i += 2 + length
    raise AssertionError("no frame header")


def images_in(request):
    """Each image part of a request: (the text beside it, its bytes)."""
    found = []
    for message in request["body"]["messages"]:
        if isinstance(message["content"], list):
            text = [p["text"] for p in message["content"] if p["type"] == "text"]
            for part in message["content"]:
                if part["type"] == "image_url":
                    url = part["image_url"]["url"]
                    prefix = "data:image/jpeg;base64,"
                    assert url.startswith(prefix), url[:40]
                    found.append((message["role"], text[0],
                                  base64.b64decode(url[len(prefix):])))
    return found


class Vision(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.upstream = cls.enterClassContext(ScriptedUpstream())

        class Quiet(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *a, **k):
                super().__init__(*a, directory=PAGES, **k)

            def log_message(self, *a):
                pass

        cls.pages = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Quiet)
        threading.Thread(target=cls.pages.serve_forever, daemon=True).start()
        cls.addClassCleanup(cls.pages.shutdown)
        cls.viewport_url = f"http://127.0.0.1:{cls.pages.server_address[1]}/viewport.html"

    def server(self, *flags):
        return Server(*server_flags(self.upstream, *flags))

    def run_agent(self, server, message_id, *turns, **params):
        self.upstream.play(*turns)
        first = len(self.upstream.requests)
        events = SseStream(server.port, stream_path("look at the page",
                                                    messageId=message_id, **params),
                           timeout=60).read_all()
        self.assertEqual(events[-1].type, "complete", events[-1].data)
        return events, self.upstream.requests[first:]

    def open_and_read(self):
        return (tool_calls([("navigate_to", {"url": self.viewport_url})]),
                tool_calls([("get_page_text", {})]),
                reply(["Seen."]))

    def viewport(self, events):
        text = [e.data["output"] for e in events
                if e.type == "tool_end" and e.data["tool_name"] == "get_page_text"][0]
        width, height = re.search(r"viewport (\d+)x(\d+)", text).groups()
        return int(width), int(height)

    def test_on_shows_the_page_after_a_step_at_its_size(self):
        with self.server("--llm-vision", "on") as server:
            events, requests = self.run_agent(server, "seen-1", *self.open_and_read())
            # After navigate_to (it changes the page): one image, in a user
            # message after the tool result, of the viewport's size.
            images = images_in(requests[1])
            self.assertEqual(len(images), 1)
            role, text, jpeg = images[0]
            self.assertEqual(role, "user")
            self.assertEqual(text, f"The page after navigate_to (step 1, {self.viewport_url}):")
            self.assertEqual(jpeg_size(jpeg), self.viewport(events))
            roles = [m["role"] for m in requests[1]["body"]["messages"]]
            self.assertEqual(roles[-2:], ["tool", "user"])
            # get_page_text changes nothing: no second image, the first kept.
            self.assertEqual(len(images_in(requests[2])), 1)
            # take_screenshot shows the page too; same session, next run.
            _, requests = self.run_agent(server, "seen-2",
                                         tool_calls([("take_screenshot", {})]),
                                         reply(["Seen again."]),
                                         session=events[0].data["session"])
            shots = images_in(requests[1])
            self.assertEqual(len(shots), 1)
            self.assertTrue(shots[0][1].startswith("The page after take_screenshot"))
            # The first run's image stayed with it: the second run's
            # conversation carries its words only.
            self.assertEqual(len(images_in(requests[0])), 0)
            self.assertIn("[image not kept after its run]",
                          str(requests[0]["body"]["messages"]))

    def test_a_narrower_max_width_scales_the_image(self):
        with self.server("--llm-vision", "on", "--vision-max-width", "400") as server:
            events, requests = self.run_agent(server, "narrow", *self.open_and_read())
            width, height = self.viewport(events)
            _, _, jpeg = images_in(requests[1])[0]
            self.assertEqual(jpeg_size(jpeg), (400, round(height * 400 / width)))

    def test_off_sends_no_image(self):
        with self.server("--llm-vision", "off") as server:
            events, requests = self.run_agent(server, "blind", *self.open_and_read())
            # The page was captured for the watchers all the same.
            self.assertTrue([e for e in events if e.type == "screenshot"])
            self.assertEqual([images_in(r) for r in requests], [[], [], []])
            self.assertTrue(all(isinstance(m["content"], str)
                                for r in requests for m in r["body"]["messages"]))

    def test_auto_follows_the_model_name(self):
        # test-model is no known vision model: auto leaves vision off.
        with self.server() as server:
            _, requests = self.run_agent(server, "auto", *self.open_and_read())
            self.assertEqual(len(images_in(requests[1])), 0)


if __name__ == "__main__":
    unittest.main()

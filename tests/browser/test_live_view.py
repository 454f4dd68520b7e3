"""The live view: the page's screencast (`Page.startScreencast` in real
headless Chromium) forwarded as binary WebSocket frames to subscribers that
ask for it, capped in rate, and never queued behind a client that stops
reading. Also: going back in history does not wait out the load timeout."""

import asyncio
import json
import os
import sys
import time
import unittest

import aiohttp

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from harness import (ServerTestCase, SseStream, split_binary_frame,  # noqa: E402
                     stream_path)
from test_websocket import masked_text, raw_websocket  # noqa: E402


class LiveView(ServerTestCase):
    server_flags = ("--planner-token-delay", "0", "--send-queue-limit", "64K",
                    "--socket-send-buffer", "4K", "--screencast-fps", "5")

    def demo(self, page=""):
        return f"{self.server.base}/demo/{page}"

    def test_frames_go_to_those_who_ask_at_a_capped_rate(self):
        asyncio.run(asyncio.wait_for(self.frames(), 90))

    async def frames(self):
        command = (f"go to {self.demo()} then click Products then scroll down "
                   f"then go back then click About")
        async with aiohttp.ClientSession() as http, \
                http.ws_connect(f"ws://127.0.0.1:{self.server.port}/ws") as viewer, \
                http.ws_connect(f"ws://127.0.0.1:{self.server.port}/ws") as plain:
            await viewer.send_json({"type": "run", "command": command,
                                    "messageId": "live-1", "frames": True})
            ack = json.loads((await viewer.receive()).data)
            await plain.send_json({"type": "subscribe", "session": ack["data"]["session"]})
            started = time.monotonic()
            frames, done = [], False
            while not done:
                msg = await asyncio.wait_for(viewer.receive(), 60)
                if msg.type == aiohttp.WSMsgType.BINARY:
                    header, image = split_binary_frame(msg.data)
                    if header["type"] == "frame":
                        frames.append((header, image))
                else:
                    done = json.loads(msg.data).get("type") == "complete"
            took = time.monotonic() - started
            # The subscriber that did not ask saw events, and not one frame.
            plain_frames = 0
            while True:
                msg = await asyncio.wait_for(plain.receive(), 30)
                if msg.type == aiohttp.WSMsgType.BINARY:
                    plain_frames += split_binary_frame(msg.data)[0]["type"] == "frame"
                elif json.loads(msg.data).get("type") == "complete":
                    break
        self.assertGreaterEqual(len(frames), 2)
        self.assertEqual(plain_frames, 0)
        self.assertLessEqual(len(frames), 5 * took + 2)   # SCREENCAST_FPS=5
        for header, image in frames:
            self.assertEqual((header["session"], header["messageId"], header["mime"]),
                             (ack["data"]["session"], "live-1", "image/jpeg"))
            self.assertGreater(header["width"], 0)
            self.assertTrue(image.startswith(b"\xff\xd8\xff"))

    def test_video_never_queues_behind_a_client_that_stops_reading(self):
        asyncio.run(asyncio.wait_for(self.stalled_viewer(), 90))

    async def stalled_viewer(self):
        _, created = self.server.call("POST", "/api/sessions")
        sid = created["id"]
        # Follows only `custom` events (few, small) but all the video.
        stalled = raw_websocket(self.server.port)
        stalled.sendall(masked_text(json.dumps({
            "type": "subscribe", "session": sid, "stream_mode": "custom",
            "frames": True})))
        await asyncio.sleep(0.3)
        scrolls = " then ".join(["scroll down", "scroll up"] * 8)
        self.server.call("POST", f"/api/sessions/{sid}/runs", {
            "command": f"go to {self.demo('products.html')} then {scrolls}",
            "messageId": "live-stalled"})
        for _ in range(600):
            _, run = self.server.call("GET", "/api/runs/live-stalled/events")
            if run["state"] == "finished":
                break
            await asyncio.sleep(0.1)
        self.assertEqual(run["state"], "finished")
        # Still connected: frames were dropped for it, it was not dropped.
        self.assertFalse(any("slow WebSocket consumer" in line
                             for line in self.server.log_lines))
        _, health = self.server.get_json("/health")
        self.assertGreaterEqual(health["streams"], 1)
        stalled.settimeout(5)
        received = stalled.recv(1 << 20)
        self.assertTrue(received)
        stalled.close()

    def test_going_back_does_not_wait_for_the_load_timeout(self):
        events = SseStream(self.server.port, stream_path(
            f"go to {self.demo()} then click Products then go back"), timeout=60).read_all()
        back = [e.data for e in events if e.type == "tool_end"
                and e.data["tool_name"] == "go_back"][0]
        self.assertTrue(back["ok"])
        self.assertEqual(back["output"],
                         f'went back to {self.demo()}; title: "Demo Garden Shop"')


if __name__ == "__main__":
    unittest.main()

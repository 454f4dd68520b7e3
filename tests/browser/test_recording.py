"""Recorded runs (README, "Replays and reports"): each run keeps its page's
frames beside its session's files, the live view's while someone watches
and at most RECORD_FPS otherwise, plus the screenshot after each
page-changing step; `/api/runs/{id}/frames` lists them and serves each. Real
headless Chromium browses the server's own /demo/ site under the built-in
planner; frames are decoded by Debian's ffmpeg."""

import asyncio
import base64
import json
import os
import struct
import subprocess
import sys
import tempfile
import time
import unittest

import aiohttp

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from harness import Server, ServerTestCase, split_binary_frame  # noqa: E402
from cdp import Chromium  # noqa: E402

COMMAND = "go to {demo} then click Products then scroll down then click About"


def jpeg_size(image):
    """Width and height from a JPEG's frame header (SOF0..SOF15 but DHT,
    JPG and DAC)."""
    at = 2
    while at + 4 <= len(image):
        marker, length = image[at + 1], struct.unpack(">H", image[at + 2:at + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", image[at + 5:at + 9])
            return width, height
        at += 2 + length
    return None


def decodes(image):
    """Whether ffmpeg decodes the JPEG with no error at all."""
    with tempfile.NamedTemporaryFile(suffix=".jpg") as f:
        f.write(image)
        f.flush()
        done = subprocess.run(
            ["ffmpeg", "-v", "error", "-xerror", "-i", f.name, "-f", "null", "-"],
            capture_output=True, text=True, timeout=30)
        return done.returncode == 0 and not done.stderr.strip()


def run_and_wait(server, command, message_id, timeout=60):
    status, created = server.call("POST", "/api/sessions")
    assert status == 201, created
    sid = created["id"]
    status, body = server.call("POST", f"/api/sessions/{sid}/runs",
                               {"command": command, "messageId": message_id})
    assert status == 202, body
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, done = server.call("GET", f"/api/runs/{message_id}/events")
        if done["state"] == "finished":
            return sid, done
        time.sleep(0.1)
    raise AssertionError(f"run {message_id} did not finish")


class Recording(ServerTestCase):
    server_flags = ("--planner-token-delay", "0", "--record-fps", "2",
                    "--screencast-fps", "10")

    def demo(self):
        return f"{self.server.base}/demo/"

    def frames_dir(self, sid, message_id):
        return os.path.join(self.server.workdir, "data", "artifacts", sid,
                            ".frames", message_id)

    def test_a_run_keeps_its_frames_and_each_decodes(self):
        started = time.monotonic()
        sid, done = run_and_wait(self.server, COMMAND.format(demo=self.demo()), "rec-1")
        took = time.monotonic() - started
        events = done["events"]
        self.assertEqual(events[-1]["type"], "complete")
        status, index = self.server.call("GET", "/api/runs/rec-1/frames")
        self.assertEqual(status, 200, index)
        self.assertEqual((index["session"], index["messageId"], index["recording"]),
                         (sid, "rec-1", True))
        frames = index["frames"]
        shots = [e for e in events if e["type"] == "screenshot"]
        # Every screenshot after a step, and the screencast's frames at most
        # RECORD_FPS (2) while nobody watched.
        self.assertGreaterEqual(len(shots), 3)
        self.assertGreaterEqual(len(frames), len(shots))
        self.assertLessEqual(len(frames), len(shots) + 2 * took + 2)
        self.assertEqual([f["id"] for f in frames], list(range(1, len(frames) + 1)))
        stamps = [f["ts"] for f in frames]
        self.assertEqual(stamps, sorted(stamps))
        self.assertLessEqual(events[0]["ts"], stamps[0])
        self.assertLessEqual(stamps[-1], events[-1]["ts"])
        self.assertEqual(index["bytes"], sum(f["bytes"] for f in frames))
        for frame in frames:
            self.assertEqual(frame["url"], f"/api/runs/rec-1/frames/{frame['id']}")
            status, headers, image = self.server.get(frame["url"])
            self.assertEqual(status, 200)
            self.assertEqual(headers["Content-Type"], "image/jpeg")
            self.assertEqual(len(image), frame["bytes"])
            self.assertEqual(jpeg_size(image), (frame["width"], frame["height"]))
            self.assertTrue(decodes(image), f"frame {frame['id']} does not decode")
        # A screenshot event's image is one of the frames, byte for byte.
        last_shot = base64.b64decode(shots[-1]["data"]["image"])
        images = [self.server.get(f["url"])[2] for f in frames]
        self.assertIn(last_shot, images)

    def test_a_watched_run_records_what_its_viewers_saw(self):
        asyncio.run(asyncio.wait_for(self.watched(), 90))

    async def watched(self):
        command = COMMAND.format(demo=self.demo())
        async with aiohttp.ClientSession() as http, \
                http.ws_connect(f"ws://127.0.0.1:{self.server.port}/ws") as viewer:
            await viewer.send_json({"type": "run", "command": command,
                                    "messageId": "rec-watched", "frames": True})
            seen = []
            while True:
                msg = await asyncio.wait_for(viewer.receive(), 60)
                if msg.type == aiohttp.WSMsgType.BINARY:
                    header, image = split_binary_frame(msg.data)
                    if header["type"] == "frame":
                        seen.append(image)
                elif json.loads(msg.data).get("type") == "complete":
                    break
        status, index = self.server.call("GET", "/api/runs/rec-watched/frames")
        recorded = [self.server.get(f["url"])[2] for f in index["frames"]]
        self.assertGreaterEqual(len(seen), 2)
        missing = [i for i, image in enumerate(seen) if image not in recorded]
        self.assertEqual(missing, [], f"{len(missing)} of {len(seen)} live frames not kept")

    def test_a_run_video_lasts_as_long_as_the_run(self):
        sid, done = run_and_wait(self.server, COMMAND.format(demo=self.demo()), "rec-video")
        events = done["events"]
        run_seconds = (events[-1]["ts"] - events[0]["ts"]) / 1000
        status, headers, video = self.server.get("/api/runs/rec-video/video")
        self.assertEqual(status, 200, video[:200])
        self.assertEqual(headers["Content-Type"], "video/mp4")
        with tempfile.NamedTemporaryFile(suffix=".mp4") as f:
            f.write(video)
            f.flush()
            probe = subprocess.run(
                ["ffprobe", "-v", "error", "-show_entries",
                 "format=duration:stream=codec_name,width,height", "-of", "json", f.name],
                capture_output=True, text=True, timeout=30)
        self.assertEqual(probe.returncode, 0, probe.stderr)
        info = json.loads(probe.stdout)
        self.assertEqual(info["streams"][0]["codec_name"], "h264")
        first = self.server.call("GET", "/api/runs/rec-video/frames")[1]["frames"][0]
        self.assertEqual(info["streams"][0]["width"], first["width"] & ~1)
        duration = float(info["format"]["duration"])
        self.assertLess(abs(duration - run_seconds), 0.2 * run_seconds,
                        f"video {duration} s, run {run_seconds} s")
        # Made once: the second answer is the kept file, not a new render.
        kept = os.path.join(self.frames_dir(sid, "rec-video"), "video.mp4")
        self.assertTrue(os.path.isfile(kept))
        self.assertEqual(self.server.get("/api/runs/rec-video/video")[2], video)
        with open(kept, "rb") as f:
            self.assertEqual(f.read(), video)
        # The video is no frame of the index.
        frames = self.server.call("GET", "/api/runs/rec-video/frames")[1]["frames"]
        self.assertEqual([f["id"] for f in frames], list(range(1, len(frames) + 1)))

    def test_a_report_is_one_file_that_shows_the_whole_run(self):
        _, done = run_and_wait(self.server, COMMAND.format(demo=self.demo()), "rec-report")
        status, headers, html = self.server.get("/api/runs/rec-report/report")
        self.assertEqual(status, 200)
        self.assertEqual(headers["Content-Type"], "text/html; charset=utf-8")
        self.assertIn("default-src 'none'", headers["Content-Security-Policy"])
        frames = self.server.call("GET", "/api/runs/rec-report/frames")[1]["frames"]
        calls = [e["data"] for e in done["events"] if e["type"] == "tool_start"]
        self.assertEqual(len(calls), 4)
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "report.html")
            with open(path, "wb") as f:
                f.write(html)
            shown = asyncio.run(asyncio.wait_for(self.open_report(path), 60))
        page, requests, errors, print_view = shown
        self.assertEqual(errors, [])
        # Nothing but the file itself (its images are data: URLs).
        self.assertEqual([u for u in requests if not u.startswith("data:")],
                         [f"file://{path}"])
        self.assertIn("Demo Garden Shop", page["text"])
        self.assertIn("then click About", page["title"])
        self.assertEqual(page["tools"], [c["tool_name"] for c in calls])
        for call in calls:
            self.assertIn(json.dumps(call["tool_input"], indent=2), page["inputs"])
        self.assertIn("Done: I carried out all 4 steps.", page["text"])
        self.assertEqual(page["frames"], len(frames))
        self.assertGreaterEqual(page["after_images"], 4)   # a frame after each call
        self.assertTrue(all(w > 0 for w in page["image_widths"]))
        # Printed: the player is left out, the steps stay.
        self.assertEqual(print_view, {"player": "none", "steps": "block"})

    async def open_report(self, path):
        async with Chromium() as browser:
            tab = browser.first
            await tab.call("Network.enable")
            await tab.navigate(f"file://{path}")
            await tab.wait_for("!!document.querySelector('.steps')")
            await tab.wait_for("[...document.images].every(i => i.complete)")
            page = await tab.evaluate("""({
              text: document.body.innerText,
              title: document.title,
              tools: [...document.querySelectorAll('.tool h4')].map(h => h.firstChild.textContent),
              inputs: [...document.querySelectorAll('.tool pre.input')].map(p => p.textContent).join('\\n'),
              frames: JSON.parse(document.getElementById('run-data').textContent).frames.length,
              after_images: document.querySelectorAll('.tool img.after').length,
              image_widths: [...document.images].map(i => i.naturalWidth),
            })""")
            await tab.call("Emulation.setEmulatedMedia", media="print")
            print_view = await tab.evaluate("""({
              player: getComputedStyle(document.querySelector('.player')).display,
              steps: getComputedStyle(document.querySelector('.steps')).display,
            })""")
            return page, tab.requests, tab.errors, print_view

    def test_bad_frame_requests_get_json_errors(self):
        run_and_wait(self.server, "hello", "rec-hello")
        for path, status, code in (
                ("/api/runs/rec-hello/frames/0", 400, "bad_frame"),
                ("/api/runs/rec-hello/frames/x1", 400, "bad_frame"),
                ("/api/runs/rec-hello/frames/-1", 400, "bad_frame"),
                ("/api/runs/rec-hello/frames/99999999999999999999", 400, "bad_frame"),
                ("/api/runs/rec-hello/frames/1", 404, "unknown_frame"),
                ("/api/runs/no-such-run/frames", 404, "unknown_run"),
                ("/api/runs/no-such-run/frames/1", 404, "unknown_run"),
                ("/api/runs/rec-hello/video", 404, "no_frames"),
                ("/api/runs/no-such-run/video", 404, "unknown_run"),
                ("/api/runs/no-such-run/report", 404, "unknown_run"),
                ("/api/runs/bad%20id/frames", 400, "bad_message_id")):
            got, body = self.server.call("GET", path)
            self.assertEqual((got, body["error"]["code"]), (status, code), path)
        # A run without a page has an empty recording, not an error.
        status, index = self.server.call("GET", "/api/runs/rec-hello/frames")
        self.assertEqual((status, index["frames"], index["bytes"]), (200, [], 0))
        status, _ = self.server.call("POST", "/api/runs/rec-hello/frames")
        self.assertEqual(status, 405)

    def test_frames_go_with_their_session(self):
        sid, _ = run_and_wait(self.server, f"go to {self.demo()}", "rec-gone")
        folder = self.frames_dir(sid, "rec-gone")
        self.assertTrue(os.listdir(folder))
        status, _ = self.server.call("DELETE", f"/api/sessions/{sid}")
        self.assertEqual(status, 200)
        self.assertFalse(os.path.exists(folder))
        status, body = self.server.call("GET", "/api/runs/rec-gone/frames")
        self.assertEqual((status, body["error"]["code"]), (404, "unknown_run"))


class RecordingServers(unittest.TestCase):
    def test_frames_outlive_a_restart_with_their_run(self):
        with tempfile.TemporaryDirectory(prefix="agenttheo-rec-") as workdir:
            with Server("--planner-token-delay", "0", workdir=workdir) as srv:
                run_and_wait(srv, f"go to {srv.base}/demo/ then click Products", "dur-1")
                before = srv.call("GET", "/api/runs/dur-1/frames")[1]
                first = srv.get(before["frames"][0]["url"])[2]
            with Server("--planner-token-delay", "0", workdir=workdir) as srv:
                status, after = srv.call("GET", "/api/runs/dur-1/frames")
                self.assertEqual(status, 200)
                self.assertEqual(after["frames"], before["frames"])
                self.assertEqual(srv.get(after["frames"][0]["url"])[2], first)

    def test_record_false_keeps_no_frames(self):
        with Server("--planner-token-delay", "0", env={"RECORD": "false"}) as srv:
            sid, done = run_and_wait(srv, f"go to {srv.base}/demo/ then click Products",
                                     "off-1")
            self.assertTrue(any(e["type"] == "screenshot" for e in done["events"]))
            status, index = srv.call("GET", "/api/runs/off-1/frames")
            self.assertEqual((status, index["recording"], index["frames"]), (200, False, []))
            self.assertFalse(os.path.exists(os.path.join(
                srv.workdir, "data", "artifacts", sid, ".frames")))

    def test_a_video_without_ffmpeg_is_a_clear_500(self):
        # Chromium's path is absolute; ffmpeg is looked up on PATH.
        with Server("--planner-token-delay", "0", env={"PATH": "/nonexistent"}) as srv:
            run_and_wait(srv, f"go to {srv.base}/demo/", "noff-1")
            status, body = srv.call("GET", "/api/runs/noff-1/video")
            self.assertEqual((status, body["error"]["code"]), (500, "video_failed"))
            self.assertIn("ffmpeg is not installed", body["error"]["message"])

    def test_a_run_keeps_no_more_than_record_max_bytes(self):
        # Demo-page frames are 10-40 KB: the bound lets a few in, not all.
        with Server("--planner-token-delay", "0", env={"RECORD_MAX_BYTES": "48K"}) as srv:
            run_and_wait(srv, COMMAND.format(demo=f"{srv.base}/demo/"), "cap-1")
            status, index = srv.call("GET", "/api/runs/cap-1/frames")
            self.assertEqual(status, 200)
            self.assertGreaterEqual(len(index["frames"]), 1)
            self.assertLessEqual(index["bytes"], 48 * 1024)


if __name__ == "__main__":
    unittest.main()

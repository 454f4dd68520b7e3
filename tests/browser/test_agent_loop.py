"""The agent loop end to end: the real binary, real headless Chromium and the
built-in planner browse the server's own /demo/ site. Checks the documented
event order and payloads, the page's real content in the answer, cancel
mid-run, multi-turn continuity, max_steps, screenshots after actions (as
binary WebSocket frames too), and 20
concurrent sessions each on its own page."""

import asyncio
import json
import socket
import os
import sys
import time
import unittest
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import aiohttp  # noqa: E402

from harness import (Server, ServerTestCase, SseStream,  # noqa: E402
                     split_binary_frame, stream_path)


def shape(events):
    """Event types in order, with each run of tokens folded into one. Browser
    notes (`custom`, e.g. "waiting for the page to finish loading") depend on
    how fast Chromium loads, so they are checked apart: see notes_outside_tools."""
    out = []
    for e in events:
        if e.type == "custom":
            continue
        if e.type == "token" and out and out[-1] == "token":
            continue
        out.append(e.type)
    return out


def notes_outside_tools(events):
    """Browser notes sent while no tool was running, or naming another tool."""
    running, stray = None, []
    for e in events:
        if e.type == "tool_start":
            running = e.data["tool_name"]
        elif e.type == "tool_end":
            running = None
        elif e.type == "custom" and (e.data.get("source") != "browser"
                                     or e.data.get("tool") != running):
            stray.append(e.data)
    return stray


class AgentLoop(ServerTestCase):
    server_flags = ("--planner-token-delay", "0")

    def demo(self, page=""):
        return f"http://127.0.0.1:{self.server.port}/demo/{page}"

    def run_command(self, command, **params):
        events = SseStream(self.server.port, stream_path(command, **params),
                           timeout=60).read_all()
        self.assertIn(events[-1].type, ("complete", "error"), events[-1].data)
        return events

    def test_the_demo_command_streams_every_step_in_order(self):
        events = self.run_command(f"go to {self.demo()} then click Products "
                                  f"then read the page")
        step = ["progress", "token", "message", "update", "tool_start",
                "tool_end"]
        self.assertEqual(shape(events),
                         ["start", "status"]
                         + step + ["screenshot", "update"]     # navigate_to
                         + step + ["screenshot", "update"]     # click
                         + step + ["update"]                   # get_page_text
                         + ["progress", "token", "message", "update", "complete"])
        self.assertEqual(notes_outside_tools(events), [])
        ids = [e.id for e in events]
        self.assertEqual(ids, list(range(ids[0], ids[0] + len(ids))))
        progress = [e.data for e in events if e.type == "progress"]
        # The planner knows its plan: 3 steps and the answer, from the start.
        self.assertEqual([(p["step"], p["total"], p["total_known"]) for p in progress],
                         [(1, 4, True), (2, 4, True), (3, 4, True), (4, 4, True)])
        self.assertEqual({p["max_steps"] for p in progress}, {10})
        starts = [e.data for e in events if e.type == "tool_start"]
        self.assertEqual([(s["tool_name"], s["tool_input"]) for s in starts],
                         [("navigate_to", {"url": self.demo()}),
                          ("click", {"target": "Products"}),
                          ("get_page_text", {})])
        ends = [e.data for e in events if e.type == "tool_end"]
        self.assertEqual([(e["tool_name"], e["ok"]) for e in ends],
                         [("navigate_to", True), ("click", True),
                          ("get_page_text", True)])
        self.assertEqual([s["call_id"] for s in starts],
                         [e["call_id"] for e in ends])
        self.assertIn('title: "Demo Garden Shop"', ends[0]["output"])
        self.assertIn("Watering can", ends[2]["output"])
        shots = [e.data for e in events if e.type == "screenshot"]
        self.assertEqual([s["url"] for s in shots],
                         [self.demo(), self.demo("products.html")])
        self.assertTrue(all(s["image"].startswith("/9j/") for s in shots))
        messages = [e.data for e in events if e.type == "message"]
        self.assertEqual([m["step"] for m in messages], [1, 2, 3, 4])
        self.assertEqual([len(m.get("tool_calls", [])) for m in messages],
                         [1, 1, 1, 0])
        updates = [e.data for e in events if e.type == "update"]
        self.assertEqual([(u["step"], u["node"]) for u in updates],
                         [(1, "agent"), (1, "tools"), (2, "agent"), (2, "tools"),
                          (3, "agent"), (3, "tools"), (4, "agent")])
        self.assertEqual(updates[3]["state"]["url"], self.demo("products.html"))
        self.assertEqual(updates[3]["state"]["messages"][0]["name"], "click")
        self.assertTrue(updates[-1]["state"]["finished"])
        done = events[-1].data
        self.assertIn("Watering can", done["result"])
        self.assertIn("$12.50", done["result"])
        self.assertEqual((done["steps"], done["stop_reason"], done["cancelled"]),
                         (4, "complete", False))
        tokens = "".join(e.data["token"] for e in events if e.type == "token")
        self.assertTrue(tokens.endswith(done["result"]))

    def test_cancel_mid_run_stops_the_tool_and_the_run(self):
        start = self.run_command(f"go to {self.demo()}")
        sid = start[0].data["session"]
        stream = SseStream(self.server.port, stream_path(
            "wait for words that never appear then read the page", session=sid,
            messageId="cancel-me"), timeout=60)
        seen = []
        while not seen or seen[-1].type != "tool_start":
            seen.append(stream.next_event())
        self.assertEqual(seen[-1].data["tool_name"], "wait_for")
        asked = time.monotonic()
        status, body = self.server.call("POST", f"/api/sessions/{sid}/cancel")
        self.assertEqual((status, body["cancelled"]), (200, "cancel-me"))
        rest = stream.read_all()
        self.assertLess(time.monotonic() - asked, 2.0)
        self.assertEqual([e.type for e in rest], ["status", "complete"])
        self.assertEqual(rest[0].data["state"], "cancelled")
        self.assertEqual(rest[0].data["message"], "stopped on request")
        self.assertEqual(rest[1].data["stop_reason"], "cancelled")
        # The session goes on with the same page.
        again = self.run_command("read the title", session=sid)
        self.assertEqual(again[-1].data["result"],
                         "The page title is: Demo Garden Shop")

    def test_a_session_continues_on_its_page_across_runs(self):
        first = self.run_command(f"go to {self.demo('products.html')}")
        sid = first[0].data["session"]
        second = self.run_command("read the page", session=sid)
        self.assertEqual(second[0].data["session"], sid)
        self.assertIn("Pruning shears", second[-1].data["result"])
        status, body = self.server.call("GET", f"/api/sessions/{sid}")
        self.assertEqual(status, 200)
        self.assertEqual(body["page_url"], self.demo("products.html"))
        users = [m["content"] for m in body["conversation"] if m["role"] == "user"]
        self.assertEqual(users, [f"go to {self.demo('products.html')}",
                                 "read the page"])
        calls = [c["name"] for m in body["conversation"]
                 for c in m.get("tool_calls", [])]
        self.assertEqual(calls, ["navigate_to", "get_page_text"])

    def test_a_run_whose_last_step_failed_completes_as_failed(self):
        events = self.run_command(f"go to {self.demo()} then click No such button")
        done = events[-1]
        self.assertEqual(done.type, "complete")
        self.assertEqual(done.data["outcome"], "failed")
        # The guide's fields keep their meaning: it stopped on its own.
        self.assertEqual(done.data["stop_reason"], "complete")
        self.assertFalse(done.data["cancelled"])
        self.assertTrue(done.data["result"].startswith("I could not finish: click failed"))
        ok = self.run_command(f"go to {self.demo()} then read the title")
        self.assertEqual(ok[-1].data["outcome"], "success")
        # The console's recent errors and /metrics count it.
        status, stats = self.server.call("GET", "/api/admin/stats")
        self.assertIn(("run_failed", done.data["summary"]["messageId"]),
                      [(e["code"], e["messageId"]) for e in stats["recent_errors"]])
        _, _, metrics = self.server.get("/metrics")
        failed = [l for l in metrics.decode().splitlines()
                  if l.startswith('agenttheo_runs_total{outcome="failed"}')]
        self.assertEqual(len(failed), 1)
        self.assertGreaterEqual(float(failed[0].split()[-1]), 1)

    def test_a_refused_navigation_reads_as_a_sentence_with_its_code(self):
        with socket.socket() as s:  # a loopback port nothing listens on
            s.bind(("127.0.0.1", 0))
            closed = s.getsockname()[1]
        for url, sentence, code in [
                ("http://127.0.0.1:1/", "port 1 is blocked by the browser as unsafe",
                 "net::ERR_UNSAFE_PORT"),
                (f"http://127.0.0.1:{closed}/", "the site refused the connection "
                 f"(nothing listens on 127.0.0.1 port {closed})",
                 "net::ERR_CONNECTION_REFUSED")]:
            events = self.run_command(f"go to {url}")
            end = next(e.data for e in events if e.type == "tool_end")
            self.assertFalse(end["ok"])
            self.assertEqual(end["output"], f"could not open {url}: {sentence}")
            self.assertEqual(end["error_code"], code)
            self.assertEqual(events[-1].data["outcome"], "failed")

    def test_the_demo_site_names_the_address_it_was_served_from(self):
        events = self.run_command(f"go to {self.demo()} then read the page")
        origin = f"http://127.0.0.1:{self.server.port}"
        self.assertIn(f"go to {origin}/demo/ then click Products",
                      events[-1].data["result"])
        self.assertNotIn("localhost:8000", events[-1].data["result"])

    def test_max_steps_stops_the_run(self):
        events = self.run_command(f"go to {self.demo()} then click Products "
                                  f"then read the page", max_steps="2")
        done = events[-1].data
        self.assertEqual((done["stop_reason"], done["steps"]), ("max_steps", 2))
        self.assertIn("max_steps", done["result"])
        self.assertEqual([e.data["total"] for e in events if e.type == "progress"],
                         [2, 2])
        self.assertEqual([e.data["tool_name"] for e in events
                          if e.type == "tool_end"], ["navigate_to", "click"])

    def test_websocket_sends_screenshots_as_binary_frames(self):
        asyncio.run(asyncio.wait_for(self.screenshots_over_websocket(), 90))

    async def screenshots_over_websocket(self):
        command = f"go to {self.demo()} then click Products then read the page"
        async with aiohttp.ClientSession() as http, http.ws_connect(
                f"ws://127.0.0.1:{self.server.port}/ws") as ws:
            await ws.send_json({"type": "run", "command": command, "messageId": "ws-shots"})
            ack = json.loads((await ws.receive()).data)
            self.assertEqual(ack["type"], "subscribed")
            events, images = [], []
            while not events or events[-1]["type"] != "complete":
                msg = await asyncio.wait_for(ws.receive(), 60)
                if msg.type == aiohttp.WSMsgType.BINARY:
                    header, image = split_binary_frame(msg.data)
                    images.append((header, image))
                    events.append(header)
                else:
                    events.append(json.loads(msg.data))
        ids = [e["id"] for e in events]
        self.assertEqual(ids, list(range(ids[0], ids[0] + len(ids))))
        self.assertEqual([h["url"] for h, _ in images],
                         [self.demo(), self.demo("products.html")])
        for header, image in images:
            self.assertEqual((header["type"], header["mime"], header["messageId"]),
                             ("screenshot", "image/jpeg", "ws-shots"))
            self.assertEqual(header["bytes"], len(image))
            self.assertTrue(image.startswith(b"\xff\xd8\xff"))   # a JPEG
        # No screenshot travels as text (base64) on the socket.
        self.assertNotIn("screenshot", [e["type"] for e in events
                                        if "bytes" not in e])


class TwentySessions(unittest.TestCase):
    def test_twenty_sessions_browse_their_own_pages(self):
        # A server of their own with a context each, so that none is lent
        # (see README, MAX_BROWSER_CONTEXTS) and each keeps its own page.
        with Server("--planner-token-delay", "0", "--max-browser-contexts",
                    "20") as server:
            demo = f"http://127.0.0.1:{server.port}/demo/thanks.html"

            def one(n):
                return SseStream(server.port, stream_path(
                    f"go to {demo}?name=agent-{n} then read the page"),
                    timeout=90).read_all()

            with ThreadPoolExecutor(20) as pool:
                runs = list(pool.map(one, range(20)))
            sessions = {events[0].data["session"] for events in runs}
            self.assertEqual(len(sessions), 20)
            for n, events in enumerate(runs):
                result = events[-1].data["result"]
                self.assertEqual(events[-1].type, "complete", result)
                self.assertIn(f"Thank you, agent-{n}!", result)
                others = [m for m in range(20) if m != n and f"agent-{m}!" in result]
                self.assertEqual(others, [])
                urls = {e.data["url"] for e in events if e.type == "screenshot"}
                self.assertEqual(urls, {f"{demo}?name=agent-{n}"})


class WithoutScreenshotsAfterActions(unittest.TestCase):
    def test_only_asked_for_screenshots_are_taken(self):
        with Server("--planner-token-delay", "0", "--screenshot-after-actions",
                    "false") as server:
            url = f"http://127.0.0.1:{server.port}/demo/"
            events = SseStream(server.port, stream_path(
                f"go to {url} then click Products then take a screenshot"),
                timeout=60).read_all()
            self.assertEqual(events[-1].type, "complete")
            shots = [e.data for e in events if e.type == "screenshot"]
            self.assertEqual([s["url"] for s in shots], [url + "products.html"])


if __name__ == "__main__":
    unittest.main()

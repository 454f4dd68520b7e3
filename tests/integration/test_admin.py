"""The admin side against the real binary: the actor tree matches what runs
(children gone when they exit), stats and rates count what happened, each
action (cancel, end, disconnect) works and its client sees it, `/metrics`
parses with Prometheus's own parser, tokens and origins are enforced, a
public bind without an admin token is refused, and the admin CLI works."""

import asyncio
import json
import os
import subprocess
import sys
import time
import unittest

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from harness import (BINARY, Server, ServerTestCase, SseStream, read_until,
                     ws_errors_until_close,
                     stream_path)

HERE = os.path.dirname(os.path.abspath(__file__))
CLI = os.path.join(HERE, "..", "..", "tools", "agenttheo-admin")


def wait_until(predicate, timeout=10, every=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError("condition not met in time")


class AdminTestCase(ServerTestCase):
    server_flags = ("--planner-token-delay", "20ms", "--browser", "none")

    def admin(self, path, method="GET", headers=None):
        status, body = self.server.call(method, path, headers=headers)
        return status, body

    def tree(self):
        status, tree = self.admin("/api/admin/actors")
        self.assertEqual(status, 200)
        return tree

    def session_node(self, session_id):
        return next((s for s in self.tree()["sessions"] if s["name"] == session_id), None)


class ActorTree(AdminTestCase):
    def test_the_tree_follows_a_run_and_children_leave_when_they_exit(self):
        stream = SseStream(self.server.port, stream_path("hello", messageId="tree-1"))
        start = stream.next_event()
        sid = start.data["session"]
        node = wait_until(lambda: (n := self.session_node(sid))
                          and {c["kind"] for c in n["children"]} >= {"sse_connection",
                                                                    "llm_call"} and n)
        self.assertEqual(node["state"], "running")
        kinds = {c["kind"]: c for c in node["children"]}
        self.assertEqual(kinds["llm_call"]["parent"], sid)
        self.assertEqual(kinds["llm_call"]["name"], "offline planner")
        self.assertEqual(kinds["sse_connection"]["name"], "run tree-1")
        for child in node["children"]:
            self.assertGreater(child["messages"], 0)
        events = [start] + stream.read_all()
        self.assertEqual(events[-1].type, "complete")
        # The call and the stream ended: gone from the tree; the session stays.
        node = wait_until(lambda: (n := self.session_node(sid))
                          and not n["children"] and n["state"] == "idle" and n)
        runtime = {a["kind"] for a in self.tree()["runtime"]}
        self.assertIn("session_manager", runtime)
        # What the connection sent is what the client read.
        status, stats = self.admin("/api/admin/stats")
        self.assertGreaterEqual(stats["totals"]["events_sent"], len(events))
        self.assertGreaterEqual(stats["totals"]["llm_tokens"],
                                events[-1].data["summary"]["tokens_streamed"])
        self.assertGreaterEqual(stats["latency"]["first_token"]["count"], 1)
        self.assertGreaterEqual(stats["latency"]["delivery"]["count"], len(events) - 2)

    def test_a_websocket_and_its_subscriptions(self):
        asyncio.run(asyncio.wait_for(self.websocket_tree(), 30))

    async def websocket_tree(self):
        async with aiohttp.ClientSession() as http, \
                http.ws_connect(f"ws://127.0.0.1:{self.server.port}/ws") as ws:
            await ws.send_json({"type": "run", "command": "hello", "messageId": "tree-ws"})
            ack = json.loads((await ws.receive()).data)
            sid = ack["data"]["session"]
            tree = await asyncio.to_thread(wait_until, lambda: (
                t := self.tree()) and any(c["kind"] == "ws_connection"
                                          for c in t["connections"]) and t)
            socket = next(c for c in tree["connections"] if c["kind"] == "ws_connection")
            node = next(s for s in tree["sessions"] if s["name"] == sid)
            sub = next(c for c in node["children"] if c["kind"] == "ws_subscription")
            self.assertEqual(sub["owner"], socket["actor"])
            self.assertEqual(sub["name"], "run:tree-ws")
            self.assertIn(sub["actor"], socket["subscriptions"])
            status, stats = self.admin("/api/admin/stats")
            self.assertGreaterEqual(stats["live"]["connections"]["websocket"], 1)
        # The socket closed: its actor leaves the tree.
        await asyncio.to_thread(wait_until, lambda: not any(
            c["kind"] == "ws_connection" for c in self.tree()["connections"]))


class DirectWebSocketRounds(AdminTestCase):
    """A subscription without a batch window gets its events written to
    the socket by its session's round, not through its actor; one with a
    window still goes through the actor. Both see the same events."""

    def test_rounds_skip_the_subscription_actor_and_keep_the_order(self):
        asyncio.run(asyncio.wait_for(self.rounds(), 30))

    async def rounds(self):
        url = f"ws://127.0.0.1:{self.server.port}/ws"
        async with aiohttp.ClientSession() as http, \
                http.ws_connect(url) as direct, http.ws_connect(url) as windowed:
            await direct.send_json({"type": "run", "command": "hello",
                                    "messageId": "ws-direct"})
            self.assertEqual(json.loads((await direct.receive()).data)["type"], "subscribed")
            seen = [json.loads((await direct.receive()).data) for _ in range(4)]
            await windowed.send_json({"type": "subscribe", "messageId": "ws-direct",
                                      "batch_ms": 30})
            ack = json.loads((await windowed.receive()).data)
            self.assertEqual(ack["type"], "subscribed")
            seen += [json.loads((await direct.receive()).data) for _ in range(12)]
            sid = seen[0]["session"]
            node = self.session_node(sid)
            subs = sorted((c for c in node["children"] if c["kind"] == "ws_subscription"),
                          key=lambda c: c["messages"])
            self.assertEqual(len(subs), 2)
            self.assertLessEqual(subs[0]["messages"], 3)
            self.assertGreaterEqual(subs[1]["messages"], 8)
            self.assertGreaterEqual(subs[0]["events_sent"], len(seen))
            while seen[-1]["type"] != "complete":
                seen.append(json.loads((await direct.receive()).data))
            batched = []
            while not batched or batched[-1]["type"] != "complete":
                msg = json.loads((await windowed.receive()).data)
                batched.extend(msg if isinstance(msg, list) else [msg])
            ids = [e["id"] for e in seen]
            self.assertEqual(ids, list(range(ids[0], ids[0] + len(ids))))
            self.assertEqual([e["id"] for e in batched], ids)


class Actions(AdminTestCase):
    server_flags = ("--planner-token-delay", "60ms", "--browser", "none")

    def test_cancel_is_seen_by_the_client(self):
        stream = SseStream(self.server.port, stream_path("hello", messageId="act-cancel"))
        sid = stream.next_event().data["session"]
        status, body = self.admin(f"/api/admin/sessions/{sid}/cancel", "POST")
        self.assertEqual((status, body["cancelled"]), (200, "act-cancel"))
        events = stream.read_all()
        cancelled = [e for e in events if e.type == "status" and e.data["state"] == "cancelled"]
        self.assertEqual(cancelled[0].data["message"], "cancelled by an operator")
        self.assertTrue(events[-1].data["cancelled"])
        _, stats = self.admin("/api/admin/stats")
        self.assertGreaterEqual(stats["totals"]["admin_actions"], 1)

    def test_end_closes_the_session_for_its_watchers(self):
        status, created = self.server.call("POST", "/api/sessions")
        sid = created["id"]
        watcher = SseStream(self.server.port, f"/api/sessions/{sid}/stream")
        self.server.call("POST", f"/api/sessions/{sid}/runs",
                         {"command": "hello", "messageId": "act-end"})
        wait_until(lambda: (n := self.session_node(sid)) and n["state"] == "running")
        status, body = self.admin(f"/api/admin/sessions/{sid}/end", "POST")
        self.assertEqual(status, 200)
        self.assertEqual(body["cancelled"], ["act-end"])
        events = watcher.read_all()
        self.assertEqual((events[-1].type, events[-1].data["state"]), ("status", "closed"))
        self.assertEqual(events[-1].data["message"], "ended by an operator")
        wait_until(lambda: self.session_node(sid) is None)
        status, body = self.admin(f"/api/admin/sessions/{sid}/end", "POST")
        self.assertEqual((status, body["error"]["code"]), (404, "unknown_session"))

    def test_disconnect_an_sse_stream(self):
        stream = SseStream(self.server.port, stream_path("hello", messageId="act-sse"))
        sid = stream.next_event().data["session"]
        conn = wait_until(lambda: (n := self.session_node(sid)) and next(
            (c for c in n["children"] if c["kind"] == "sse_connection"), None))
        status, body = self.admin(f"/api/admin/connections/{conn['actor']}/disconnect", "POST")
        self.assertEqual((status, body["kind"]), (200, "sse_connection"))
        last = stream.read_all()[-1]
        # No id: a reconnecting EventSource resumes from the last real event.
        self.assertEqual((last.type, last.id), ("error", None))
        # Not final: the run goes on and the client comes back for it.
        self.assertEqual((last.data["code"], last.data["final"]), ("disconnected", False))
        wait_until(lambda: not any(c["kind"] == "sse_connection"
                                   for c in self.session_node(sid)["children"]))
        # The run itself went on without that client.
        self.assertEqual(self.session_node(sid)["state"], "running")

    def test_disconnect_a_websocket(self):
        asyncio.run(asyncio.wait_for(self.disconnect_ws(), 30))

    async def disconnect_ws(self):
        async with aiohttp.ClientSession() as http, \
                http.ws_connect(f"ws://127.0.0.1:{self.server.port}/ws") as ws:
            await ws.send_json({"type": "run", "command": "hello", "messageId": "act-ws"})
            await ws.receive()
            tree = await asyncio.to_thread(wait_until, lambda: (t := self.tree()) and any(
                c["kind"] == "ws_connection" for c in t["connections"]) and t)
            actor = next(c["actor"] for c in tree["connections"] if c["kind"] == "ws_connection")
            status, _ = await asyncio.to_thread(
                self.admin, f"/api/admin/connections/{actor}/disconnect", "POST")
            self.assertEqual(status, 200)
            errors, _ = await ws_errors_until_close(ws)
            self.assertEqual(errors[-1]["data"]["code"], "disconnected")
            self.assertEqual(ws.close_code, 1008)

    def test_bad_actions_get_clear_errors(self):
        status, body = self.admin("/api/admin/connections/999999/disconnect", "POST")
        self.assertEqual((status, body["error"]["code"]), (404, "unknown_actor"))
        status, body = self.admin("/api/admin/connections/not-a-number/disconnect", "POST")
        self.assertEqual((status, body["error"]["code"]), (400, "bad_actor"))
        manager = next(a for a in self.tree()["runtime"] if a["kind"] == "session_manager")
        status, body = self.admin(f"/api/admin/connections/{manager['actor']}/disconnect", "POST")
        self.assertEqual((status, body["error"]["code"]), (409, "not_a_connection"))
        status, body = self.admin("/api/admin/sessions/nope/cancel", "POST")
        self.assertEqual((status, body["error"]["code"]), (404, "unknown_session"))
        status, body = self.admin("/api/admin/sessions/x/cancel", "POST",
                                  headers={"Origin": "http://evil.example"})
        self.assertEqual((status, body["error"]["code"]), (403, "origin_not_allowed"))
        status, body = self.admin("/api/admin/actors", "DELETE")
        self.assertEqual(status, 405)


class StatsAndMetrics(AdminTestCase):
    def test_metrics_parse_as_prometheus_exposition(self):
        SseStream(self.server.port, stream_path("hello")).read_all()
        SseStream(self.server.port, stream_path("go to http://example.com")).read_all()
        status, headers, body = self.server.get("/metrics")
        self.assertEqual(status, 200)
        self.assertTrue(headers["Content-Type"].startswith("text/plain; version=0.0.4"))
        families = {f.name: f for f in text_string_to_metric_families(body.decode())}
        for name, kind in [("agenttheo_sessions_active", "gauge"),
                           ("agenttheo_stream_connections", "gauge"),
                           ("agenttheo_events_sent", "counter"),
                           ("agenttheo_llm_tokens", "counter"),
                           ("agenttheo_tool_calls", "counter"),
                           ("agenttheo_event_delivery_seconds", "histogram"),
                           ("agenttheo_llm_time_to_first_token_seconds", "histogram"),
                           ("agenttheo_first_token_added_seconds", "histogram")]:
            self.assertEqual(families[name].type, kind, name)
        samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
                   for f in families.values() for s in f.samples}
        self.assertGreaterEqual(samples[("agenttheo_sessions_active", ())], 2)
        self.assertGreater(samples[("agenttheo_events_sent_total", ())], 10)
        self.assertGreaterEqual(samples[("agenttheo_llm_calls_total", ())], 2)
        # A run refused for want of a browser is not an LLM failure.
        self.assertEqual(samples[("agenttheo_llm_errors_total", ())], 0)
        self.assertIn(("agenttheo_stream_connections", (("transport", "websocket"),)), samples)
        # Histogram buckets are cumulative and end at the count.
        buckets = [s for s in families["agenttheo_event_delivery_seconds"].samples
                   if s.name.endswith("_bucket")]
        values = [b.value for b in buckets]
        self.assertEqual(values, sorted(values))
        self.assertEqual(buckets[-1].labels["le"], "+Inf")
        self.assertEqual(values[-1], samples[("agenttheo_event_delivery_seconds_count", ())])
        self.assertGreaterEqual(
            samples[("agenttheo_llm_time_to_first_token_seconds_count", ())], 2)

    def test_errors_and_rates_show_in_the_stats(self):
        events = SseStream(self.server.port, stream_path("go to http://example.com/x")).read_all()
        self.assertEqual(events[-1].data["code"], "capability_missing")
        _, stats = self.admin("/api/admin/stats")
        codes = [e["code"] for e in stats["recent_errors"]]
        self.assertIn("capability_missing", codes)
        self.assertIn("events_per_s", stats["rates"])
        # Once a second has been sampled, the minute's rates show the run.
        # A write is counted when it completes, which may be just after the
        # client has read it: the rates may lag the stream's end a moment.
        def sent_events(stats):
            return sum(second["events_per_s"] for second in stats["history"])
        stats = wait_until(lambda: (s := self.admin("/api/admin/stats")[1])["history"]
                           and sent_events(s) > 0 and s)
        for second in stats["history"]:
            self.assertEqual(set(second), {"events_per_s", "bytes_per_s", "tokens_per_s",
                                           "drops_per_s"})

    def test_the_stats_stream_pushes_every_second(self):
        stream = SseStream(self.server.port, "/api/admin/stream", timeout=10)
        self.assertEqual(stream.headers["content-type"], "text/event-stream; charset=utf-8")
        first, second = stream.next_event(), stream.next_event()
        self.assertEqual((first.type, second.type), ("stats", "stats"))
        self.assertEqual(second.id, first.id + 1)
        self.assertGreaterEqual(second.data["at"] - first.data["at"], 800)
        stream.abort()
        # The admin stream itself is an actor the registry shows, and forgets.
        wait_until(lambda: not any(a["kind"] == "admin_stream" for a in self.tree()["runtime"]))

    def test_the_cli(self):
        env = dict(os.environ, AGENTTHEO_SERVER=self.server.base)
        out = subprocess.run([sys.executable, CLI, "actors"], env=env, capture_output=True,
                             text=True, timeout=20)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("session_manager", out.stdout)
        out = subprocess.run([sys.executable, CLI, "stats"], env=env, capture_output=True,
                             text=True, timeout=20)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("sessions", out.stdout)
        stream = SseStream(self.server.port, stream_path("hello", messageId="cli-cancel",
                                                         on_disconnect="continue"))
        sid = stream.next_event().data["session"]
        out = subprocess.run([sys.executable, CLI, "cancel", sid], env=env,
                             capture_output=True, text=True, timeout=20)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("cancelled=cli-cancel", out.stdout)
        self.assertTrue(stream.read_all()[-1].data["cancelled"])
        # `watch` redraws every second: wait for its second screen.
        watch = subprocess.Popen([sys.executable, CLI, "watch"], env=env,
                                 stdout=subprocess.PIPE, text=True)
        screens = read_until(watch.stdout, lambda text: text.count("live actors") >= 2,
                             timeout=10)
        watch.terminate()
        watch.communicate(timeout=10)
        self.assertGreaterEqual(screens.count("live actors"), 2, screens)
        out = subprocess.run([sys.executable, CLI, "disconnect", "424242"], env=env,
                             capture_output=True, text=True, timeout=20)
        self.assertEqual(out.returncode, 1)
        self.assertIn("404", out.stderr)


class Tokens(unittest.TestCase):
    def test_an_admin_token_guards_admin_and_nothing_else(self):
        with Server("--browser", "none", "--admin-token", "s3cret") as server:
            for path in ("/api/admin/stats", "/api/admin/actors", "/metrics"):
                status, headers, body = server.get(path)
                self.assertEqual(status, 401, path)
                self.assertEqual(headers["WWW-Authenticate"], "Bearer")
                self.assertEqual(json.loads(body)["error"]["code"], "unauthorized")
                status, _, _ = server.get(path, {"Authorization": "Bearer wrong"})
                self.assertEqual(status, 401)
                status, _, _ = server.get(path, {"Authorization": "Bearer s3cret"})
                self.assertEqual(status, 200, path)
            status, _ = server.call("POST", "/api/admin/sessions/x/cancel")
            self.assertEqual(status, 401)
            # The regular API and the console's page stay open.
            self.assertEqual(server.get("/health")[0], 200)
            self.assertEqual(server.get("/admin")[0], 200)
            self.assertEqual(SseStream(server.port, stream_path("hello")).status, 200)
            out = subprocess.run([sys.executable, CLI, "--server", server.base, "stats"],
                                 capture_output=True, text=True, timeout=20)
            self.assertEqual(out.returncode, 1)
            self.assertIn("401", out.stderr)
            out = subprocess.run([sys.executable, CLI, "--server", server.base,
                                  "--token", "s3cret", "stats"],
                                 capture_output=True, text=True, timeout=20)
            self.assertEqual(out.returncode, 0, out.stderr)

    def test_an_api_token_guards_the_api(self):
        with Server("--browser", "none", "--api-token", "apitok",
                    "--admin-token", "admintok") as server:
            self.assertEqual(SseStream(server.port, stream_path("hello")).status, 401)
            self.assertEqual(server.call("GET", "/api/sessions")[0], 401)
            ok = SseStream(server.port, stream_path("hello"),
                           headers={"Authorization": "Bearer apitok"})
            self.assertEqual(ok.status, 200)
            ok.read_all()
            # EventSource cannot set headers: the query carries it.
            ok = SseStream(server.port, stream_path("hello", access_token="apitok"))
            self.assertEqual(ok.status, 200)
            ok.read_all()
            # The admin token opens the API too; the API token not admin.
            self.assertEqual(server.call("GET", "/api/sessions",
                                         headers={"Authorization": "Bearer admintok"})[0], 200)
            self.assertEqual(server.get("/api/admin/stats",
                                        {"Authorization": "Bearer apitok"})[0], 401)
            self.assertEqual(server.get("/health")[0], 200)
            self.assertEqual(server.get("/")[0], 200)

    def test_a_public_bind_needs_an_admin_token(self):
        out = subprocess.run([BINARY, "serve", "--host", "0.0.0.0", "--port", "0"],
                             capture_output=True, text=True, timeout=20)
        self.assertEqual(out.returncode, 2)
        self.assertIn("ADMIN_TOKEN: required when HOST is not a loopback address",
                      out.stderr)

    def test_a_public_bind_needs_an_api_token_or_says_runs_are_open(self):
        out = subprocess.run([BINARY, "serve", "--host", "0.0.0.0", "--port", "0",
                              "--admin-token", "adm"],
                             capture_output=True, text=True, timeout=20)
        self.assertEqual(out.returncode, 2)
        self.assertIn("API_TOKEN: required when HOST is not a loopback address",
                      out.stderr)
        self.assertIn("ALLOW_ANONYMOUS_RUNS=true", out.stderr)

    def test_tokens_in_a_query_stay_out_of_the_log(self):
        with Server("--browser", "none", "--api-token", "apitok", "--admin-token",
                    "admintok", "--log-level", "DEBUG") as server:
            ok = SseStream(server.port, stream_path("hello", access_token="apitok"))
            self.assertEqual(ok.status, 200)
            ok.read_all()
            # The admin token: from a query on the admin stream only.
            self.assertEqual(server.get("/api/admin/stats?access_token=admintok")[0], 401)
            self.assertEqual(server.get("/api/sessions?access_token=admintok")[0], 401)
            stream = SseStream(server.port, "/api/admin/stream?access_token=admintok")
            self.assertEqual(stream.status, 200)
            stream.close()
            log = "".join(server.log_lines)
            self.assertIn("access_token=[redacted]", log)
            self.assertNotIn("apitok", log)
            self.assertNotIn("admintok", log)


if __name__ == "__main__":
    unittest.main()

"""Durable sessions against the real binary: a server killed mid-run and
started again on the same database (STORE=sqlite, the default) brings back
every session, run and event exactly; the killed run ends with
`server_restarted`; ids go on increasing; the conversation continues; a
clean shutdown's endings are kept; a session that idled out comes back
when asked for, until STORE_RETENTION sweeps it; a locked, corrupt or newer database stops startup; a
schema-1 database is migrated; STORE=memory keeps nothing; and a disk that
stalls (fsync slowed by an LD_PRELOADed shim) does not slow the live
stream, while new runs get 503 store_lagging until the store catches up."""

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "llm"))

from harness import BINARY, Server, SseStream, stream_path  # noqa: E402
from scripted_upstream import ScriptedUpstream, reply  # noqa: E402

FIXTURES = os.path.join(HERE, "..", "fixtures")
SLOW_FSYNC = os.environ.get("AGENTTHEO_SLOW_FSYNC", os.path.join(
    os.path.dirname(BINARY), "tests", "libagenttheo_slow_fsync.so"))
# What reaches the disk is written every STORE_FLUSH_INTERVAL (50 ms): a
# SIGKILL loses at most that. The tests wait this long before one.
FLUSHED = 0.3


async def ws_replay(port, message_id):
    """The run's events as `/ws` replays them (a batch flattened), up to its
    `complete`."""
    import aiohttp
    events = []
    async with aiohttp.ClientSession() as http, \
            http.ws_connect(f"ws://127.0.0.1:{port}/ws") as ws:
        await ws.send_json({"type": "subscribe", "messageId": message_id})
        while not events or events[-1]["type"] != "complete":
            msg = await asyncio.wait_for(ws.receive(), 15)
            body = json.loads(msg.data)
            for item in body if isinstance(body, list) else [body]:
                if item.get("messageId") == message_id and "id" in item:
                    events.append(item)
    return events


def wait_for(what, predicate, timeout=15):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


class DurableSessions(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(prefix="agenttheo-store-")
        self.addCleanup(self.dir.cleanup)
        self.db = os.path.join(self.dir.name, "data", "agenttheo.db")

    def server(self, *flags, env=None):
        """A server on this test's database (data/agenttheo.db under its
        working directory: STORE_PATH's default)."""
        return Server("--planner-token-delay", "20ms", "--browser", "none",
                      *flags, workdir=self.dir.name, env=env)

    def new_session(self, server):
        status, made = server.call("POST", "/api/sessions")
        self.assertEqual(status, 201, made)
        return made["id"]

    def first_events(self, server, count, **params):
        stream = SseStream(server.port, stream_path(**params))
        self.assertEqual(stream.status, 200)
        seen = [stream.next_event() for _ in range(count)]
        return stream, seen

    # -- a crash -----------------------------------------------------------------

    def test_a_killed_server_comes_back_as_it_was(self):
        with self.server() as first:
            sid = self.new_session(first)
            status, _, done_sse = first.get(stream_path(
                "hello", session=sid, messageId="d-1"))
            self.assertEqual(status, 200)
            _, done_api = first.get_json("/api/runs/d-1/events")
            stream, seen = self.first_events(first, 12, command="hello",
                                             session=sid, messageId="d-2")
            time.sleep(FLUSHED)
            first.kill()
            stream.close()
        with self.server() as second:
            _, listing = second.get_json("/api/sessions")
            self.assertEqual([(s["id"], s["state"], s["runs"], s["title"])
                              for s in listing["sessions"]],
                             [(sid, "idle", 2, "hello")])
            # The finished run replays byte for byte, on every transport.
            self.assertEqual(second.get(stream_path(messageId="d-1"))[2], done_sse)
            self.assertEqual(second.get_json("/api/runs/d-1/events")[1], done_api)
            self.assertEqual(asyncio.run(ws_replay(second.port, "d-1")),
                             done_api["events"])
            middle = done_api["events"][20]["id"]
            resumed = SseStream(second.port, stream_path(messageId="d-1"),
                                {"Last-Event-ID": str(middle)}).read_all()
            self.assertEqual([e.id for e in resumed],
                             [e["id"] for e in done_api["events"][21:]])
            self.assertEqual(resumed[-1].type, "complete")
            status, _, _ = second.get(stream_path(messageId="d-1"),
                                      {"Last-Event-ID": str(resumed[-1].id)})
            self.assertEqual(status, 204)
            # The killed run: what was missed, then the restart's error.
            rest = SseStream(second.port, stream_path(messageId="d-2"),
                             {"Last-Event-ID": str(seen[5].id)}).read_all()
            self.assertEqual([(e.id, e.type, e.data) for e in rest[:6]],
                             [(e.id, e.type, e.data) for e in seen[6:]])
            self.assertEqual((rest[-1].type, rest[-1].data["code"]),
                             ("error", "server_restarted"))
            ids = [e.id for e in rest]
            self.assertEqual(ids, sorted(set(ids)))
            # A new run continues the session with ids never used before.
            later = SseStream(second.port, stream_path(
                "hello again", session=sid, messageId="d-3")).read_all()
            self.assertGreater(later[0].id, rest[-1].id)
            self.assertEqual(later[-1].type, "complete")
            _, described = second.get_json(f"/api/sessions/{sid}")
            self.assertEqual([(r["messageId"], r["state"]) for r in described["runs"]],
                             [("d-1", "finished"), ("d-2", "finished"),
                              ("d-3", "finished")])
            self.assertIn("hello", json.dumps(described["conversation"]))

    def test_the_conversation_goes_on_after_a_restart(self):
        with ScriptedUpstream() as upstream:
            flags = ("--llm-provider", "compatible", "--llm-base-url",
                     upstream.base_url, "--llm-model", "test-model",
                     "--llm-api-key", "sk-test")
            upstream.play(reply(["The answer ", "is 42."]))
            with self.server(*flags) as first:
                sid = self.new_session(first)
                events = SseStream(first.port, stream_path(
                    "what is the answer?", session=sid, messageId="c-1")).read_all()
                self.assertEqual(events[-1].type, "complete")
                time.sleep(FLUSHED)
                first.kill()
            upstream.play(reply(["Still 42."]))
            with self.server(*flags) as second:
                events = SseStream(second.port, stream_path(
                    "and now?", session=sid, messageId="c-2")).read_all()
                self.assertEqual(events[-1].type, "complete")
            sent = [(m["role"], m.get("content"))
                    for m in upstream.requests[-1]["body"]["messages"]]
            self.assertEqual(sent[1:], [("user", "what is the answer?"),
                                        ("assistant", "The answer is 42."),
                                        ("user", "and now?")])

    # -- a clean stop --------------------------------------------------------------

    def test_a_clean_shutdown_ends_runs_and_keeps_them(self):
        with self.server() as first:
            sid = self.new_session(first)
            stream, seen = self.first_events(first, 5, command="hello",
                                             session=sid, messageId="t-1")
            self.assertEqual(first.stop(), 0)
            rest = stream.read_all()
            self.assertEqual(rest[-1].data["code"], "server_shutdown")
        live = seen + rest
        with self.server() as second:
            replay = SseStream(second.port, stream_path(messageId="t-1")).read_all()
            self.assertEqual([(e.id, e.type, e.data) for e in replay],
                             [(e.id, e.type, e.data) for e in live])
            # The session's stream from the top does not end at the
            # shutdown's `closed`: it goes on into the next run.
            watcher = SseStream(second.port, f"/api/sessions/{sid}/stream",
                                {"Last-Event-ID": "0"})
            history = [watcher.next_event() for _ in range(len(live))]
            self.assertEqual([e.id for e in history], [e.id for e in live])
            second.get(stream_path("hello", session=sid, messageId="t-2"))
            start = watcher.next_event()
            watcher.close()
            self.assertEqual((start.type, start.data["messageId"]), ("start", "t-2"))
            # The shutdown's `closed` took an id: it is not used again.
            self.assertGreater(start.id, live[-1].id + 1)

    def test_a_run_waiting_for_a_person_comes_back_waiting(self):
        # A clean stop, then a crash: either way the question is still
        # there to answer, its clock went on while the server was down,
        # and the run finishes with the answer after the restarts.
        with self.server() as first:
            sid = self.new_session(first)
            stream = SseStream(first.port, stream_path(
                "ask me which size", session=sid, messageId="w-1",
                interrupt_timeout="10m"))
            events = []
            while not events or events[-1].type != "interrupt":
                events.append(stream.next_event())
            asked = events[-1].data
            self.assertEqual(first.stop(), 0)
            # Nothing ended it: its stream was told why it closes, in a
            # word that is no event of the run (id 0, not final).
            told = stream.read_all()
            self.assertEqual([(e.type, e.id, e.data["code"], e.data["final"]) for e in told
                              if e.type == "error"], [("error", 0, "server_shutdown", False)])
        with self.server() as second:
            _, described = second.get_json(f"/api/sessions/{sid}")
            self.assertEqual([p["interrupt_id"] for p in described["pending_interrupts"]],
                             [asked["interrupt_id"]])
            self.assertEqual(described["runs"][-1]["status"], "waiting_for_human")
            left = described["pending_interrupts"][0]["expires_at"]
            self.assertLessEqual(left, asked["expires_at"] + 1000)
            wait_for("the store to catch up", lambda: second.get_json("/health")[1]
                     ["store"]["pending_bytes"] == 0)
            time.sleep(FLUSHED)
            second.kill()
        with self.server() as third:
            resumed = SseStream(third.port, stream_path(messageId="w-1"),
                                {"Last-Event-ID": str(events[-1].id)})
            code, decided = third.call(
                "POST", f"/api/sessions/{sid}/interrupts/{asked['interrupt_id']}",
                {"decision": "answer", "answer": "small"})
            self.assertEqual((code, decided["by"]), (200, "api"), decided)
            rest = resumed.read_all()
            self.assertEqual([e.type for e in rest if e.type.startswith("interrupt")],
                             ["interrupt_resolved"])
            self.assertEqual(rest[-1].data["result"], "You answered: small")
            self.assertGreater(rest[0].id, events[-1].id)
            _, described = third.get_json(f"/api/sessions/{sid}")
            self.assertEqual(described["pending_interrupts"], [])
            self.assertEqual(described["runs"][-1]["outcome"], "complete")

    # -- keeping and forgetting --------------------------------------------------

    def test_ended_sessions_are_swept_after_the_retention(self):
        with self.server("--session-idle-timeout", "300ms",
                         "--store-retention", "1s") as server:
            sid = self.new_session(server)
            server.get(stream_path("hello", session=sid, messageId="r-1"))
            wait_for("the session to idle out", lambda: server.get_json(
                "/api/sessions")[1]["count"] == 0)
            wait_for("the sweep", lambda: any(
                "store: deleted 1 session" in line for line in server.log_lines))
            # Swept, it is gone for good.
            self.assertEqual(server.get_json(f"/api/sessions/{sid}")[0], 404)
            time.sleep(FLUSHED)
        with sqlite3.connect(self.db) as db:
            self.assertEqual(db.execute("SELECT count(*) FROM sessions").fetchone(), (0,))
            self.assertEqual(db.execute("SELECT count(*) FROM events").fetchone(), (0,))

    def test_a_session_that_idled_out_comes_back_when_asked_for(self):
        with self.server("--session-idle-timeout", "300ms") as server:
            sid = self.new_session(server)
            before = server.get(stream_path("hello", session=sid, messageId="i-1"))[2]
            gone = lambda: server.get_json("/api/sessions")[1]["count"] == 0  # noqa: E731
            wait_for("the session to idle out", gone)
            # By messageId: the run replays as it did.
            self.assertEqual(server.get(stream_path(messageId="i-1"))[2], before)
            self.assertEqual(server.get_json("/api/sessions")[1]["sessions"][0]["id"], sid)
            wait_for("the session to idle out again", gone)
            # By its id: described, and a new run continues it.
            status, described = server.get_json(f"/api/sessions/{sid}")
            self.assertEqual(status, 200, described)
            self.assertEqual([r["messageId"] for r in described["runs"]], ["i-1"])
            later = SseStream(server.port, stream_path(
                "hello again", session=sid, messageId="i-2")).read_all()
            self.assertEqual(later[-1].type, "complete")
            self.assertGreater(later[0].id, max(int(line.split()[1])
                                                for line in before.decode().splitlines()
                                                if line.startswith("id: ")))
            wait_for("the session to idle out a third time", gone)
            _, doc = server.get_json("/api/runs/i-2/events")
            self.assertEqual(doc["events"][-1]["type"], "complete")
            # One the store does not keep is still unknown.
            self.assertEqual(server.get_json("/api/sessions/s-never")[0], 404)
            self.assertEqual(server.get("/api/runs/m-never/events")[0], 404)
            self.assertEqual(server.get(stream_path(messageId="m-never"))[0], 400)

    def test_a_deleted_session_does_not_come_back(self):
        with self.server() as first:
            kept, gone = self.new_session(first), self.new_session(first)
            first.get(stream_path("hello", session=gone, messageId="x-1"))
            self.assertEqual(first.call("DELETE", f"/api/sessions/{gone}")[0], 200)
            time.sleep(FLUSHED)
            first.kill()
        with self.server() as second:
            _, listing = second.get_json("/api/sessions")
            self.assertEqual([s["id"] for s in listing["sessions"]], [kept])
            self.assertEqual(second.get("/api/runs/x-1/events")[0], 404)
            self.assertEqual(second.get(f"/api/sessions/{gone}")[0], 404)

    def test_store_memory_keeps_nothing(self):
        with self.server(env={"STORE": "memory"}) as first:
            self.new_session(first)
            _, health = first.get_json("/health")
            self.assertEqual(health["store"], {"kind": "memory"})
        self.assertFalse(os.path.exists(self.db))
        with self.server(env={"STORE": "memory"}) as second:
            self.assertEqual(second.get_json("/api/sessions")[1]["count"], 0)

    # -- databases it will not use -----------------------------------------------

    def start_fails(self, *flags):
        """Runs the binary on this test's database; its exit code and log."""
        done = subprocess.run(
            [BINARY, "serve", "--host", "127.0.0.1", "--port", "0",
             "--browser", "none", *flags],
            cwd=self.dir.name, capture_output=True, text=True, timeout=30,
            stdin=subprocess.DEVNULL)
        self.assertNotEqual(done.returncode, 0, done.stderr)
        self.assertNotIn("listening on", done.stderr)
        return done.stderr

    def test_a_database_another_process_holds_stops_startup(self):
        with self.server():
            log = self.start_fails()
        self.assertIn("is locked by another process", log)
        self.assertIn("data/agenttheo.db", log)

    def test_a_corrupt_database_stops_startup(self):
        os.makedirs(os.path.dirname(self.db))
        with open(self.db, "wb") as f:
            f.write(b"this is not an SQLite database, just bytes\n" * 200)
        self.assertIn("is corrupt or not an SQLite database", self.start_fails())

    def test_a_database_from_a_newer_version_stops_startup(self):
        os.makedirs(os.path.dirname(self.db))
        with sqlite3.connect(self.db) as db:
            db.execute("PRAGMA user_version = 99")
        log = self.start_fails()
        self.assertIn("written by a newer AgentTheo (schema version 99", log)

    def test_a_schema_1_database_is_migrated(self):
        os.makedirs(os.path.dirname(self.db))
        with open(os.path.join(FIXTURES, "store_schema_1.sql")) as f:
            fixture = f.read()
        with sqlite3.connect(self.db) as db:
            db.executescript(fixture)
        with self.server() as server:
            self.assertTrue(any("(schema 5), 1 session restored" in line
                                for line in server.log_lines))
            # Events from before timestamps were kept say 0.
            _, old = server.get_json("/api/runs/m-schema1/events")
            self.assertEqual({e["ts"] for e in old["events"]}, {0})
            _, listing = server.get_json("/api/sessions")
            self.assertEqual([(s["id"], s["title"], s["runs"])
                              for s in listing["sessions"]],
                             [("s-schema1", "read the title", 1)])
            replay = SseStream(server.port, stream_path(messageId="m-schema1")).read_all()
            self.assertEqual([(e.id, e.type) for e in replay],
                             [(1, "start"), (2, "status"), (3, "token"),
                              (4, "complete")])
            self.assertEqual(replay[2].data["token"], "Example Domain")
            _, described = server.get_json("/api/sessions/s-schema1")
            self.assertEqual(described["conversation"][0]["content"], "read the title")
        with sqlite3.connect(self.db) as db:
            self.assertEqual(db.execute("PRAGMA user_version").fetchone(), (5,))
            # The migrated run has no checkpoint: it waits for no one; and
            # no price was known for it.
            self.assertEqual(db.execute("SELECT checkpoint, cost_nano_usd FROM runs")
                             .fetchall(), [("", -1)])

    # -- a disk that stalls ----------------------------------------------------

    def test_a_stalled_disk_does_not_slow_the_live_stream(self):
        stall = os.path.join(self.dir.name, "stall")
        env = {"LD_PRELOAD": SLOW_FSYNC, "AGENTTHEO_STALL_FILE": stall,
               # The shim is not instrumented: under ASan it may load first.
               "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "")
               + ":verify_asan_link_order=0"}
        with self.server("--store-sync", "full", "--store-max-pending", "16K",
                         env=env) as server:
            sid = self.new_session(server)
            server.get(stream_path("hello", session=sid, messageId="s-0"))
            open(stall, "w").close()
            started = time.monotonic()
            events = SseStream(server.port, stream_path(
                "hello", session=sid, messageId="s-1")).read_all()
            took = time.monotonic() - started
            self.assertEqual(events[-1].type, "complete")
            tokens = sum(1 for e in events if e.type == "token")
            # Tokens come every 20 ms whatever the disk does (a stalled
            # store would hold them all until it is released).
            self.assertLess(took, tokens * 0.02 * 3 + 2)
            _, health = server.get_json("/health")
            self.assertTrue(health["store"]["lagging"], health)
            status, _, body = server.get(stream_path(
                "hello", session=sid, messageId="s-2"))
            self.assertEqual(status, 503)
            self.assertEqual(json.loads(body)["error"]["code"], "store_lagging")
            os.unlink(stall)
            wait_for("the store to catch up", lambda: not server.get_json(
                "/health")[1]["store"]["lagging"])
            status, _, _ = server.get(stream_path("hello", session=sid,
                                                  messageId="s-2"))
            self.assertEqual(status, 200)
            time.sleep(FLUSHED)
            server.kill()
        with self.server() as after:
            replay = SseStream(after.port, stream_path(messageId="s-1")).read_all()
            self.assertEqual([e.id for e in replay], [e.id for e in events])


if __name__ == "__main__":
    unittest.main()

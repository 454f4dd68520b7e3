"""Browser contexts are lent, not hoarded: at MAX_BROWSER_CONTEXTS an idle
session's context goes to the run that needs one (least recently used
first), and that session's next run reopens its page with its cookies and
localStorage. A run waits only while every context belongs to a running
session, and its `status: waiting` says how many runs are ahead. Real
server, real Chromium, pages served on loopback."""

import os
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from harness import Server, SseStream, stream_path  # noqa: E402
from test_agent_browser import serve_pages  # noqa: E402


class TimedRun(threading.Thread):
    """Reads one run's stream in the background, stamping each event with
    when it arrived."""

    def __init__(self, port, path):
        super().__init__(daemon=True)
        self.stream = SseStream(port, path, timeout=60)
        self.events = []
        self.seen = threading.Condition()
        self.start()

    def run(self):
        for event in self.stream.events():
            with self.seen:
                self.events.append((time.monotonic(), event))
                self.seen.notify_all()

    def wait_for(self, predicate, timeout=20):
        with self.seen:
            ok = self.seen.wait_for(
                lambda: any(predicate(e) for _, e in self.events), timeout)
        assert ok, f"no such event in {[e.type for _, e in self.events]}"
        return next(e for _, e in self.events if predicate(e)).data

    def finish(self):
        self.join(60)
        return [e for _, e in self.events]

    def time_of(self, kind):
        return next(t for t, e in self.events if e.type == kind)


def statuses(events, state):
    return [e.data for e in events if e.type == "status" and e.data["state"] == state]


class ContextsAreLent(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.port = serve_pages(cls)

    def url(self, path):
        return f"http://127.0.0.1:{self.port}/{path}"

    def run_in(self, server, command, session=None):
        params = {"session": session} if session else {}
        events = SseStream(server.port, stream_path(command, **params),
                           timeout=60).read_all()
        self.assertEqual(events[-1].type, "complete", events[-1].data)
        return events

    def contexts_open(self, server):
        for line in server.get("/metrics")[2].decode().splitlines():
            if line.startswith("agenttheo_browser_contexts "):
                return float(line.split()[1])
        raise AssertionError("no agenttheo_browser_contexts gauge")

    def test_an_idle_session_lends_its_context_and_gets_its_page_back(self):
        with Server("--planner-token-delay", "0", "--max-browser-contexts",
                    "2") as server:
            first = self.run_in(server, f"go to {self.url('remember')} then read the page")
            mine = first[0].data["session"]
            given = first[-1].data["result"]
            self.assertIn("first visit, given visit=v", given)
            cookie = given.split("given ")[1].split()[0]
            token = given.split("new token ")[1].split()[0]
            other = self.run_in(server, f"go to {self.url('index.html')}")
            # Both contexts are held by idle sessions now; a third session's
            # run starts at once, taking the least recently used (`mine`).
            started = time.monotonic()
            third = self.run_in(server, f"go to {self.url('about.html')} "
                                        "then read the title")
            self.assertLess(time.monotonic() - started, 10)
            self.assertEqual(statuses(third, "waiting"), [])
            self.assertEqual(third[-1].data["outcome"], "success")
            self.assertEqual(self.contexts_open(server), 2)
            # `other` (the more recent) kept its context: its next run finds
            # its page as it left it, with nothing reopened.
            kept = self.run_in(server, "read the title", session=other[0].data["session"])
            self.assertEqual(statuses(kept, "reopened"), [])
            self.assertEqual(kept[-1].data["result"], "The page title is: AgentTheo test page")
            # `mine` runs again: its page is back, cookie and storage too,
            # and a status says what happened.
            again = self.run_in(server, "read the page", session=mine)
            self.assertEqual(statuses(again, "waiting"), [])
            reopened = statuses(again, "reopened")
            self.assertEqual(len(reopened), 1, again)
            self.assertIn(f"reopened {self.url('remember')} with its 1 cookie "
                          "and 1 localStorage entry", reopened[0]["message"])
            answer = again[-1].data["result"]
            self.assertIn(f"returning visitor: {cookie}", answer)
            self.assertIn(f"kept token {token}", answer)

    def test_a_restarted_server_reopens_the_page_with_its_cookies(self):
        with tempfile.TemporaryDirectory(prefix="agenttheo-store-") as store:
            with Server("--planner-token-delay", "0", workdir=store) as first:
                ran = self.run_in(first, f"go to {self.url('remember')} then read the page")
                mine = ran[0].data["session"]
                given = ran[-1].data["result"]
                cookie = given.split("given ")[1].split()[0]
                token = given.split("new token ")[1].split()[0]
                # The page's state is read after the run, then written a
                # flush later; a crash after that keeps it.
                time.sleep(1.0)
                first.kill()
            with Server("--planner-token-delay", "0", workdir=store) as second:
                again = self.run_in(second, "read the page", session=mine)
                reopened = statuses(again, "reopened")
                self.assertEqual(len(reopened), 1, again)
                self.assertIn("the server restarted since this session's last run",
                              reopened[0]["message"])
                self.assertIn(f"reopened {self.url('remember')} with its 1 cookie "
                              "and 1 localStorage entry", reopened[0]["message"])
                answer = again[-1].data["result"]
                self.assertIn(f"returning visitor: {cookie}", answer)
                self.assertIn(f"kept token {token}", answer)

    def test_sessions_that_never_ran_hold_no_context(self):
        with Server("--planner-token-delay", "0", "--max-browser-contexts",
                    "1") as server:
            for _ in range(30):
                self.assertEqual(server.call("POST", "/api/sessions")[0], 201)
            self.assertEqual(self.contexts_open(server), 0)
            events = self.run_in(server, f"go to {self.url('index.html')}")
            self.assertEqual(statuses(events, "waiting"), [])
            self.assertEqual(self.contexts_open(server), 1)

    def test_a_run_waits_only_for_running_sessions_and_knows_its_place(self):
        slow = self.url("slow")
        with Server("--planner-token-delay", "0", "--max-browser-contexts",
                    "1") as server:
            busy = TimedRun(server.port, stream_path(
                f"go to {slow} then go to {slow} then go to {slow}"))
            busy.wait_for(lambda e: e.type == "tool_start")
            second = TimedRun(server.port, stream_path(
                f"go to {self.url('index.html')} then read the title"))
            waiting = second.wait_for(lambda e: e.type == "status"
                                      and e.data["state"] == "waiting")
            self.assertEqual((waiting["ahead"], waiting["running"]), (0, 1))
            self.assertIn("waiting for a browser context: the one browser "
                          "context is in use by running sessions; this run "
                          "is next", waiting["message"])
            third = TimedRun(server.port, stream_path(
                f"go to {self.url('about.html')} then read the title"))
            behind = third.wait_for(lambda e: e.type == "status"
                                    and e.data["state"] == "waiting")
            self.assertEqual(behind["ahead"], 1)
            self.assertIn("1 run is ahead of this one", behind["message"])
            runs = [busy.finish(), second.finish(), third.finish()]
            for events in runs:
                self.assertEqual(events[-1].type, "complete", events[-1].data)
                self.assertEqual(events[-1].data["outcome"], "success")
            # Each got the context only when the one before it finished.
            self.assertLess(busy.time_of("complete"), second.time_of("tool_end"))
            self.assertLess(second.time_of("complete"), third.time_of("tool_end"))
            self.assertEqual(runs[1][-1].data["result"],
                             "The page title is: AgentTheo test page")

    def gauge(self, server, name):
        for line in server.get("/metrics")[2].decode().splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
        raise AssertionError(f"no {name} gauge")

    def wait_for_spares(self, server, count, timeout=15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            spares = self.gauge(server, "agenttheo_browser_contexts_spare")
            if spares == count:
                return
            time.sleep(0.1)
        raise AssertionError(f"{spares} spare contexts, not {count}")

    def test_new_sessions_take_contexts_made_ahead_within_the_limit(self):
        with Server("--planner-token-delay", "0", "--max-browser-contexts", "3",
                    "--browser-pool", "2") as server:
            # Nothing is made before Chromium runs.
            self.assertEqual(self.gauge(server, "agenttheo_browser_contexts_spare"), 0)
            mine = self.run_in(server, f"go to {self.url('index.html')}")
            self.wait_for_spares(server, 2)
            # A new session takes one: no context of an idle session is
            # asked for, and the pool fills again, up to the limit only.
            other = self.run_in(server, f"go to {self.url('about.html')}")
            self.assertEqual(other[-1].data["outcome"], "success")
            self.wait_for_spares(server, 1)
            time.sleep(2.5)  # two refill delays: no second spare past the limit
            self.assertEqual(self.gauge(server, "agenttheo_browser_contexts_spare"), 1)
            self.assertEqual(self.contexts_open(server), 2)
            third = self.run_in(server, f"go to {self.url('index.html')} then read the title")
            self.assertEqual(statuses(third, "waiting"), [])
            self.wait_for_spares(server, 0)
            # Every context is a session's now; none was taken back.
            for session in (mine, other):
                again = self.run_in(server, "read the title",
                                    session=session[0].data["session"])
                self.assertEqual(statuses(again, "reopened"), [])

    def test_a_spare_goes_to_a_new_session_before_an_idle_one_is_asked(self):
        with Server("--planner-token-delay", "0", "--max-browser-contexts", "2",
                    "--browser-pool", "2") as server:
            mine = self.run_in(server, f"go to {self.url('index.html')}")
            self.wait_for_spares(server, 1)
            self.run_in(server, f"go to {self.url('about.html')}")
            # The spare filled the last slot: had it not gone first, the
            # full pool would have taken `mine`'s context back.
            again = self.run_in(server, "read the title", session=mine[0].data["session"])
            self.assertEqual(statuses(again, "reopened"), [])
            self.assertEqual(again[-1].data["result"], "The page title is: AgentTheo test page")

    def test_no_pool_makes_no_spare(self):
        with Server("--planner-token-delay", "0", "--browser-pool", "0") as server:
            self.run_in(server, f"go to {self.url('index.html')}")
            time.sleep(1.5)
            self.assertEqual(self.gauge(server, "agenttheo_browser_contexts_spare"), 0)

    def test_refusing_when_full_still_lends_idle_contexts(self):
        with Server("--planner-token-delay", "0", "--max-browser-contexts", "1",
                    "--browser-when-full", "refuse") as server:
            self.run_in(server, f"go to {self.url('index.html')}")
            lent = self.run_in(server, f"go to {self.url('about.html')}")
            self.assertEqual(lent[-1].data["outcome"], "success")


if __name__ == "__main__":
    unittest.main()

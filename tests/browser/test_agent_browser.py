"""A run drives real Chromium end to end: the offline planner's tool calls go
through tool_call and page actors, and /stream shows every step."""

import os
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from harness import (Server, ServerTestCase, SseStream,  # noqa: E402
                     kernel_has_custom_slices, named_threads, stream_path,
                     thread_slice_us)


def start_page_server():
    """tests/browser/page_server.py in a child process, and its port."""
    pages = subprocess.Popen(
        ["/usr/bin/python3", os.path.join(HERE, "page_server.py")],
        stdout=subprocess.PIPE, text=True)
    return pages, int(pages.stdout.readline())


def serve_pages(cls):
    """The page server for test class `cls` (as `cls.pages`), stopped with
    it: class cleanups run last first, so after anything the class adds
    later (its agenttheo server). Its port."""
    cls.pages, port = start_page_server()
    cls.addClassCleanup(cls.pages.wait)
    cls.addClassCleanup(cls.pages.kill)
    return port


def live_processes():
    """(pid, command name, parent's pid) of every process not yet reaped."""
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)
            comm = fields[0].split("(", 1)[1]
            state, ppid = fields[1].split()[0:2]
        except (OSError, IndexError):
            continue
        if state not in "ZX":
            yield int(entry), comm, int(ppid)


def chromium_children(pid):
    """Live Chromium processes in the server's process tree."""
    return [p for p, comm, parent in live_processes()
            if "chrom" in comm and parent == pid]


class AgentInTheBrowser(ServerTestCase):
    server_flags = ("--planner-token-delay", "0")

    @classmethod
    def setUpClass(cls):
        cls.port = serve_pages(cls)
        cls.addClassCleanup(cls.no_chromium_left)
        super().setUpClass()

    @classmethod
    def no_chromium_left(cls):
        assert chromium_children(cls.server.proc.pid) == [], \
            "Chromium outlived the server"

    def url(self, path):
        return f"http://127.0.0.1:{self.port}/{path}"

    def run_command(self, command):
        events = SseStream(self.server.port, stream_path(command)).read_all()
        self.assertEqual(events[-1].type, "complete", events[-1].data)
        return events

    def test_a_planned_run_uses_the_browser(self):
        events = self.run_command(f"go to {self.url('index.html')} then click "
                                  f"Press me then read the page")
        tools = [(e.data["tool_name"], e.data.get("ok")) for e in events
                 if e.type in ("tool_start", "tool_end")]
        self.assertEqual(tools, [("navigate_to", None), ("navigate_to", True),
                                 ("click", None), ("click", True),
                                 ("get_page_text", None), ("get_page_text", True)])
        start = [e for e in events if e.type == "tool_start"][0].data
        self.assertEqual(start["tool_input"], {"url": self.url("index.html")})
        ends = [e.data for e in events if e.type == "tool_end"]
        self.assertTrue(all(e["call_id"] and e["duration_ms"] >= 0 for e in ends))
        answer = events[-1].data["result"]
        self.assertIn("The button was clicked.", answer)
        steps = [e.data["step"] for e in events if e.type == "progress"]
        self.assertEqual(steps, [1, 2, 3, 4])

    def test_title_and_screenshot(self):
        events = self.run_command(f"open {self.url('about.html')} then take a "
                                  f"screenshot then read the title")
        # One after the navigation (SCREENSHOT_AFTER_ACTIONS), one asked for.
        shots = [e.data for e in events if e.type == "screenshot"]
        self.assertEqual(len(shots), 2)
        for shot in shots:
            self.assertTrue(shot["image"].startswith("/9j/"))
            self.assertEqual(shot["mime"], "image/jpeg")
            self.assertEqual(shot["url"], self.url("about.html"))
        self.assertEqual(events[-1].data["result"], "The page title is: About")

    def test_a_refused_navigation_is_a_failed_step(self):
        events = self.run_command("go to file:///etc/passwd then read the page")
        end = [e.data for e in events if e.type == "tool_end"][0]
        self.assertFalse(end["ok"])
        self.assertIn("file: scheme is not allowed", end["output"])
        self.assertIn("could not finish", events[-1].data["result"])

    def test_a_session_keeps_its_page_and_others_have_their_own(self):
        first = self.run_command(f"go to {self.url('index.html')}")
        session = first[0].data["session"]
        # Same session, next run: the page (and its context) is kept.
        again = SseStream(self.server.port, stream_path(
            "read the title", session=session)).read_all()
        self.assertEqual(again[-1].data["result"],
                         "The page title is: AgentTheo test page")
        # Another session starts from a blank page of its own.
        other = self.run_command("read the title")
        self.assertEqual(other[-1].data["result"], "The page has no title.")

    def test_a_dismissed_dialog_is_a_custom_event(self):
        events = self.run_command(f"go to {self.url('index.html')} then click "
                                  f"Warn me")
        notes = [e.data for e in events if e.type == "custom"]
        self.assertIn({"source": "browser", "tool": "click",
                       "message": "dismissed a dialog: \"careful now\""}, notes)


class BrowserLimitsAndCrashes(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pages, cls.port = start_page_server()

    @classmethod
    def tearDownClass(cls):
        cls.pages.kill()
        cls.pages.wait()

    def test_no_chromium_survives_a_killed_server(self):
        url = f"http://127.0.0.1:{self.port}/index.html"
        server = self.enterContext(Server("--planner-token-delay", "0"))
        events = SseStream(server.port, stream_path(f"go to {url}")).read_all()
        self.assertEqual(events[-1].type, "complete")
        pid = server.proc.pid
        self.assertTrue(chromium_children(pid))
        browsers = chromium_children(pid)
        profile = profile_of(browsers[0])
        self.assertTrue(os.path.basename(profile).startswith(
            f"agenttheo-chromium-{pid}-"), profile)
        server.kill()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(alive(p) for p in browsers):
            time.sleep(0.05)
        self.assertFalse(any(alive(p) for p in browsers))
        # The killed server could not remove its profile; the next one to
        # start a browser does.
        self.assertTrue(os.path.isdir(os.path.join(profile, "Default")))
        after = self.enterContext(Server("--planner-token-delay", "0"))
        events = SseStream(after.port, stream_path(f"go to {url}")).read_all()
        self.assertEqual(events[-1].type, "complete")
        self.assertFalse(os.path.exists(profile))
        self.assertIn("Chromium profiles of servers no longer running",
                      "".join(after.log_lines))

    def test_the_browser_is_not_held_to_a_pinned_io_threads_cpu(self):
        # The browser is started from an actor on a pinned I/O thread; what
        # that thread starts must not inherit its one CPU.
        url = f"http://127.0.0.1:{self.port}/index.html"
        every = os.sched_getaffinity(0)
        pinned = {max(every)}
        server = self.enterContext(Server(
            "--planner-token-delay", "0", "--io-thread-cpus", str(max(every))))
        events = SseStream(server.port, stream_path(f"go to {url}")).read_all()
        self.assertEqual(events[-1].type, "complete")
        browsers = descendants(server.proc.pid)
        self.assertTrue(browsers)
        self.assertEqual({p: os.sched_getaffinity(p) for p in browsers},
                         {p: every for p in browsers})
        threads = server.threads()
        self.assertIn(("agenttheo.io", pinned), threads)
        self.assertEqual([(n, c) for n, c in threads
                          if n != "agenttheo.io" and c != every], [])
        self.assertIn("agenttheo.cdp", [n for n, _ in threads])
        # Nor the I/O threads' short CPU slice (IO_THREAD_SLICE): the
        # browser's threads and the server's others keep the kernel's.
        short = 100 if kernel_has_custom_slices() else None
        slices = server.thread_slices()
        self.assertEqual({s for n, s in slices if n == "agenttheo.io"}, {short})
        browser_threads = [t for p in browsers for t, _ in named_threads(p)]
        self.assertTrue(browser_threads)
        self.assertEqual([t for t in browser_threads
                          if short and thread_slice_us(t) == short], [])
        self.assertEqual([n for n, s in slices
                          if n != "agenttheo.io" and short and s == short], [])

    def test_a_stopped_server_removes_its_profile(self):
        url = f"http://127.0.0.1:{self.port}/index.html"
        with Server("--planner-token-delay", "0") as server:
            events = SseStream(server.port,
                               stream_path(f"go to {url}")).read_all()
            self.assertEqual(events[-1].type, "complete")
            profile = profile_of(chromium_children(server.proc.pid)[0])
            self.assertTrue(os.path.isdir(profile))
        self.assertFalse(os.path.exists(profile))


def descendants(pid):
    """Every live process below `pid` (Chromium and its renderers)."""
    children = {}
    for p, _, parent in live_processes():
        children.setdefault(parent, []).append(p)
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def profile_of(pid):
    """The --user-data-dir Chromium `pid` was started with."""
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        args = f.read().decode().split("\0")
    flag = "--user-data-dir="
    return next(a[len(flag):] for a in args if a.startswith(flag))


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in "ZX"
    except OSError:
        return False


if __name__ == "__main__":
    unittest.main()

"""The process as an operator meets it: configuration errors at startup, and
a graceful stop on SIGTERM or SIGINT that tells open streams."""

import contextlib
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import unittest

from harness import BINARY, Server, SseStream, stream_path


def run_binary(*args, env=None, cwd=None):
    return subprocess.run([BINARY, *args], capture_output=True, text=True,
                          timeout=20, env=env, cwd=cwd)


@contextlib.contextmanager
def project_dir_with_env(text):
    """A directory holding config/.env with `text`, as a checkout would."""
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(os.path.join(tmp, "config"))
        with open(os.path.join(tmp, "config", ".env"), "w") as f:
            f.write(text)
        yield tmp


class Configuration(unittest.TestCase):
    def test_bad_flag_value_names_the_key(self):
        result = run_binary("serve", "--port", "eighty")
        self.assertEqual(result.returncode, 2)
        self.assertIn("PORT", result.stderr)
        self.assertIn("'eighty'", result.stderr)

    def test_bad_env_file_value_names_the_key(self):
        with project_dir_with_env("LOG_LEVEL=CHATTY\n") as tmp:
            result = run_binary("serve", cwd=tmp)
        self.assertEqual(result.returncode, 2)
        self.assertIn("LOG_LEVEL", result.stderr)

    def test_bad_environment_value_names_the_key(self):
        env = dict(os.environ, SEND_QUEUE_LIMIT="lots")
        result = run_binary("serve", "--port", "0", env=env)
        self.assertEqual(result.returncode, 2)
        self.assertIn("SEND_QUEUE_LIMIT", result.stderr)

    def test_an_io_thread_cpu_the_process_may_not_use_is_refused(self):
        beyond = max(os.sched_getaffinity(0)) + 1
        result = run_binary("serve", "--port", "0", "--io-thread-cpus", f"0,{beyond}")
        self.assertEqual(result.returncode, 2)
        self.assertIn(f"IO_THREAD_CPUS: CPU {beyond} is not one this process may run on",
                      result.stderr)
        result = run_binary("serve", "--port", "0", "--io-thread-cpus", "first")
        self.assertEqual(result.returncode, 2)
        self.assertIn("IO_THREAD_CPUS", result.stderr)
        self.assertIn("'first'", result.stderr)

    def test_an_io_thread_slice_out_of_range_is_refused(self):
        result = run_binary("serve", "--port", "0", "--io-thread-slice", "10us")
        self.assertEqual(result.returncode, 2)
        self.assertIn("IO_THREAD_SLICE", result.stderr)
        self.assertIn("100us to 100ms", result.stderr)

    def test_env_file_is_read(self):
        with project_dir_with_env("MAX_SESSIONS=1\n") as tmp:
            with Server(workdir=tmp) as server:
                first = SseStream(server.port, stream_path("a", messageId="e1"))
                first.read_all()
                status, body = server.get_json(stream_path("b", messageId="e2"))
                self.assertEqual(status, 503)
                self.assertEqual(body["error"]["code"], "too_many_sessions")

    def test_a_full_server_says_when_a_session_frees_up(self):
        with Server("--max-sessions", "2", "--session-idle-timeout", "40s",
                    "--browser", "none") as server:
            for _ in range(2):
                self.assertEqual(server.call("POST", "/api/sessions")[0], 201)
            # Both idle and unwatched: the first ends 40 s after it was made.
            status, headers, body = server.get("/api/sessions", method="POST")
            self.assertEqual(status, 503)
            error = json.loads(body)["error"]
            self.assertEqual(error["code"], "too_many_sessions")
            self.assertTrue(38 <= int(headers["Retry-After"]) <= 40, headers)
            self.assertEqual(error["retry_after"], int(headers["Retry-After"]))
            status, headers, _ = server.get(stream_path("hello"))
            self.assertEqual(status, 503)
            self.assertTrue(38 <= int(headers["Retry-After"]) <= 40, headers)
            # Watched, a session does not idle out: none frees before a
            # watcher leaves and the idle timeout passes.
            watchers = [SseStream(server.port, f"/api/sessions/{s['id']}/stream")
                        for s in server.get_json("/api/sessions")[1]["sessions"]]
            time.sleep(0.3)
            status, headers, _ = server.get("/api/sessions", method="POST")
            self.assertEqual((status, headers["Retry-After"]), (503, "40"))
            for watcher in watchers:
                watcher.close()

    def test_port_in_use_is_a_clear_error(self):
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            # In a scratch directory: the store opens before the port.
            with tempfile.TemporaryDirectory() as scratch:
                result = run_binary("serve", "--host", "127.0.0.1",
                                    "--port", str(port), cwd=scratch)
        self.assertEqual(result.returncode, 1)
        self.assertIn("cannot listen", result.stderr)

    def test_help(self):
        result = run_binary("serve", "--help")
        self.assertEqual(result.returncode, 0)
        self.assertIn("--send-queue-limit", result.stdout)


class WhatAnOperatorSees(unittest.TestCase):
    def test_startup_names_every_door_and_each_run_logs_its_start_and_end(self):
        server = self.enterContext(Server("--planner-token-delay", "0",
                                          "--browser", "none"))
        base = f"http://127.0.0.1:{server.port}"
        startup = next(line for line in server.log_lines if "listening on" in line)
        for door in (f"{base}/", f"{base}/admin", f"{base}/demo/"):
            self.assertIn(door, startup)
        events = SseStream(server.port, stream_path("hello", messageId="logged-1")
                           ).read_all()
        self.assertEqual(events[-1].type, "complete")
        session = events[0].data["session"]
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not any(
                "run ended" in line for line in server.log_lines):
            time.sleep(0.05)
        started = [l for l in server.log_lines if "run started" in l]
        ended = [l for l in server.log_lines if "run ended" in l]
        self.assertEqual(len(started), 1, server.log_lines)
        self.assertIn(f"session {session}, messageId logged-1", started[0])
        self.assertRegex(ended[0], rf"session {session}, messageId logged-1, "
                                   r"complete, 1 step, \d+ ms")
        self.assertNotIn("hello", started[0] + ended[0])

    def test_io_threads_run_on_the_cpus_io_thread_cpus_lists(self):
        # The last CPU the process may use first, so threads the setting
        # left alone would not pass; two threads always running.
        cpus = sorted(os.sched_getaffinity(0))
        listed = [cpus[-1], cpus[0]]
        server = self.enterContext(Server(
            "--browser", "none", "--io-threads", "2", "--io-contexts", "0",
            "--io-thread-cpus", ",".join(map(str, listed))))
        events = SseStream(server.port, stream_path("hello", messageId="pinned-1")
                           ).read_all()
        self.assertEqual(events[-1].type, "complete")
        allowed = [cpus for name, cpus in server.threads() if name == "agenttheo.io"]
        self.assertEqual(sorted(allowed, key=min), sorted(({c} for c in listed), key=min))

    def test_the_favicon_is_served(self):
        server = self.enterContext(Server("--browser", "none"))
        status, headers, body = server.get("/favicon.ico")
        self.assertEqual(status, 200)
        self.assertTrue(headers["Content-Type"].startswith("image/svg+xml"))
        self.assertTrue(body.startswith(b"<svg"))


class GracefulShutdown(unittest.TestCase):
    def shutdown_with(self, sig):
        server = self.enterContext(Server("--planner-token-delay", "50ms"))
        stream = SseStream(server.port, stream_path("hello", messageId="sd-1"))
        self.assertEqual(stream.next_event().type, "start")
        started = time.monotonic()
        server.proc.send_signal(sig)
        events = stream.read_all()
        code = server.proc.wait(timeout=15)
        elapsed = time.monotonic() - started
        self.assertEqual(code, 0)
        self.assertLess(elapsed, 5)
        self.assertEqual(events[-1].type, "error")
        self.assertEqual(events[-1].data["code"], "server_shutdown")
        with self.assertRaises(OSError):
            socket.create_connection(("127.0.0.1", server.port), timeout=2)

    def test_sigterm_tells_open_streams_and_exits_0(self):
        self.shutdown_with(signal.SIGTERM)

    def test_sigint_too(self):
        self.shutdown_with(signal.SIGINT)


if __name__ == "__main__":
    unittest.main()

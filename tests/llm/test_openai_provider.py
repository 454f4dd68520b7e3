"""The OpenAI-compatible client end to end: the real agenttheo binary talks
to a scripted upstream over loopback, and its /stream shows what happened."""

import os
import socket
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "integration"))

from harness import Server, ServerTestCase, SseStream, stream_path  # noqa: E402
from scripted_upstream import (ScriptedUpstream, chunk, cut_after, event,  # noqa: E402
                               raw, reply, stall, status)

SECRET = "sk-test-secret-0123456789"


class OpenAIProvider(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.upstream = cls.enterClassContext(ScriptedUpstream())
        # Class cleanups run last first: this one after the server stopped.
        cls.addClassCleanup(cls.key_never_logged)
        super().setUpClass()
        cls.ids = 0

    @classmethod
    def server_args(cls):
        return ("--llm-provider", "compatible", "--llm-base-url",
                cls.upstream.base_url, "--llm-model", "test-model",
                "--llm-api-key", SECRET, "--llm-retry-base", "20ms",
                "--llm-idle-timeout", "400ms", "--max-retries", "2",
                "--llm-max-response-bytes", "64K", "--log-level", "DEBUG",
                "--browser", "none")

    @classmethod
    def key_never_logged(cls):
        assert cls.server.log_lines, "the server logged nothing"
        assert not any(SECRET in line for line in cls.server.log_lines)

    def run_command(self, command="say hello", **params):
        OpenAIProvider.ids += 1
        s = SseStream(self.server.port, stream_path(
            command, messageId=f"llm-{self.ids}", **params))
        self.assertEqual(s.status, 200)
        events = s.read_all()
        s.close()
        for e in events:
            self.assertNotIn(SECRET, str(e.data))
        return events

    def final_error(self, events):
        self.assertEqual(events[-1].type, "error", events[-1].data)
        return events[-1].data["code"], events[-1].data["message"]

    def test_content_streams_as_tokens_with_usage(self):
        self.upstream.play(reply(["Hel", "lo", ", wor", "ld"], usage=(12, 7)))
        events = self.run_command("greet the world")
        self.assertEqual(events[0].data["llm"], {"provider": "compatible",
                                                 "model": "test-model"})
        tokens = [e.data["token"] for e in events if e.type == "token"]
        self.assertEqual(tokens, ["Hel", "lo", ", wor", "ld"])
        done = events[-1].data
        self.assertEqual(events[-1].type, "complete")
        self.assertEqual(done["result"], "Hello, world")
        # test-model has no price: no cost_usd.
        self.assertEqual(done["usage"], {"prompt_tokens": 12,
                                         "completion_tokens": 7,
                                         "total_tokens": 19,
                                         "model_calls": 1,
                                         "tool_calls": 0})
        request = self.upstream.requests[0]
        body = request["body"]
        self.assertEqual(body["model"], "test-model")
        self.assertIs(body["stream"], True)
        self.assertEqual(body["stream_options"], {"include_usage": True})
        self.assertEqual(body["messages"][0]["role"], "system")
        self.assertEqual(body["messages"][1], {"role": "user",
                                               "content": "greet the world"})
        self.assertEqual(request["headers"]["Authorization"], f"Bearer {SECRET}")
        self.assertEqual(request["headers"]["Content-Type"], "application/json")

    def test_the_transfers_run_where_actors_on_io_threads_says(self):
        # By default no CAF worker ("caf.multiplexer") and no curl thread
        # exist: the call above streamed through the I/O threads alone. The
        # `.on_caf_workers` ctest sets ACTORS_ON_IO_THREADS=false: both do.
        self.upstream.play(reply(["one", " thread"]))
        events = self.run_command("say it")
        self.assertEqual(events[-1].type, "complete", events[-1].data)
        found = self.server.threads()
        threads = [name for name, _ in found]
        masks = [cpus for name, cpus in found if name == "agenttheo.io"]
        names = set(threads)
        # By default (IO_THREAD_CPUS=auto) the I/O threads each on one CPU,
        # in the order the process may use them, or all of them unpinned
        # while another process (another test) fills one of those CPUs.
        # The `.unpinned_io_threads` ctest sets IO_THREAD_CPUS=off.
        every = os.sched_getaffinity(0)
        planned = sorted(({sorted(every)[i % len(every)]} for i in range(len(masks))),
                         key=min)
        if os.environ.get("IO_THREAD_CPUS", "auto") == "auto" and len(every) > 1:
            self.assertTrue(sorted(masks, key=min) == planned
                            or all(m == every for m in masks), masks)
        else:
            self.assertTrue(all(m == every for m in masks), masks)
        on_io = os.environ.get("ACTORS_ON_IO_THREADS") != "false"
        # IO_THREADS unset: one per core when the actors run there, else one.
        io_threads = int(os.environ.get("IO_THREADS") or 0) or (
            os.cpu_count() if on_io else 1)
        self.assertEqual(threads.count("agenttheo.io"), io_threads, threads)
        self.assertEqual("agenttheo.curl" in names, not on_io, names)
        self.assertEqual("caf.multiplexer" in names, not on_io, names)

    def test_an_http_provider_is_read_without_curl_on_the_io_threads(self):
        # On the I/O threads an http:// provider's stream is read on their
        # own sockets (asio_http_engine.hpp) unless LLM_PLAIN_HTTP=false
        # (the `.curl_on_io` ctest, which runs this suite through curl
        # there); on CAF's workers always through curl's thread.
        def transfers():
            values = self.server.metrics()
            return tuple(int(values.get(
                f'agenttheo_llm_transfers_total{{client="{client}"}}', 0))
                for client in ("plain", "curl"))
        plain_before, curl_before = transfers()
        self.upstream.play(reply(["which", " client"]))
        events = self.run_command("say which")
        self.assertEqual(events[-1].type, "complete", events[-1].data)
        plain, curl = transfers()
        plain_http = (os.environ.get("ACTORS_ON_IO_THREADS") != "false"
                      and os.environ.get("LLM_PLAIN_HTTP") != "false")
        self.assertEqual((plain - plain_before, curl - curl_before),
                         (1, 0) if plain_http else (0, 1))

    def test_parallel_tool_calls_split_across_chunks(self):
        calls = [
            [{"index": 0, "id": "call_a", "type": "function",
              "function": {"name": "navigate_to", "arguments": ""}}],
            [{"index": 1, "id": "call_b", "type": "function",
              "function": {"name": "read_page", "arguments": "{"}}],
            [{"index": 0, "function": {"arguments": "{\"url\": \"https://exa"}}],
            [{"index": 0, "function": {"arguments": "mple.com\"}"}},
             {"index": 1, "function": {"arguments": "}"}}],
        ]
        self.upstream.play(raw(
            [event(chunk(role="assistant", content="Let me look."))]
            + [event(chunk(tool_calls=c)) for c in calls]
            + [event(chunk(finish="tool_calls")), b"data: [DONE]\n\n"]))
        events = self.run_command("open example.com and read it")
        message = [e for e in events if e.type == "message"][0].data
        self.assertEqual(message["content"], "Let me look.")
        self.assertEqual(message["tool_calls"], [
            {"id": "call_a", "name": "navigate_to",
             "arguments": "{\"url\": \"https://example.com\"}"},
            {"id": "call_b", "name": "read_page", "arguments": "{}"}])
        code, text = self.final_error(events)
        self.assertEqual(code, "capability_missing")
        self.assertIn("navigate_to, read_page", text)

    def first_token_histograms(self):
        """(count, sum in s) of the call's and the server's first-token
        histograms on /metrics."""
        values = self.server.metrics()

        def histogram(name):
            return (int(values[f"{name}_count"]), float(values[f"{name}_sum"]))
        return (histogram("agenttheo_llm_time_to_first_token_seconds"),
                histogram("agenttheo_first_token_added_seconds"))

    def test_the_models_wait_for_its_first_token_is_not_counted_as_ours(self):
        (calls_before, call_s_before), (added_before, added_s_before) = \
            self.first_token_histograms()
        self.upstream.play(reply(["after", " thought"], first_delay=0.25))
        events = self.run_command("think first")
        self.assertEqual(events[-1].type, "complete", events[-1].data)
        (calls, call_s), (added, added_s) = self.first_token_histograms()
        self.assertEqual(calls - calls_before, 1)
        self.assertEqual(added - added_before, 1)
        # The call waited the model's 250 ms (under the idle timeout); the
        # server's own part is what is left: the request's way in and the
        # token's way out, well under the wait it must not count.
        self.assertGreaterEqual(call_s - call_s_before, 0.25)
        self.assertLess(added_s - added_s_before, 0.125)

    def test_401_is_not_retried(self):
        self.upstream.play(status(401, {"error": {"message": "Invalid API key",
                                                  "code": 401}}))
        code, text = self.final_error(self.run_command())
        self.assertEqual(code, "llm_auth_failed")
        self.assertIn("Invalid API key", text)
        self.assertEqual(len(self.upstream.requests), 1)

    def test_429_honours_retry_after_then_succeeds(self):
        self.upstream.play(status(429, {"error": {"message": "slow down"}},
                                  {"Retry-After": "1"}),
                           reply(["ok"]))
        events = self.run_command()
        self.assertEqual(events[-1].type, "complete")
        self.assertEqual(events[-1].data["result"], "ok")
        retrying = [e for e in events if e.type == "status"
                    and e.data["state"] == "retrying"]
        self.assertEqual(len(retrying), 1)
        self.assertIn("429", retrying[0].data["message"])
        first, second = self.upstream.requests
        self.assertGreaterEqual(second["at"] - first["at"], 0.95)

    def test_5xx_retries_a_bounded_number_of_times(self):
        self.upstream.play(status(503, {"error": {"message": "overloaded"}}))
        code, text = self.final_error(self.run_command())
        self.assertEqual(code, "llm_unavailable")
        self.assertIn("after 3 attempts", text)
        self.assertEqual(len(self.upstream.requests), 3)

    def test_cut_mid_stream_is_an_error_after_the_tokens(self):
        self.upstream.play(cut_after(["partial ", "answer"]))
        events = self.run_command()
        tokens = [e.data["token"] for e in events if e.type == "token"]
        self.assertEqual(tokens, ["partial ", "answer"])
        code, _ = self.final_error(events)
        self.assertEqual(code, "llm_stream_cut")
        self.assertEqual(len(self.upstream.requests), 1)

    def test_malformed_chunk(self):
        self.upstream.play(raw([event(chunk(content="a")), b"data: {oops\n\n"]))
        code, _ = self.final_error(self.run_command())
        self.assertEqual(code, "llm_bad_response")

    def test_provider_error_inside_the_stream(self):
        self.upstream.play(raw([event(chunk(content="a")),
                                event({"error": {"message": "upstream died",
                                                 "code": 502}})]))
        code, text = self.final_error(self.run_command())
        self.assertEqual(code, "llm_provider_error")
        self.assertIn("upstream died", text)

    def test_over_long_response(self):
        self.upstream.play(reply(["x" * 1000] * 100))
        code, _ = self.final_error(self.run_command())
        self.assertEqual(code, "llm_response_too_long")

    def test_stall_before_output_retries_then_times_out(self):
        self.upstream.play(stall())
        started = time.monotonic()
        code, _ = self.final_error(self.run_command())
        self.assertEqual(code, "llm_timeout")
        self.assertEqual(len(self.upstream.requests), 3)
        self.assertLess(time.monotonic() - started, 5)

    def test_stall_after_output_is_not_retried(self):
        self.upstream.play(stall(tokens=["some "]))
        events = self.run_command()
        code, _ = self.final_error(events)
        self.assertEqual(code, "llm_timeout")
        self.assertEqual(len(self.upstream.requests), 1)

    def test_cancel_aborts_the_upstream_transfer(self):
        self.upstream.play(stall(tokens=["thinking "], seconds=20))
        OpenAIProvider.ids += 1
        s = SseStream(self.server.port, stream_path(
            "slow", messageId=f"llm-{self.ids}", on_disconnect="cancel"))
        while True:
            e = s.next_event()
            if e.type == "token":
                break
        dropped = time.monotonic()
        s.abort()
        deadline = time.monotonic() + 5
        while not self.upstream.disconnects and time.monotonic() < deadline:
            time.sleep(0.02)
        self.assertTrue(self.upstream.disconnects, "upstream never saw the abort")
        self.assertLess(self.upstream.disconnects[0] - dropped, 1.0)


class ProviderUnreachableAndOpenRouter(unittest.TestCase):
    def test_connection_refused(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        with Server("--llm-provider", "compatible",
                    "--llm-base-url", f"http://127.0.0.1:{port}/v1",
                    "--llm-model", "m", "--llm-retry-base", "10ms") as server:
            events = SseStream(server.port, stream_path("hi")).read_all()
            self.assertEqual(events[-1].type, "error")
            self.assertEqual(events[-1].data["code"], "llm_unreachable")
            retries = [e for e in events if e.type == "status"
                       and e.data["state"] == "retrying"]
            self.assertEqual(len(retries), 2)

    def test_openrouter_sends_its_headers(self):
        with ScriptedUpstream() as upstream:
            upstream.play(reply(["hi"]))
            with Server("--openrouter-api-key", "sk-or-test",
                        "--llm-base-url", upstream.base_url) as server:
                events = SseStream(server.port, stream_path("hi")).read_all()
                self.assertEqual(events[0].data["llm"]["provider"], "openrouter")
                self.assertEqual(events[-1].type, "complete")
            headers = upstream.requests[0]["headers"]
            self.assertEqual(headers["Authorization"], "Bearer sk-or-test")
            self.assertEqual(headers["X-Title"], "AgentTheo")
            self.assertIn("HTTP-Referer", headers)
            self.assertEqual(upstream.requests[0]["body"]["model"],
                             "openai/gpt-4o-mini")


class CallDeadline(unittest.TestCase):
    def test_the_calls_own_deadline_ends_a_stalled_stream(self):
        # LLM_TIMEOUT is curl's deadline for the whole transfer: only the
        # driver's timer ends it, long before the 10 s idle check would.
        with ScriptedUpstream() as upstream:
            upstream.play(stall(tokens=["some "], seconds=20))
            with Server("--llm-provider", "compatible",
                        "--llm-base-url", upstream.base_url, "--llm-model", "m",
                        "--llm-timeout", "600ms", "--llm-idle-timeout", "10s",
                        "--browser", "none") as server:
                started = time.monotonic()
                events = SseStream(server.port, stream_path("hi")).read_all()
                elapsed = time.monotonic() - started
            self.assertEqual(events[-1].type, "error", events[-1].data)
            self.assertEqual(events[-1].data["code"], "llm_timeout")
            self.assertIn("timed out", events[-1].data["message"])
            self.assertGreater(elapsed, 0.5)
            self.assertLess(elapsed, 5)


if __name__ == "__main__":
    unittest.main()

"""A gateway and two worker processes on loopback, over CAF's middleman: runs
spread over both workers and stream through the gateway; a worker killed
with SIGKILL (or frozen with SIGSTOP) mid-run ends its runs' streams with a
`node_lost` error while the other worker's runs go on, new runs go to the
survivor, and the worker is used again once it is back; a gateway restart
leaves the workers' runs running and their logs readable."""

import json
import os
import signal
import subprocess
import tempfile
import time
import unittest
from contextlib import ExitStack

from harness import BINARY, Server, SseStream, Worker
from test_loadgen import TokenUpstream

# A lost worker is noticed within WORKER_TIMEOUT of its last answer.
FAST = ["--worker-heartbeat", "200ms", "--worker-timeout", "1500ms",
        "--worker-retry", "200ms"]


def llm_flags(upstream):
    return ["--llm-provider", "compatible", "--llm-model", "m",
            "--llm-base-url", f"http://127.0.0.1:{upstream.port}/v1",
            "--browser", "none"]


def wait_for(what, predicate, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def nodes(gateway):
    status, doc = gateway.get_json("/api/admin/nodes")
    assert status == 200, status
    assert doc["role"] == "gateway", doc
    return {n["name"]: n for n in doc["nodes"]}


def node_when(gateway, worker, predicate, what):
    """The gateway's view of `worker` once `predicate` holds for it."""
    def check():
        node = nodes(gateway)[worker.address]
        return node if predicate(node) else None
    return wait_for(what, check)


def all_up(gateway, *workers):
    return wait_for("workers up", lambda: all(
        nodes(gateway)[w.address]["state"] == "up" for w in workers))


def node_of_run(gateway, message_id):
    """The worker the gateway lists `message_id`'s session on."""
    def find():
        _, doc = gateway.get_json("/api/sessions")
        for s in doc["sessions"]:
            if s["messageId"] == message_id:
                return s["node"]
        return None
    return wait_for(f"session of {message_id} listed", find)


def open_run(gateway, message_id):
    stream = SseStream(gateway.port, f"/stream?command=go&messageId={message_id}")
    assert stream.status == 200, stream.status
    stream.start = stream.next_event()
    assert stream.start.type == "start", stream.start
    return stream


def until_token(stream):
    """The events up to and including the stream's first token."""
    seen = []
    while not seen or seen[-1].type != "token":
        event = stream.next_event()
        assert event is not None and event.type != "complete", seen
        seen.append(event)
    return seen


def until_complete(stream):
    """The stream's events up to its run's `complete` (a session's stream
    goes on after it)."""
    events = []
    while not events or events[-1].type != "complete":
        event = stream.next_event()
        assert event is not None, events
        events.append(event)
    return events


def token_counts(events):
    return [e.data["metadata"]["count"] for e in events if e.type == "token"]


def make_certificates(directory):
    """A CA and a node certificate it signs (the gateway and the worker share
    it), and a stranger's certificate from another CA. Returns the flags that
    give a node `name`'s certificate and `ca`."""
    def openssl(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True,
                       cwd=directory, timeout=60)
    for ca in ("ca", "other-ca"):
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-keyout", f"{ca}.key", "-out", f"{ca}.pem",
                "-subj", f"/CN=agenttheo test {ca}")
    for name, ca in (("node", "ca"), ("stranger", "other-ca")):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key",
                "-out", f"{name}.csr", "-subj", f"/CN={name}")
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem",
                "-CAkey", f"{ca}.key", "-CAcreateserial", "-days", "2",
                "-out", f"{name}.pem")

    def flags(name, ca):
        path = lambda f: os.path.join(directory, f)  # noqa: E731
        return ["--worker-tls-cert", path(f"{name}.pem"),
                "--worker-tls-key", path(f"{name}.key"),
                "--worker-tls-ca", path(f"{ca}.pem")]
    return flags


class Cluster:
    """An upstream of `count` tokens at `rate`/s per run, two workers, and a
    gateway; everything stopped (and checked for a clean exit) at the end."""

    def __init__(self, count, rate, gateway_flags=(), worker_flags=()):
        self.count = count
        self.rate = rate
        self.gateway_flags = list(gateway_flags)
        self.worker_flags = list(worker_flags)

    def __enter__(self):
        self.stack = ExitStack()
        self.upstream = TokenUpstream(self.count, self.rate)
        self.stack.callback(self.upstream.close)
        self.workers = [self.stack.enter_context(self.worker()) for _ in range(2)]
        self.gateway = self.stack.enter_context(self.gateway_for(self.workers))
        all_up(self.gateway, *self.workers)
        return self

    def worker(self, listen=0, workdir=None):
        return Worker(*llm_flags(self.upstream), *FAST, *self.worker_flags,
                      listen=listen, workdir=workdir)

    def gateway_for(self, workers):
        return Server("--workers", ",".join(w.address for w in workers), *FAST,
                      *self.gateway_flags)

    def __exit__(self, *exc):
        return self.stack.__exit__(*exc)


class ClusterTest(unittest.TestCase):
    def test_runs_spread_over_both_workers_and_stream_through_the_gateway(self):
        with Cluster(40, 100) as c:
            streams = {f"spread-{i}": open_run(c.gateway, f"spread-{i}")
                       for i in range(4)}
            placed = {m: node_of_run(c.gateway, m) for m in streams}
            for message_id, stream in streams.items():
                events = stream.read_all()
                stream.close()
                self.assertEqual(token_counts(events), list(range(1, 41)))
                self.assertEqual(events[-1].type, "complete")
                ids = [e.id for e in events]
                self.assertEqual(ids, sorted(ids))
            self.assertEqual(set(placed.values()),
                             {w.address for w in c.workers})
            # The JSON API and resume go to the run's worker too.
            status, doc = c.gateway.get_json("/api/runs/spread-0/events")
            self.assertEqual(status, 200)
            self.assertEqual(doc["events"][-1]["type"], "complete")
            session = doc["events"][0]["session"]
            status, described = c.gateway.get_json(f"/api/sessions/{session}")
            self.assertEqual(status, 200, described)
            resumed = SseStream(c.gateway.port, "/stream?messageId=spread-0",
                                headers={"Last-Event-ID": "10"})
            replay = resumed.read_all()
            resumed.close()
            self.assertEqual(replay[0].id, 11)
            self.assertEqual(replay[-1].type, "complete")
            status, created = c.gateway.call("POST", "/api/sessions")
            self.assertEqual(status, 201, created)
            status, _ = c.gateway.get_json(f"/api/sessions/{created['id']}")
            self.assertEqual(status, 200)
            status, _ = c.gateway.get_json("/api/sessions/s-nowhere")
            self.assertEqual(status, 404)

    def test_many_subscribers_of_one_run_share_the_gateway_relay(self):
        with Cluster(60, 30) as c:
            first = open_run(c.gateway, "shared")
            head = until_token(first)
            session = first.start.data["session"]
            joiners = [SseStream(c.gateway.port, "/stream?messageId=shared")
                       for _ in range(3)]
            updates = SseStream(c.gateway.port,
                                "/stream?messageId=shared&stream_mode=updates")
            watcher = SseStream(c.gateway.port, f"/api/sessions/{session}/stream")
            more = [head[-1]] + [first.next_event() for _ in range(4)]
            resumed = SseStream(c.gateway.port, "/stream?messageId=shared",
                                headers={"Last-Event-ID": str(more[-1].id)})
            # One relay on the gateway carries the session's live rounds.
            _, actors = c.gateway.get_json("/api/admin/actors")
            self.assertIn('"kind": "gateway_relay"', json.dumps(actors))
            everyone = [("first", first, head[:-1] + more)] + \
                [(f"joiner{i}", s, []) for i, s in enumerate(joiners)] + \
                [("updates", updates, []), ("watcher", watcher, []),
                 ("resumed", resumed, [])]
            for name, stream, seen in everyone:
                events = seen + until_complete(stream)
                stream.close()
                ids = [e.id for e in events if e.id is not None]
                self.assertEqual(len(ids), len(set(ids)), name)
                self.assertEqual(ids, sorted(ids), name)
                self.assertEqual(events[-1].type, "complete", name)
                if name == "updates":
                    self.assertEqual(token_counts(events), [], name)
                elif name == "resumed":
                    self.assertEqual(ids[0], more[-1].id + 1)
                    self.assertEqual(token_counts(events),
                                     list(range(more[-1].data["metadata"]["count"] + 1, 61)))
                else:
                    self.assertEqual(token_counts(events), list(range(1, 61)), name)

    def test_a_killed_worker_ends_its_streams_and_the_other_goes_on(self):
        with Cluster(120, 20) as c:
            streams = {f"kill-{i}": open_run(c.gateway, f"kill-{i}")
                       for i in range(4)}
            placed = {m: node_of_run(c.gateway, m) for m in streams}
            victim, survivor = c.workers
            self.assertIn(victim.address, placed.values())
            self.assertIn(survivor.address, placed.values())
            first = {m: until_token(s) for m, s in streams.items()}
            # What was streamed is on disk a flush later (STORE_FLUSH_INTERVAL
            # 50 ms): a SIGKILL loses at most that much.
            time.sleep(0.3)
            victim.kill()
            for message_id, stream in streams.items():
                events = first[message_id] + stream.read_all()
                stream.close()
                if placed[message_id] == victim.address:
                    last = events[-1]
                    self.assertEqual((last.type, last.data["code"]),
                                     ("error", "node_lost"))
                    self.assertIn(victim.address, last.data["message"])
                else:
                    self.assertEqual(token_counts(events), list(range(1, 121)))
                    self.assertEqual(events[-1].type, "complete")
            lost = nodes(c.gateway)[victim.address]
            self.assertEqual((lost["state"], lost["times_lost"]), ("lost", 1))
            # Its runs are not started again elsewhere: joining one says why.
            gone = next(m for m, n in placed.items() if n == victim.address)
            status, _, body = c.gateway.get(f"/stream?command=go&messageId={gone}")
            self.assertEqual(status, 503)
            self.assertEqual(json.loads(body)["error"]["code"], "node_lost")
            self.assertIn(victim.address, json.loads(body)["error"]["message"])
            # The gateway keeps serving: new runs go to the survivor.
            for i in range(2):
                stream = open_run(c.gateway, f"after-{i}")
                self.assertEqual(node_of_run(c.gateway, f"after-{i}"),
                                 survivor.address)
                stream.close()
            # Back on its port and its store, the worker is used again (it
            # is the emptier), and its sessions and runs are back: the
            # gateway reads the killed run through it, ended by the restart.
            with c.worker(listen=victim.port, workdir=victim.workdir) as back:
                all_up(c.gateway, back)
                stream = open_run(c.gateway, "back")
                self.assertEqual(node_of_run(c.gateway, "back"), back.address)
                stream.close()
                wait_for("the lost run back", lambda: c.gateway.get(
                    f"/api/runs/{gone}/events")[0] == 200)
                _, doc = c.gateway.get_json(f"/api/runs/{gone}/events")
                self.assertEqual(doc["events"][0]["type"], "start")
                self.assertEqual(doc["events"][-1]["data"]["code"],
                                 "server_restarted")
                ids = [e["id"] for e in doc["events"]]
                self.assertEqual(ids, list(range(1, len(ids) + 1)))
                self.assertLessEqual({e.id for e in first[gone]}, set(ids))

    def test_a_frozen_worker_is_lost_within_the_timeout_and_returns(self):
        with Cluster(200, 20) as c:
            stream = open_run(c.gateway, "frozen")
            node = node_of_run(c.gateway, "frozen")
            worker = next(w for w in c.workers if w.address == node)
            until_token(stream)
            os.kill(worker.proc.pid, signal.SIGSTOP)
            stopped = time.monotonic()
            try:
                events = stream.read_all()
                noticed = time.monotonic() - stopped
                self.assertEqual(events[-1].data["code"], "node_lost")
                # WORKER_TIMEOUT (1.5 s) after the last answered poll.
                self.assertLess(noticed, 5.0)
                self.assertEqual(nodes(c.gateway)[node]["state"], "lost")
            finally:
                os.kill(worker.proc.pid, signal.SIGCONT)
            stream.close()
            all_up(c.gateway, worker)

    def test_a_gateway_restart_leaves_worker_runs_running(self):
        with Cluster(60, 30) as c:
            stream = open_run(c.gateway, "survives")
            until_token(stream)
            c.gateway.kill()
            stream.close()
            with c.gateway_for(c.workers) as again:
                all_up(again, *c.workers)

                def finished():
                    status, doc = again.get_json("/api/runs/survives/events")
                    return status == 200 and doc["events"][-1]["type"] == "complete" and doc
                doc = wait_for("the run to finish on its worker", finished, 20)
                tokens = [e["data"]["metadata"]["count"] for e in doc["events"]
                          if e["type"] == "token"]
                self.assertEqual(tokens, list(range(1, 61)))
                # Joining through the new gateway replays it; never reruns it.
                joined = SseStream(again.port, "/stream?command=go&messageId=survives")
                events = joined.read_all()
                joined.close()
                self.assertEqual(token_counts(events), list(range(1, 61)))
                self.assertEqual(events[-1].type, "complete")

    def test_a_worker_refuses_a_gateway_without_its_secret(self):
        with ExitStack() as stack:
            upstream = TokenUpstream(5, 100)
            stack.callback(upstream.close)
            worker = stack.enter_context(Worker(
                *llm_flags(upstream), *FAST, "--cluster-secret", "right"))
            wrong = stack.enter_context(Server(
                "--workers", worker.address, *FAST, "--cluster-secret", "wrong"))
            node = node_when(wrong, worker,
                             lambda n: "wrong cluster secret" in n["last_error"],
                             "a refusal")
            self.assertEqual(node["state"], "connecting")
            status, body = wrong.get_json("/stream?command=go")
            self.assertEqual(status, 503)
            self.assertEqual(body["error"]["code"], "no_workers")
            right = stack.enter_context(Server(
                "--workers", worker.address, *FAST, "--cluster-secret", "right"))
            all_up(right, worker)

    def test_gateway_and_worker_over_tls_verify_each_other(self):
        with tempfile.TemporaryDirectory() as directory, ExitStack() as stack:
            tls = make_certificates(directory)
            upstream = TokenUpstream(20, 200)
            stack.callback(upstream.close)
            # TLS stands in for the secret on a non-loopback address.
            worker = stack.enter_context(Worker(
                *llm_flags(upstream), *FAST, "--worker-bind", "0.0.0.0",
                *tls("node", "ca")))
            self.assertTrue(any("over TLS" in line for line in worker.log_lines))
            gateway = stack.enter_context(Server(
                "--workers", worker.address, *FAST, *tls("node", "ca")))
            all_up(gateway, worker)
            stream = open_run(gateway, "tls")
            events = stream.read_all()
            stream.close()
            self.assertEqual(token_counts(events), list(range(1, 21)))
            self.assertEqual(events[-1].type, "complete")
            # Plain BASP, or a certificate from another CA, gets nowhere.
            for flags in ([], tls("stranger", "other-ca")):
                outsider = stack.enter_context(Server(
                    "--workers", worker.address, *FAST, *flags))
                # Three attempts (200 ms apart), and none got through.
                node = node_when(outsider, worker,
                                 lambda n: n["failed_attempts"] >= 3,
                                 "three failed attempts")
                self.assertEqual(node["state"], "connecting", node)
                self.assertTrue(node["last_error"], node)

    def test_worker_configuration_errors(self):
        for args, expected in [
                (["worker"], "--listen PORT is required"),
                (["worker", "--listen", "0", "--worker-bind", "0.0.0.0"],
                 "CLUSTER_SECRET: required"),
                (["worker", "--listen", "0", "--worker-tls-cert", "/etc/hostname"],
                 "go together"),
                (["serve", "--workers", "nowhere"], "WORKERS"),
                (["serve", "--workers", "h:1", "--worker-timeout", "100ms",
                  "--worker-heartbeat", "1s"], "WORKER_TIMEOUT")]:
            out = subprocess.run([BINARY, *args], capture_output=True, text=True,
                                 timeout=20, cwd="/tmp")
            self.assertEqual(out.returncode, 2, (args, out.stderr))
            self.assertIn(expected, out.stderr)


if __name__ == "__main__":
    unittest.main()

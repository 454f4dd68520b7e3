"""`agenttheo run` and `agenttheo watch`, the terminal viewer, against the
real binary: plain text when piped and colours on a terminal, `--json` one
event per line, exit statuses (done, failed, refused), resume after a
server-side drop with no duplicate, Ctrl-C cancelling the run on the
server, a session watched until it ends, and the README's block run as
written."""

import asyncio
import json
import os
import pty
import select
import signal
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
sys.path.insert(0, os.path.join(ROOT, "tests", "browser"))

from harness import BINARY, Server  # noqa: E402
from tcp_proxy import TcpProxy  # noqa: E402


@pytest.fixture(scope="module")
def server():
    with Server("--planner-token-delay", "20ms", "--browser", "none") as srv:
        yield srv


def viewer(server_base, *args, **kw):
    return subprocess.run([BINARY, *args[:1], "--server", server_base, *args[1:]],
                          capture_output=True, text=True, timeout=60, **kw)


def read_terminal(leader, on_output=lambda output: None):
    """Everything a program wrote to its terminal until it closed it;
    `on_output` sees what came so far after each read (to type back)."""
    output = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
        on_output(output)
    return output


def lines_of(stdout):
    return [json.loads(line) for line in stdout.splitlines()]


def test_piped_output_is_plain_text_and_ends_with_the_result(server):
    out = viewer(server.base, "run", "hello")
    assert out.returncode == 0, out.stderr
    assert "\x1b[" not in out.stdout
    assert "step 1/1" in out.stdout
    assert "built-in offline planner" in out.stdout
    assert out.stdout.rstrip().splitlines()[-1].startswith("done · 1 step ·")


def test_json_gives_one_event_per_line(server):
    out = viewer(server.base, "run", "--json", "hello")
    assert out.returncode == 0, out.stderr
    events = lines_of(out.stdout)
    assert (events[0]["type"], events[-1]["type"]) == ("start", "complete")
    ids = [e["id"] for e in events]
    assert ids == list(range(ids[0], ids[0] + len(ids)))
    tokens = "".join(e["data"]["token"] for e in events if e["type"] == "token")
    assert tokens == events[-1]["data"]["result"]


def test_exit_statuses_say_how_it_ended(server):
    failed = viewer(server.base, "run", "go to http://example.com")
    assert failed.returncode == 1
    assert "error capability_missing" in failed.stdout
    refused = viewer(server.base, "run", "--session", "no-such-session", "hello")
    assert refused.returncode == 2
    assert "404 unknown_session" in refused.stderr
    usage = viewer(server.base, "run")
    assert usage.returncode == 2 and "usage:" in usage.stderr


def test_a_server_that_is_not_there_is_said_at_once():
    # A port nothing listens on: bound, then closed again.
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    started = time.monotonic()
    out = viewer(f"http://127.0.0.1:{port}", "run", "hello")
    assert out.returncode == 4, out.stderr
    assert time.monotonic() - started < 2
    assert "cannot reach the server at http://127.0.0.1:" in out.stderr
    assert "resuming" not in out.stdout + out.stderr


def test_bad_usage_says_what_was_wrong(server):
    typo = viewer(server.base, "run", "--jsn", "hello")
    assert typo.returncode == 2
    assert "unknown flag --jsn" in typo.stderr and "usage:" in typo.stderr
    unquoted = viewer(server.base, "run", "go", "to", "example.com")
    assert unquoted.returncode == 2
    assert "quote a command of several words" in unquoted.stderr
    missing = viewer(server.base, "watch")
    assert "a session id is missing" in missing.stderr


def test_a_run_ends_the_session_it_made_unless_kept(server):
    ended = viewer(server.base, "run", "--json", "hello")
    assert ended.returncode == 0, ended.stderr
    sid = lines_of(ended.stdout)[0]["data"]["session"]
    assert server.call("GET", f"/api/sessions/{sid}")[0] == 404
    kept = viewer(server.base, "run", "--keep", "hello")
    assert kept.returncode == 0, kept.stderr
    note = kept.stdout.strip().splitlines()[-1]
    assert note.startswith("session s-") and "kept: continue it with --session" in note
    sid = note.split()[1]
    status, session = server.call("GET", f"/api/sessions/{sid}")
    assert status == 200 and len(session["runs"]) == 1
    # A session named on the command line is the caller's: it stays.
    again = viewer(server.base, "run", "--session", sid, "hello again")
    assert again.returncode == 0, again.stderr
    assert len(server.call("GET", f"/api/sessions/{sid}")[1]["runs"]) == 2
    both = viewer(server.base, "run", "--keep", "--session", sid, "hello")
    assert both.returncode == 2 and "--keep is for a new session" in both.stderr
    server.call("DELETE", f"/api/sessions/{sid}")


def test_a_terminal_gets_colours(server):
    leader, follower = pty.openpty()
    proc = subprocess.Popen([BINARY, "run", "--server", server.base, "hello"],
                            stdout=follower, stderr=subprocess.DEVNULL)
    os.close(follower)
    output = read_terminal(leader)
    assert proc.wait(10) == 0
    os.close(leader)
    assert b"\x1b[32mdone" in output
    assert b"\x1b[34m[" in output


def test_a_dropped_connection_resumes_without_duplicates(server):
    async def scenario():
        async with TcpProxy(server.port) as proxy:
            proc = await asyncio.create_subprocess_exec(
                BINARY, "run", "--json", "--keep", "--server",
                f"http://127.0.0.1:{proxy.port}", "hello", stdout=subprocess.PIPE)
            events = []
            while line := await proc.stdout.readline():
                events.append(json.loads(line))
                if len(events) in (5, 30):
                    proxy.cut()
            return events, await proc.wait(), proxy.dropped
    events, code, dropped = asyncio.run(asyncio.wait_for(scenario(), 60))
    assert code == 0 and dropped >= 2
    mid = events[0]["data"]["messageId"]
    _, truth = server.call("GET", f"/api/runs/{mid}/events")
    assert [e["id"] for e in events] == [e["id"] for e in truth["events"]]


def test_ctrl_c_cancels_the_run_on_the_server(server):
    proc = subprocess.Popen([BINARY, "run", "--json", "--keep", "--server",
                             server.base, "hello"], stdout=subprocess.PIPE, text=True)
    start = json.loads(proc.stdout.readline())
    while json.loads(proc.stdout.readline())["type"] != "token":
        pass
    proc.send_signal(signal.SIGINT)
    assert proc.wait(10) == 130
    mid = start["data"]["messageId"]
    deadline = time.monotonic() + 5
    while True:
        _, run = server.call("GET", f"/api/runs/{mid}/events")
        if run["state"] == "finished" or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert run["outcome"] == "cancelled"


def test_watch_follows_a_session_until_it_ends(server):
    _, created = server.call("POST", "/api/sessions")
    sid = created["id"]
    proc = subprocess.Popen([BINARY, "watch", "--json", "--server", server.base, sid],
                            stdout=subprocess.PIPE, text=True)
    time.sleep(0.3)
    server.call("POST", f"/api/sessions/{sid}/runs", {"command": "hello", "messageId": "w-1"})
    seen = []
    while True:
        event = json.loads(proc.stdout.readline())
        seen.append(event)
        if event["type"] == "complete":
            break
    server.call("DELETE", f"/api/sessions/{sid}")
    rest = [json.loads(line) for line in proc.stdout]
    assert proc.wait(10) == 0
    assert rest[-1]["type"] == "status" and rest[-1]["data"]["state"] == "closed"
    assert seen[-1]["data"]["summary"]["messageId"] == "w-1"


def test_the_readme_block_runs_as_written(server):
    readme = open(os.path.join(ROOT, "README.md")).read()
    section = readme[readme.index("### In a terminal"):]
    block = section[section.index("```bash\n") + 8:section.index("```\n", section.index("```bash"))]
    script = (block.replace("http://localhost:8000", server.base)
                   .replace("localhost:8000", f"127.0.0.1:{server.port}")
                   .replace("build/agenttheo", BINARY)
                   .replace("python3 -c", "/usr/bin/python3 -c"))
    out = subprocess.run(["bash", "-euo", "pipefail", "-c", script], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("done · 1 step ·") == 2
    token_counts = [int(line) for line in out.stdout.splitlines() if line.isdigit()]
    assert token_counts and token_counts[0] > 10


def test_a_run_that_could_not_finish_exits_1():
    with Server("--planner-token-delay", "0") as browsing:
        demo = f"{browsing.base}/demo/"
        out = viewer(browsing.base, "run", f"go to {demo} then click No such button")
        assert out.returncode == 1, out.stdout + out.stderr
        assert "I could not finish: click failed" in out.stdout
        assert out.stdout.rstrip().splitlines()[-1].startswith("failed · 3 steps")
        ok = viewer(browsing.base, "run", f"go to {demo} then read the title")
        assert ok.returncode == 0


def test_watch_prints_each_runs_command(server):
    _, created = server.call("POST", "/api/sessions")
    sid = created["id"]
    proc = subprocess.Popen([BINARY, "watch", "--server", server.base, sid],
                            stdout=subprocess.PIPE, text=True)
    time.sleep(0.3)
    for n, command in enumerate(("hello", "hello again")):
        server.call("POST", f"/api/sessions/{sid}/runs",
                    {"command": command, "messageId": f"wc-{n}", "multitask": "enqueue"})
    deadline = time.monotonic() + 30
    while len([r for r in server.call("GET", f"/api/sessions/{sid}")[1]["runs"]
               if r["state"] == "finished"]) < 2:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    server.call("DELETE", f"/api/sessions/{sid}")
    out = proc.communicate(timeout=10)[0]
    commands = [line for line in out.splitlines() if line.startswith("> ")]
    assert commands == ["> hello", "> hello again"], out


def test_a_question_in_a_pipe_exits_with_its_own_status(server):
    out = viewer(server.base, "run", "ask me which size", stdin=subprocess.DEVNULL)
    assert out.returncode == 5, (out.stdout, out.stderr)
    assert "? the agent asks: which size" in out.stdout
    assert "no terminal can ask" in out.stdout


def test_approve_all_decides_without_asking(server):
    out = viewer(server.base, "run", "--approve-all", "ask me which size",
                 stdin=subprocess.DEVNULL)
    assert out.returncode == 0, (out.stdout, out.stderr)
    assert "decided: reject by api" in out.stdout
    assert "You answered: (no answer: the user declined to answer)" in out.stdout


def test_a_terminal_asks_and_the_answer_reaches_the_agent(server):
    leader, follower = pty.openpty()
    proc = subprocess.Popen([BINARY, "run", "--server", server.base, "--no-color",
                             "ask me which colour"],
                            stdin=follower, stdout=follower, stderr=follower)
    os.close(follower)
    answered = []

    def answer(output):
        if not answered and b"answer (empty to decline)> " in output:
            os.write(leader, b"green\n")
            answered.append(True)
    output = read_terminal(leader, answer)
    assert proc.wait(10) == 0, output
    os.close(leader)
    assert b"decided: answer by api: green" in output
    assert b"You answered: green" in output

"""The Python client (clients/python) against the real binary with the
offline planner: a full run, resume after a server-side drop with no
duplicate, cancel, a 4xx and a failed run as clear exceptions, and the
README's example run as written."""

import asyncio
import os
import re
import shutil
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
sys.path.insert(0, os.path.join(ROOT, "clients", "python"))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
sys.path.insert(0, os.path.join(ROOT, "tests", "browser"))

from agenttheo_client import (AgentTheoClient, ClientError, CompleteEvent,  # noqa: E402
                              InterruptEvent, InterruptResolvedEvent, RunFailed,
                              ScreenshotEvent, StartEvent, StatusEvent, TokenEvent,
                              ToolEndEvent)
from harness import Server  # noqa: E402
from tcp_proxy import TcpProxy  # noqa: E402


@pytest.fixture(scope="module")
def server():
    with Server("--planner-token-delay", "15ms", "--browser", "none") as srv:
        yield srv


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 60))


def test_a_full_run_streams_typed_events(server):
    async def scenario():
        async with AgentTheoClient(server.base) as client:
            events = [e async for e in client.stream("hello", message_id="py-full")]
            again = await client.run("hello there")
            return events, again
    events, again = run(scenario())
    assert isinstance(events[0], StartEvent) and events[0].command == "hello"
    assert isinstance(events[-1], CompleteEvent)
    ids = [e.id for e in events]
    assert ids == list(range(ids[0], ids[0] + len(ids)))
    tokens = [e for e in events if isinstance(e, TokenEvent)]
    assert "".join(t.token for t in tokens) == events[-1].result
    assert [t.count for t in tokens] == list(range(1, len(tokens) + 1))
    assert all(e.message_id == "py-full" and e.session == events[0].data["session"]
               for e in events)
    assert isinstance(again, CompleteEvent) and again.result and not again.cancelled


def test_a_dropped_connection_resumes_without_duplicates(server):
    async def scenario():
        async with TcpProxy(server.port) as proxy, \
                AgentTheoClient(f"http://127.0.0.1:{proxy.port}", backoff=0.05) as client:
            seen = []
            async for event in client.stream("hello", message_id="py-drop"):
                seen.append(event)
                if len(seen) in (6, 20):
                    proxy.cut()  # the server's side of every connection, gone
            return seen, client.resumes, proxy.dropped
    seen, resumes, dropped = run(scenario())
    assert dropped >= 2 and resumes >= 2
    _, truth = server.call("GET", "/api/runs/py-drop/events")
    assert [e.id for e in seen] == [e["id"] for e in truth["events"]]
    assert isinstance(seen[-1], CompleteEvent)


def test_cancel_ends_the_run(server):
    async def scenario():
        async with AgentTheoClient(server.base) as client:
            events = []
            async for event in client.stream("hello", message_id="py-cancel"):
                events.append(event)
                if isinstance(event, TokenEvent) and event.count == 2:
                    assert await client.cancel(event.session) == "py-cancel"
            return events
    events = run(scenario())
    assert any(isinstance(e, StatusEvent) and e.state == "cancelled" for e in events)
    assert events[-1].cancelled and events[-1].stop_reason == "cancelled"


def test_an_interrupt_is_typed_and_resolved(server):
    async def scenario():
        async with AgentTheoClient(server.base) as client:
            events = []
            async for event in client.stream("ask me which size", message_id="py-ask",
                                             interrupt_timeout="5m"):
                events.append(event)
                if isinstance(event, InterruptEvent):
                    assert (event.kind, event.question) == ("question", "which size")
                    assert event.options == ["answer", "reject"]
                    decided = await client.resolve(event.session, event.interrupt_id,
                                                   "answer", answer="medium")
                    assert decided["by"] == "api"
                    with pytest.raises(ClientError) as again:
                        await client.resolve(event.session, event.interrupt_id, "reject")
                    assert (again.value.status, again.value.code) == (409, "interrupt_resolved")
            return events
    events = run(scenario())
    resolved = [e for e in events if isinstance(e, InterruptResolvedEvent)]
    assert [(e.decision, e.answer) for e in resolved] == [("answer", "medium")]
    assert events[-1].result == "You answered: medium"


def test_an_output_schema_shapes_the_answer(server):
    async def scenario():
        async with AgentTheoClient(server.base) as client:
            async for event in client.stream(
                    "ask me which size", output_schema={
                        "type": "object", "properties": {"answer": {"type": "string"}}}):
                if isinstance(event, InterruptEvent):
                    await client.resolve(event.session, event.interrupt_id, "answer",
                                         answer="large")
                if isinstance(event, CompleteEvent):
                    return event
    done = run(scenario())
    assert (done.outcome, done.output) == ("success", {"answer": "You answered: large"})


def test_refusals_and_failures_are_clear_exceptions(server):
    async def scenario():
        async with AgentTheoClient(server.base) as client:
            with pytest.raises(ClientError) as too_long:
                async for _ in client.stream("x" * 5000):
                    pass
            with pytest.raises(ClientError) as unknown:
                await client.cancel("no-such-session")
            with pytest.raises(RunFailed) as failed:
                await client.run("go to http://example.com")
            sid = await client.create_session()
            listed = [s["id"] for s in await client.sessions()]
            return too_long.value, unknown.value, failed.value, sid, listed
    too_long, unknown, failed, sid, listed = run(scenario())
    assert (too_long.status, too_long.code) == (400, "command_too_long")
    assert (unknown.status, unknown.code) == (404, "unknown_session")
    assert failed.code == "capability_missing"
    assert sid in listed


def test_files_go_up_and_come_back(server):
    data = bytes(range(256)) * 40

    async def scenario():
        async with AgentTheoClient(server.base) as client:
            sid = await client.create_session()
            first = await client.upload(sid, "../my data.bin", data)
            second = await client.upload(sid, "my data.bin", b"again")
            listed = await client.artifacts(sid)
            back = await client.download(sid, first["name"])
            with pytest.raises(ClientError) as missing:
                await client.download(sid, "nothing.bin")
            return first, second, listed, back, missing.value
    first, second, listed, back, missing = run(scenario())
    assert (first["name"], first["bytes"]) == ("my data.bin", len(data))
    assert second["name"] == "my data (2).bin"
    assert [a["name"] for a in listed] == ["my data (2).bin", "my data.bin"]
    assert back == data
    assert (missing.status, missing.code) == (404, "unknown_artifact")


def test_the_readme_example_runs_as_written(server):
    example = open(os.path.join(ROOT, "clients", "python", "example.py")).read()
    readme = open(os.path.join(ROOT, "README.md")).read()
    block = re.search(r"```python\n(.*?)```", readme[readme.index("### Python"):], re.S)
    assert block and block.group(1) == example, "README's Python example differs"
    out = subprocess.run([sys.executable, os.path.join(ROOT, "clients", "python", "example.py")],
                         env=dict(os.environ, AGENTTHEO_SERVER=server.base,
                                  PYTHONPATH=os.path.join(ROOT, "clients", "python")),
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "step(s)" in out.stdout
    assert "refused: 404 unknown_session" in out.stdout


def test_a_run_that_could_not_finish_raises_run_failed():
    # A real browser: the run's last step (a click on nothing) fails, and
    # the run completes with outcome failed.
    with Server("--planner-token-delay", "0") as browsing:
        demo = f"{browsing.base}/demo/"

        async def scenario():
            async with AgentTheoClient(browsing.base) as client:
                with pytest.raises(RunFailed) as failed:
                    await client.run(f"go to {demo} then click No such button")
                done = await client.run(f"go to {demo} then read the title")
                events = [e async for e in client.stream(f"go to {demo}")]
                return failed.value, done, events
        failed, done, events = run(scenario())
    assert failed.code == "run_failed"
    assert failed.event.outcome == "failed"
    assert failed.event.stop_reason == "complete"
    assert "I could not finish: click failed" in str(failed)
    assert done.outcome == "success"
    # Browser tools say which of the session's tabs they ran in.
    end = next(e for e in events if isinstance(e, ToolEndEvent))
    shot = next(e for e in events if isinstance(e, ScreenshotEvent))
    assert (end.tool_name, end.tab, shot.tab) == ("navigate_to", 1, 1)


def test_pip_installs_the_client_and_the_example_runs_on_it(server, tmp_path):
    # Offline, with Debian's setuptools (no build isolation: no index to
    # fetch a backend from), into a directory of its own; built from a copy,
    # as setuptools writes its build files beside the sources.
    source = tmp_path / "source"
    shutil.copytree(os.path.join(ROOT, "clients", "python"), source,
                    ignore=shutil.ignore_patterns("__pycache__"))
    target = tmp_path / "site"
    pip = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                          "--no-build-isolation", "--no-index", "--target", str(target),
                          str(source)],
                         capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert pip.returncode == 0, pip.stderr
    assert (target / "agenttheo_client" / "client.py").exists()
    assert list(target.glob("agenttheo_client-*.dist-info"))
    # The example, from elsewhere, imports the installed copy.
    out = subprocess.run([sys.executable, "-c",
                          "import agenttheo_client, runpy; print(agenttheo_client.__file__);"
                          f"runpy.run_path({os.path.join(ROOT, 'clients', 'python', 'example.py')!r})"],
                         env=dict(os.environ, AGENTTHEO_SERVER=server.base,
                                  PYTHONPATH=str(target)),
                         capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(str(target)), out.stdout
    assert "refused: 404 unknown_session" in out.stdout

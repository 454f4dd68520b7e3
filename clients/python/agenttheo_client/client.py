"""An asyncio client for AgentTheo, on aiohttp.

    async with AgentTheoClient("http://localhost:8000") as client:
        async for event in client.stream("go to https://example.com then read the title"):
            if isinstance(event, TokenEvent):
                print(event.token, end="", flush=True)

A dropped connection is resumed with `Last-Event-ID` after a backoff, so
every event arrives once, in order; the stream ends at the run's
`complete` (or final `error`)."""

import asyncio
import json
import random
from typing import Any, AsyncIterator, Dict, List, Optional
from urllib.parse import quote, urlencode

import aiohttp

from .errors import ClientError, ConnectionLost, RunFailed, ServerError
from .events import CompleteEvent, ErrorEvent, Event, ends_run, make_event

# A connection lost mid-stream (ServerDisconnectedError is a
# ClientConnectionError).
_DROPS = (aiohttp.ClientPayloadError, aiohttp.ClientConnectionError,
          asyncio.TimeoutError, ConnectionError)


class AgentTheoClient:
    def __init__(self, base_url: str = "http://localhost:8000", *,
                 token: Optional[str] = None, max_retries: int = 8,
                 backoff: float = 0.25, max_backoff: float = 5.0,
                 http: Optional[aiohttp.ClientSession] = None):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self._http = http
        self._own_http = http is None
        #: How many times streams were resumed after a drop.
        self.resumes = 0

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        await self.close()

    async def close(self):
        if self._own_http and self._http is not None:
            await self._http.close()
            self._http = None

    # -- runs ---------------------------------------------------------------------

    async def stream(self, command: Optional[str] = None, *,
                     message_id: Optional[str] = None, session: Optional[str] = None,
                     stream_mode: Optional[str] = None, multitask: Optional[str] = None,
                     max_steps: Optional[int] = None,
                     last_event_id: Optional[int] = None, approve: Optional[str] = None,
                     interrupt_timeout: Optional[str] = None,
                     output_schema: Optional[Dict[str, Any]] = None) -> AsyncIterator[Event]:
        """The run's events as they happen. With `command`, starts it (a
        `message_id` makes the start idempotent); without, joins the run
        `message_id` names. Resumes by itself after a dropped connection.
        `approve` ("navigate,submit", ...) makes those actions wait for a
        decision (`InterruptEvent`, answered with `resolve`). `output_schema` (a
        JSON Schema) makes the answer an object of that shape, in
        `CompleteEvent.output`."""
        if command is not None and message_id is None:
            # Named here, so a drop before `start` can still rejoin this run.
            message_id = f"py-{random.getrandbits(64):016x}"
        params = {k: v for k, v in dict(command=command, messageId=message_id,
                                        session=session, stream_mode=stream_mode,
                                        multitask=multitask, max_steps=max_steps,
                                        approve=approve,
                                        interrupt_timeout=interrupt_timeout,
                                        output_schema=None if output_schema is None
                                        else json.dumps(output_schema)).items()
                  if v is not None}
        last_id = last_event_id
        failures = 0
        context = {"session": session or "", "message_id": message_id or ""}
        while True:
            headers = self._headers()
            if last_id is not None:
                headers["Last-Event-ID"] = str(last_id)
            try:
                async with self._session().get(f"{self.base_url}/stream?{urlencode(params)}",
                                               headers=headers,
                                               timeout=aiohttp.ClientTimeout(
                                                   total=None, sock_read=None)) as res:
                    if res.status == 204:
                        return  # nothing left to send: the run ended before
                    await self._raise_for(res)
                    async for event in _read_events(res):
                        failures = 0
                        if event.id is not None and last_id is not None and event.id <= last_id:
                            continue  # already seen
                        _fill(event, context)
                        if event.id is not None:
                            last_id = event.id
                        yield event
                        if ends_run(event):
                            return
            except _DROPS:
                pass
            # Dropped before the end: rejoin the same run where it stopped.
            failures += 1
            if failures > self.max_retries:
                raise ConnectionLost(f"gave up after {self.max_retries} reconnects")
            if "messageId" not in params:
                if not context["message_id"]:
                    raise ConnectionLost("dropped before the run was named")
                params["messageId"] = context["message_id"]
            # A session stream is joined by messageId alone from now on.
            params.pop("session", None)
            params.pop("command", None)  # rejoin, never run it twice
            self.resumes += 1
            await asyncio.sleep(self._delay(failures))

    async def run(self, command: str, **options) -> CompleteEvent:
        """Runs `command` to its end: the `complete` event, or RunFailed (an
        `error` event, or a run that completed with `outcome: failed`)."""
        async for event in self.stream(command, **options):
            if isinstance(event, CompleteEvent):
                if event.outcome == "failed":
                    raise RunFailed(event)
                return event
            if isinstance(event, ErrorEvent) and event.final is not False:
                raise RunFailed(event)
        raise ConnectionLost("the stream ended without a result")

    # -- sessions -----------------------------------------------------------------

    async def sessions(self) -> List[Dict[str, Any]]:
        return (await self._json("GET", "/api/sessions"))["sessions"]

    async def create_session(self) -> str:
        return (await self._json("POST", "/api/sessions"))["id"]

    async def session(self, session_id: str) -> Dict[str, Any]:
        return await self._json("GET", f"/api/sessions/{session_id}")

    async def cancel(self, session_id: str) -> Optional[str]:
        """Stops the session's running command; returns its messageId."""
        return (await self._json("POST", f"/api/sessions/{session_id}/cancel"))["cancelled"]

    async def delete(self, session_id: str) -> List[str]:
        return (await self._json("DELETE", f"/api/sessions/{session_id}"))["cancelled"]

    # -- steering -----------------------------------------------------------------

    async def resolve(self, session_id: str, interrupt_id: str, decision: str, *,
                      input: Optional[Dict[str, Any]] = None, answer: Optional[str] = None,
                      message: Optional[str] = None) -> Dict[str, Any]:
        """Decides an interrupt: approve, reject, edit (with `input`, the tool
        input to run instead) or answer (with `answer`). The first decision
        wins: a later one raises ClientError with code interrupt_resolved."""
        body = {k: v for k, v in dict(decision=decision, input=input, answer=answer,
                                      message=message).items() if v is not None}
        return await self._json(
            "POST", f"/api/sessions/{session_id}/interrupts/{interrupt_id}", body)

    async def pause(self, session_id: str) -> Dict[str, Any]:
        """Holds the running command before its next step."""
        return await self._json("POST", f"/api/sessions/{session_id}/pause")

    async def resume(self, session_id: str) -> Dict[str, Any]:
        return await self._json("POST", f"/api/sessions/{session_id}/resume")

    async def control(self, session_id: str, holder: str) -> Dict[str, Any]:
        """Takes the session's browser (`"user"`) or hands it back (`"agent"`)."""
        return await self._json("POST", f"/api/sessions/{session_id}/control",
                                {"holder": holder})

    # -- files ------------------------------------------------------------------

    async def artifacts(self, session_id: str) -> List[Dict[str, Any]]:
        """The session's files: [{name, mime, bytes, url}]."""
        return (await self._json("GET", f"/api/sessions/{session_id}/artifacts"))["artifacts"]

    async def upload(self, session_id: str, name: str, data: bytes) -> Dict[str, Any]:
        """Posts a file for `upload_file`; returns it as stored (its name may
        differ: sanitised, made unique)."""
        url = (f"{self.base_url}/api/sessions/{session_id}/artifacts?"
               + urlencode({"name": name}))
        async with self._session().post(url, data=data, headers={
                **self._headers(), "Content-Type": "application/octet-stream"}) as res:
            await self._raise_for(res)
            return await res.json()

    async def download(self, session_id: str, name: str) -> bytes:
        """One of the session's files, as bytes."""
        url = (f"{self.base_url}/api/sessions/{session_id}/artifacts/"
               + quote(name, safe=""))
        async with self._session().get(url, headers=self._headers()) as res:
            await self._raise_for(res)
            return await res.read()

    # -- plumbing -----------------------------------------------------------------

    def _session(self) -> aiohttp.ClientSession:
        if self._http is None:
            self._http = aiohttp.ClientSession()
        return self._http

    def _headers(self) -> Dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def _delay(self, failures: int) -> float:
        base = min(self.max_backoff, self.backoff * 2 ** (failures - 1))
        return base * (0.5 + random.random() / 2)

    async def _json(self, method: str, path: str,
                    body: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        async with self._session().request(method, self.base_url + path, json=body,
                                           headers=self._headers()) as res:
            await self._raise_for(res)
            return await res.json()

    @staticmethod
    async def _raise_for(res: aiohttp.ClientResponse) -> None:
        if res.status < 400:
            return
        try:
            err = (await res.json(content_type=None))["error"]
            code, message = err["code"], err["message"]
        except (ValueError, KeyError, TypeError, aiohttp.ContentTypeError):
            code, message = "http_error", res.reason or ""
        kind = ClientError if res.status < 500 else ServerError
        raise kind(res.status, code, message)


def _fill(event: Event, context: Dict[str, str]) -> None:
    """SSE frames carry the run's ids in `start` only: give every event them."""
    if event.type == "start":
        context["session"] = event.data.get("session", context["session"])
        context["message_id"] = event.data.get("messageId", context["message_id"])
    event.session = event.session or context["session"]
    event.message_id = event.message_id or context["message_id"]


async def _read_events(res: aiohttp.ClientResponse) -> AsyncIterator[Event]:
    """Parses an SSE body frame by frame (comments skipped)."""
    fields: Dict[str, str] = {}
    data: List[str] = []
    async for raw in res.content:
        line = raw.decode("utf-8").rstrip("\r\n")
        if not line:
            if data:
                event_id = fields.get("id")
                yield make_event(fields.get("event", "message"),
                                 int(event_id) if event_id else None,
                                 json.loads("\n".join(data)))
            fields, data = {}, []
        elif line.startswith(":"):
            continue
        else:
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "data":
                data.append(value)
            else:
                fields[name] = value


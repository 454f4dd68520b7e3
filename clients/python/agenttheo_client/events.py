"""Typed events of an AgentTheo stream. Every event has `type`, `id`,
`session`, `message_id` and the raw `data`; each kind adds its fields."""

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional


@dataclass
class Event:
    type: str
    id: Optional[int]
    data: Dict[str, Any]
    session: str = ""
    message_id: str = ""


@dataclass
class StartEvent(Event):
    command: str = ""


@dataclass
class StatusEvent(Event):
    state: str = ""
    message: str = ""


@dataclass
class ProgressEvent(Event):
    step: int = 0
    total: int = 0
    message: str = ""


@dataclass
class TokenEvent(Event):
    token: str = ""
    count: int = 0


@dataclass
class MessageEvent(Event):
    role: str = ""
    content: str = ""
    tool_calls: List[Dict[str, Any]] = field(default_factory=list)


@dataclass
class ToolStartEvent(Event):
    tool_name: str = ""
    tool_input: Any = None
    call_id: str = ""


@dataclass
class ToolEndEvent(Event):
    tool_name: str = ""
    call_id: str = ""
    output: str = ""
    ok: bool = False
    duration_ms: int = 0
    tab: int = 0  # the session's tab a browser tool ran in


@dataclass
class ScreenshotEvent(Event):
    mime: str = ""
    image: str = ""  # base64
    url: str = ""
    tab: int = 0


@dataclass
class CompleteEvent(Event):
    result: str = ""
    steps: int = 0
    usage: Dict[str, int] = field(default_factory=dict)
    duration_ms: int = 0
    cancelled: bool = False
    stop_reason: str = ""
    # success, failed (the last step failed: the answer says why), max_steps
    # or cancelled.
    outcome: str = ""
    # The answer in the shape `output_schema` asked for; `code` says why a
    # failed run failed (`output_invalid`).
    output: Any = None
    code: str = ""


@dataclass
class ErrorEvent(Event):
    code: str = ""
    message: str = ""
    final: bool = True


@dataclass
class GapEvent(Event):
    lost: int = 0


@dataclass
class InterruptEvent(Event):
    """The run waits for a person: answer it with `client.resolve(...)`."""
    interrupt_id: str = ""
    kind: str = ""  # approval, question or takeover
    step: int = 0
    tool_name: str = ""
    tool_input: Any = None
    rule: str = ""
    reason: str = ""
    question: str = ""
    choices: List[str] = field(default_factory=list)
    options: List[str] = field(default_factory=list)  # the decisions offered
    expires_at: int = 0  # Unix ms


@dataclass
class InterruptResolvedEvent(Event):
    interrupt_id: str = ""
    decision: str = ""
    by: str = ""  # api, ws, timeout, operator (cancel: the run ended)
    message: str = ""
    answer: str = ""


@dataclass
class ControlEvent(Event):
    holder: str = ""  # agent or user
    by: str = ""


@dataclass
class ArtifactEvent(Event):
    """The page downloaded a file: `client.download(session, name)` fetches it."""
    name: str = ""
    mime: str = ""
    bytes: int = 0
    url: str = ""
    source: str = ""  # download


_KINDS = {
    "start": (StartEvent, ("command",)),
    "status": (StatusEvent, ("state", "message")),
    "progress": (ProgressEvent, ("step", "total", "message")),
    "message": (MessageEvent, ("role", "content", "tool_calls")),
    "tool_start": (ToolStartEvent, ("tool_name", "tool_input", "call_id")),
    "tool_end": (ToolEndEvent, ("tool_name", "call_id", "output", "ok", "duration_ms",
                                "tab")),
    "screenshot": (ScreenshotEvent, ("mime", "image", "url", "tab")),
    "complete": (CompleteEvent, ("result", "steps", "usage", "duration_ms", "cancelled",
                                 "stop_reason", "outcome", "output", "code")),
    "error": (ErrorEvent, ("code", "message", "final")),
    "gap": (GapEvent, ("lost",)),
    "interrupt": (InterruptEvent, ("interrupt_id", "kind", "step", "tool_name",
                                   "tool_input", "rule", "reason", "question",
                                   "choices", "options", "expires_at")),
    "interrupt_resolved": (InterruptResolvedEvent, ("interrupt_id", "decision", "by",
                                                    "message", "answer")),
    "control": (ControlEvent, ("holder", "by")),
    "artifact": (ArtifactEvent, ("name", "mime", "bytes", "url", "source")),
}


def make_event(type: str, id: Optional[int], data: Dict[str, Any]) -> Event:
    """The typed event for one SSE frame (unknown types stay plain `Event`s)."""
    common = dict(type=type, id=id, data=data,
                  session=data.get("session", ""), message_id=data.get("messageId", ""))
    if type == "token":
        return TokenEvent(**common, token=data.get("token", ""),
                          count=data.get("metadata", {}).get("count", 0))
    kind, names = _KINDS.get(type, (Event, ()))
    return kind(**common, **{n: data[n] for n in names if n in data})


def ends_run(event: Event) -> bool:
    """The last event of a run's stream."""
    return isinstance(event, CompleteEvent) or (
        isinstance(event, ErrorEvent) and event.final is not False)

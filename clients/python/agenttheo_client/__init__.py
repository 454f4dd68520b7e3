"""AgentTheo's Python client: `async for event in client.stream(command)`."""

from .client import AgentTheoClient
from .errors import (AgentTheoError, ClientError, ConnectionLost, HTTPError, RunFailed,
                     ServerError)
from .events import (ArtifactEvent, CompleteEvent, ControlEvent, ErrorEvent, Event, GapEvent,
                     InterruptEvent, InterruptResolvedEvent, MessageEvent, ProgressEvent,
                     ScreenshotEvent, StartEvent, StatusEvent, TokenEvent, ToolEndEvent,
                     ToolStartEvent, ends_run, make_event)

__all__ = [
    "AgentTheoClient", "AgentTheoError", "ClientError", "ConnectionLost", "HTTPError",
    "RunFailed", "ServerError", "ArtifactEvent", "CompleteEvent", "ControlEvent", "ErrorEvent", "Event",
    "GapEvent", "InterruptEvent", "InterruptResolvedEvent",
    "MessageEvent", "ProgressEvent", "ScreenshotEvent", "StartEvent", "StatusEvent",
    "TokenEvent", "ToolEndEvent", "ToolStartEvent", "ends_run", "make_event",
]

"""What the client raises."""


class AgentTheoError(Exception):
    """Base of every error this client raises."""


class HTTPError(AgentTheoError):
    """The server refused a request: its status and its JSON error."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


class ClientError(HTTPError):
    """A 4xx: the request was wrong (bad input, unknown session, busy, ...)."""


class ServerError(HTTPError):
    """A 5xx: the server could not serve it (shutting down, full, ...)."""


class RunFailed(AgentTheoError):
    """The run ended with an `error` event instead of `complete`, or
    completed with `outcome: failed` (code `run_failed`, the answer as the
    message: it says what could not be done)."""

    def __init__(self, event):
        if event.type == "complete":
            self.code, message = "run_failed", event.result
        else:
            self.code, message = event.code, event.message
        super().__init__(f"run failed: {self.code}: {message}")
        self.event = event


class ConnectionLost(AgentTheoError):
    """The stream could not be resumed within the retry budget."""

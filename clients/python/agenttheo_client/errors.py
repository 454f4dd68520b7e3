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
    """The run ended with an `error` event instead of `complete`."""

    def __init__(self, event):
        super().__init__(f"run failed: {event.code}: {event.message}")
        self.event = event
        self.code = event.code


class ConnectionLost(AgentTheoError):
    """The stream could not be resumed within the retry budget."""

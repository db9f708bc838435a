"""The error hierarchy. Every expected failure is a ReconcileError and becomes exit 1 at the CLI."""

from __future__ import annotations


class ReconcileError(Exception):
    """A failure the user can act on; its message is shown without a traceback."""


class ConfigError(ReconcileError):
    """Bad settings, flags, environment values or desired-state input."""


class AuthError(ReconcileError):
    """A credential source matched but could not produce a token."""


class GraphError(ReconcileError):
    """A Microsoft Graph call failed; carries everything support needs to trace it."""

    def __init__(
        self,
        *,
        method: str,
        url: str,
        status: int | None,
        code: str | None = None,
        message: str | None = None,
        request_id: str | None = None,
        client_request_id: str | None = None,
        subject: str | None = None,
        hint: str | None = None,
        attempts: int = 1,
    ) -> None:
        self.method = method
        self.url = url
        self.status = status
        self.code = code
        self.graph_message = message
        self.request_id = request_id
        self.client_request_id = client_request_id
        self.subject = subject
        #: The likely fix in plain words ("run `edusync-reconcile login` again").
        self.hint = hint
        #: Requests made for this call: more than one when retries were used up.
        self.attempts = attempts
        super().__init__(self._describe())

    def with_subject(self, subject: str) -> GraphError:
        """The same error, naming the profile (or other object) it concerns."""
        return GraphError(
            method=self.method,
            url=self.url,
            status=self.status,
            code=self.code,
            message=self.graph_message,
            request_id=self.request_id,
            client_request_id=self.client_request_id,
            subject=subject,
            hint=self.hint,
            attempts=self.attempts,
        )

    def _describe(self) -> str:
        who = f"{self.subject}: " if self.subject else ""
        hint = f" — {self.hint}" if self.hint else ""
        if self.status is None and self.graph_message:
            # No answer at all: the message says what failed in plain words.
            # Headers that arrived before the body broke off still name the request.
            answer = (
                f"answer cut off; request-id: {self.request_id}, "
                if self.request_id
                else "no response; "
            )
            return (
                f"{who}{self.method} {self.url} failed: {self.graph_message}{hint} "
                f"[{answer}client-request-id: {self.client_request_id or '-'}]"
            )
        status = f"HTTP {self.status}" if self.status is not None else "no response"
        code = self.code or "-"
        detail = f": {self.graph_message}" if self.graph_message else ""
        tries = f" after {self.attempts} attempts" if self.attempts > 1 else ""
        return (
            f"{who}{self.method} {self.url} failed with {status} ({code}){tries}{detail} "
            f"[request-id: {self.request_id or '-'}, client-request-id: "
            f"{self.client_request_id or '-'}]{hint}"
        )


class WriteOutcomeUnknown(GraphError):
    """A write was sent but no response came back: it may or may not have been carried out."""

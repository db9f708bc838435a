"""`Emulator`: the tenant, faults and request log behind a loopback HTTP server.

Tests drive it in-process (`with Emulator() as emu: ...`) and switch faults at run time; the
`emulator` command serves it until stopped.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from reconciler.emulator.dispatch import Dispatcher
from reconciler.emulator.faults import Faults
from reconciler.emulator.industrydata import IndustryData, IndustryDataDispatcher
from reconciler.emulator.requestlog import RequestLog
from reconciler.emulator.server import GraphServer, Wiring
from reconciler.emulator.statefile import load_state_document, save_state
from reconciler.emulator.tenant import Tenant
from reconciler.errors import ConfigError

HOST = "127.0.0.1"


class Emulator:
    """Microsoft Graph's SDS synchronization-profile API on `http://127.0.0.1:PORT/beta`."""

    def __init__(
        self,
        *,
        token: str | None = None,
        page_size: int = 20,
        latency_ms: int = 0,
        provisioning_delay: float = 0.2,
        state_file: Path | None = None,
        seed: int = 0,
        port: int = 0,
        clock: Callable[[], float] = time.monotonic,
        retired: bool = False,
    ) -> None:
        self.tenant = Tenant(provisioning_delay=provisioning_delay, clock=clock)
        #: The Industry Data API (`/beta/external/industryData`), on the same server.
        self.industry_data = IndustryData(provisioning_delay=provisioning_delay, clock=clock)
        self.faults = Faults(seed=seed, latency_ms=latency_ms)
        self.requests_log = RequestLog()
        self.state_file = state_file
        self._token = token
        self._port = port
        self._dispatcher = Dispatcher(self.tenant, page_size=page_size)
        self._page_size = page_size
        self._dispatcher.retired = retired
        self._server: GraphServer | None = None
        self._thread: threading.Thread | None = None
        self._loaded = False
        self._save_lock = threading.Lock()

    @property
    def retired(self) -> bool:
        """Whether the profile API answers as retired (400 BadRequest, like live Graph for a
        segment it no longer has); switchable while serving."""
        return self._dispatcher.retired

    @retired.setter
    def retired(self, value: bool) -> None:
        self._dispatcher.retired = value

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT/beta` (the Graph root to give a client)."""
        if self._server is None:
            raise RuntimeError("the emulator is not running; call start() first")
        return f"http://{HOST}:{self._server.server_address[1]}/beta"

    def start(self) -> str:
        """Load the state file (if any), serve, and return the base URL."""
        if self._server is not None:
            raise RuntimeError("the emulator is already running")
        self._load()
        wiring = Wiring(
            dispatcher=self._dispatcher,
            faults=self.faults,
            requests_log=self.requests_log,
            token=self._token,
            after_write=self.save,
            industry_data=IndustryDataDispatcher(self.industry_data, page_size=self._page_size),
        )
        try:
            self._server = GraphServer((HOST, self._port), wiring)
        except OSError as exc:
            raise ConfigError(f"cannot listen on {HOST}:{self._port}: {exc}") from exc
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name="graph-emulator",
            daemon=True,
        )
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        """Stop serving (open connections are closed) and save the state file."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.close_connections()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        if server is not None:
            self.save()

    def save(self) -> None:
        """Write the state file now (a no-op without one)."""
        if self.state_file is None:
            return
        with self._save_lock:
            save_state(self.state_file, self.tenant.snapshot(), self.industry_data.snapshot())

    def _load(self) -> None:
        if self._loaded or self.state_file is None:
            return
        document = load_state_document(self.state_file)
        try:
            self.tenant.load_snapshot(document.profiles)
        except ValueError as exc:
            raise ConfigError(f"{self.state_file}: invalid stored profile: {exc}") from exc
        try:
            if document.industry_data is not None:
                self.industry_data.load_snapshot(document.industry_data)
        except ValueError as exc:
            raise ConfigError(f"{self.state_file}: invalid Industry Data object: {exc}") from exc
        self._loaded = True

    def __enter__(self) -> Emulator:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

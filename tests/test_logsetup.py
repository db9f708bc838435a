"""Log lines an admin reads in a CI log are plain (`warning: …`); -v/--debug keep the level and
the logger for a bug report."""

from __future__ import annotations

import logging

import pytest

from reconciler.logsetup import configure_logging, register_secret


def test_default_level_warnings_read_plain(capsys: pytest.CaptureFixture[str]) -> None:
    register_secret("s3cr3t-log-value")
    try:
        configure_logging("warning")
        logging.getLogger("reconciler.apply").warning("the write had been carried out (%s)", "x")
        logging.getLogger("reconciler.apply").warning("token s3cr3t-log-value")
        err = capsys.readouterr().err
        assert err.splitlines() == [
            "warning: the write had been carried out (x)",
            "warning: token (sensitive)",
        ]
        configure_logging("info")
        logging.getLogger("reconciler.apply").info("sent")
        assert capsys.readouterr().err == "INFO reconciler.apply: sent\n"
    finally:
        configure_logging("warning")

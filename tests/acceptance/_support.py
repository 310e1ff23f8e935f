"""What the acceptance tests share: real servers on 127.0.0.1 and bounded waits."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.events._servers import PATIENCE, listening_socket, uvicorn_server, wait_for

__all__ = ["PATIENCE", "ROOT", "listening_socket", "run_cli", "uvicorn_server", "wait_for"]

#: The repository root (the CLI runs from there, as a user's shell would).
ROOT = Path(__file__).resolve().parents[2]


def run_cli(
    *args: str,
    stdin: bytes = b"",
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m <args>`` in a fresh interpreter; bounded so a hang fails the test."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("EXOTEL_")}
    environment.update(env or {})
    environment["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run(
        [sys.executable, "-m", *args],
        input=stdin.decode("utf-8", "surrogateescape"),
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        cwd=cwd or ROOT,
        env=environment,
        timeout=PATIENCE * 4,
        check=False,
    )

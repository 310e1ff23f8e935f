"""Fixtures for the linter's tests: run ``main`` in-process with captured byte streams."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from exoml.lint import main

from ._support import Lint, Run, Write


class _Terminal(io.TextIOWrapper):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def lint(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Lint:
    """Call ``lint("--format", "json", "a.xml", stdin=b"...", tty=False)``.

    Runs in ``tmp_path`` (so no pyproject.toml above it applies unless a test writes one)
    with NO_COLOR unset.
    """
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)

    def run(*args: str, stdin: bytes = b"", tty: bool = False) -> Run:
        stream = _Terminal if tty else io.TextIOWrapper
        out = stream(io.BytesIO(), encoding="utf-8", newline="")
        err = stream(io.BytesIO(), encoding="utf-8", newline="")
        with monkeypatch.context() as patch:
            patch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
            patch.setattr(sys, "stdout", out)
            patch.setattr(sys, "stderr", err)
            status = main(list(args), prog="exoml lint")
            out.flush()
            err.flush()
        raw = out.buffer.getvalue()  # type: ignore[attr-defined]
        return Run(
            status,
            raw.decode("utf-8", "replace"),
            err.buffer.getvalue().decode("utf-8", "replace"),  # type: ignore[attr-defined]
            raw,
        )

    return run


@pytest.fixture
def write(tmp_path: Path) -> Write:
    """Write a file under ``tmp_path`` (text as UTF-8, bytes as they are)."""

    def write_file(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode("utf-8")
        path.write_bytes(content)
        return path

    return write_file

"""Types shared by the linter's tests (the fixtures live in conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple, Protocol

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


class Run(NamedTuple):
    """What one run of the linter did."""

    status: int
    out: str
    err: str
    out_bytes: bytes


class Lint(Protocol):
    """The ``lint`` fixture: run the linter with arguments, standard input and a terminal."""

    def __call__(self, *args: str, stdin: bytes = b"", tty: bool = False) -> Run: ...


Write = Callable[[str, "str | bytes"], Path]

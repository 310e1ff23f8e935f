"""Diagnostics: what a check found, where, and how to fix it."""

from __future__ import annotations

from typing import Literal, NamedTuple

Severity = Literal["error", "warning"]
"""How bad a diagnostic is: ``"error"`` (the API would reject the document) or ``"warning"``.

Warnings alone leave a document valid; ``exoml lint --strict`` fails on them too.
"""

__all__ = ["Diagnostic", "Edit", "Fix", "Severity"]


class Edit(NamedTuple):
    """Replace the characters ``source[start:end]`` (offsets into the decoded text)."""

    start: int
    end: int
    replacement: str


class Fix(NamedTuple):
    """A safe, mechanical fix: a description and the edits that carry it out."""

    description: str
    edits: tuple[Edit, ...]


class Diagnostic(NamedTuple):
    """One problem in a document.

    ``line`` and ``column`` are 1-based; the column counts Unicode code points. ``code``
    is stable (see ``python -m exoml.lint --list-rules``); ``hint`` says how to fix it by
    hand and ``fix`` is present when the fix is safe to apply mechanically.

    >>> from exoml import validate
    >>> [d.code for d in validate('<Flow><StartPlay loop="11">https://x.io/a.wav</StartPlay></Flow>')]
    ['EX301']
    """

    code: str
    severity: Severity
    message: str
    line: int
    column: int
    hint: str | None = None
    fix: Fix | None = None

    @property
    def is_error(self) -> bool:
        """True for error-severity diagnostics (warnings alone leave a document valid)."""
        return self.severity == "error"

"""Helpers for the per-rule tests: what the check engine finds in a document."""

from __future__ import annotations

from typing import Any

from exoml._check import check_bytes, has_errors, validate
from exoml._diagnostics import Diagnostic
from exoml._rules import rule
from exoml.lint._fix import apply_edits


def diagnostics(
    document: str | bytes,
    *,
    max_bytes: int = 65536,
    dialect: str | None = None,
    placeholders: tuple[str, ...] = (),
) -> list[Diagnostic]:
    """Everything the engine reports for ``document`` (str is encoded as UTF-8), checked
    as ``dialect`` (None: the root decides) with ``placeholders`` allowed."""
    data = document.encode("utf-8") if isinstance(document, str) else document
    options: dict[str, Any] = {"dialect": dialect, "placeholders": placeholders}
    found = check_bytes(data, max_bytes=max_bytes, **options).diagnostics
    # The engine's short paths (a clean document, a schema-valid one) must find what the
    # full walk finds, wherever they stop.
    assert found == check_bytes(data, max_bytes=max_bytes, full=True, **options).diagnostics
    if isinstance(document, str):
        # The clients' check before sending agrees on whether there is an error.
        errors = any(d.is_error for d in validate(document, max_bytes=max_bytes, **options))
        assert has_errors(document, max_bytes=max_bytes, **options) == errors
    return found


def found(document: str | bytes, **kwargs: Any) -> list[tuple[str, int, int]]:
    """``(code, line, column)`` of each diagnostic."""
    return [(d.code, d.line, d.column) for d in diagnostics(document, **kwargs)]


def codes(document: str | bytes, **kwargs: Any) -> set[str]:
    """The codes reported for ``document``."""
    return {code for code, _, _ in found(document, **kwargs)}


def fixed(document: str) -> str:
    """``document`` with every fix the engine offers applied (one pass)."""
    edits = [e for d in diagnostics(document) if d.fix is not None for e in d.fix.edits]
    return apply_edits(document, edits)


def check_rule_examples(code: str) -> None:
    """The rule's own bad example triggers it, its good example is clean of it."""
    r = rule(code)
    options: dict[str, Any] = {
        "dialect": r.example_dialect,
        "placeholders": r.example_placeholders,
    }
    assert code in codes(r.bad, **options), r.bad
    assert code not in codes(r.good, **options), r.good
    assert r.good
    assert all(d.severity != "error" for d in diagnostics(r.good, **options)), r.good

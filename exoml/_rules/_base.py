"""What every rule module declares."""

from __future__ import annotations

from typing import NamedTuple

from .._diagnostics import Severity


class Rule(NamedTuple):
    """A check's stable identity and its documentation.

    ``doc`` is the rule module's docstring: what ``--explain CODE`` shows and what the
    rule reference is generated from.
    """

    code: str
    name: str
    severity: Severity
    summary: str
    doc: str
    fixable: bool
    bad: str
    good: str

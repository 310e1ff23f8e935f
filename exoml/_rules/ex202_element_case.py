"""EX202 element-case: an element name in the wrong case.

ExoML names are case-sensitive: elements are PascalCase (``StartPlay``, ``UnHold``).
Exotel's documentation prints its examples in lowercase (``<startplay>``), and copies
of them fail. The fix renames the start and end tags to the canonical spelling and
changes nothing else; the rest of the element is then checked under its right name.
"""

from __future__ import annotations

from .._catalogue import ROOT, VERBS
from ._base import Rule

RULE = Rule(
    code="EX202",
    name="element-case",
    severity="error",
    summary="Element name in the wrong case",
    doc=__doc__ or "",
    fixable=True,
    bad='<flow><startplay loop="1">https://example.com/a.wav</startplay></flow>',
    good='<Flow><StartPlay loop="1">https://example.com/a.wav</StartPlay></Flow>',
)

_FOLDED = {v.element.lower(): v.element for v in VERBS}
_FOLDED[ROOT.lower()] = ROOT


def canonical(tag: str) -> str | None:
    """The canonical spelling of ``tag`` when it differs only in case, else None."""
    name = _FOLDED.get(tag.lower())
    return name if name is not None and name != tag else None


def message(tag: str, name: str) -> str:
    return f"<{tag}> must be spelt <{name}> (ExoML names are case-sensitive)"

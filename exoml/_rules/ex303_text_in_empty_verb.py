"""EX303 text-in-empty-verb: text inside a verb that takes none.

Verbs such as ``<Answer/>``, ``<Hangup/>`` or ``<Mute/>`` are empty: they take no
text at all, not even white space (so that every validator, XSD ones included, agrees).
Write them self-closed.
"""

from __future__ import annotations

from ._base import Rule

RULE = Rule(
    code="EX303",
    name="text-in-empty-verb",
    severity="error",
    summary="Text inside a verb that takes none",
    doc=__doc__ or "",
    fixable=False,
    bad="<Flow><Hangup> </Hangup></Flow>",
    good="<Flow><Hangup/></Flow>",
)


def message(element: str, text: str) -> str:
    what = "white space" if not text.strip(" \t\r\n") else repr(text.strip()[:30])
    return f"<{element}> takes no content, found {what}; write <{element}/>"

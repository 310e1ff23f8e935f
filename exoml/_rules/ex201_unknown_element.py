"""EX201 unknown-element: an element that is not an ExoML verb.

Only the twenty Leg Actions verbs may appear in a ``<Flow>`` (``python -m exoml.lint
--explain EX201`` lists no more; see the verb reference). The message suggests the
closest verb. Elements from other dialects (``Play``, ``Dial``) and spellings from
other versions of Exotel's documentation (``StartSay`` for ``Say``) are named as such.
Nothing inside an unknown element is checked.
"""

from __future__ import annotations

import difflib

from .._catalogue import VERBS
from ._base import Rule

RULE = Rule(
    code="EX201",
    name="unknown-element",
    severity="error",
    summary="Unknown element",
    doc=__doc__ or "",
    fixable=False,
    bad="<Flow><Speak>Hello</Speak></Flow>",
    good="<Flow><Say>Hello</Say></Flow>",
)

_NAMES = [v.element for v in VERBS]
_ALIASES = {alias: v.element for v in VERBS for alias in v.aliases}
# The classic dialect's verbs and what does their job here.
_CLASSIC = {"Play": "StartPlay", "Record": "StartRecording", "Dial": None, "Redirect": None}


def suggestion(tag: str) -> str | None:
    """The verb a misspelt or foreign element most likely meant, if any."""
    if tag in _ALIASES:
        return _ALIASES[tag]
    if tag in _CLASSIC:
        return _CLASSIC[tag]
    close = difflib.get_close_matches(tag, _NAMES, n=1, cutoff=0.6)
    return close[0] if close else None


def message(tag: str, parent: str) -> tuple[str, str | None]:
    """The message and hint for an unknown element ``tag`` inside ``parent``."""
    if tag.startswith("{"):
        return f"<{tag}> is namespaced; ExoML elements have no namespace", None
    if tag == "Flow":
        return f"<Flow> is the root and cannot appear inside <{parent}>", None
    guess = suggestion(tag)
    if tag in _ALIASES:
        return (
            f"<{tag}> is not a Leg Actions verb (an alternative spelling in some of "
            f"Exotel's documentation); use <{guess}>",
            f"rename it to <{guess}>",
        )
    if tag in _CLASSIC:
        text = f"<{tag}> belongs to the classic call-flow dialect, not Leg Actions ExoML"
        return (text, f"use <{guess}>" if guess else None)
    if guess:
        return f"unknown element <{tag}>; did you mean <{guess}>?", f"rename it to <{guess}>"
    return f"unknown element <{tag}>", "see the verb reference for the twenty verbs"

"""EX201 unknown-element: an element that is not an ExoML verb.

Only the verbs of the verb reference may appear in a ``<Flow>`` (``python -m
exoml.lint --list-rules`` and the verb reference list them). The message suggests the
closest verb when the name looks like a typo of one. Elements of the classic dialect
(``Play``, ``Record``) are named as such. Nothing inside an unknown element is checked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._catalogue import CLASSIC_VERBS, DIALECTS
from ._base import Rule

if TYPE_CHECKING:
    from lxml import etree

    from .._catalogue import VerbSpec
    from .._check import Context

RULE = Rule(
    code="EX201",
    name="unknown-element",
    severity="error",
    summary="Unknown element",
    doc=__doc__ or "",
    fixable=False,
    bad="<Flow><Speak>Hello</Speak></Flow>",
    good="<Flow><Say>Hello</Say></Flow>",
    schema_covered=True,
)


def suggestion(tag: str, names: list[str]) -> str | None:
    """The verb a misspelt or foreign element most likely meant, if any."""
    if tag in CLASSIC_VERBS:
        return CLASSIC_VERBS[tag]
    from ._hints import did_you_mean

    return did_you_mean(tag, names)


def message(tag: str, parent: str, names: list[str], root: str = "Flow") -> tuple[str, str | None]:
    """The message and hint for an unknown element ``tag`` inside ``parent``."""
    if tag.startswith("{"):
        return f"<{tag}> is namespaced; ExoML elements have no namespace", None
    if tag.lower() == root.lower():
        return f"<{root}> is the root and cannot appear inside <{parent}>", None
    guess = suggestion(tag, names)
    if tag in CLASSIC_VERBS:
        text = f"<{tag}> belongs to the classic call-flow dialect, not Leg Actions ExoML"
        return (text, f"use <{guess}>" if guess else None)
    if guess:
        return f"unknown element <{tag}>; did you mean <{guess}>?", f"rename it to <{guess}>"
    return f"unknown element <{tag}>", "see the verb reference for the verbs"


# A leg action's classic counterpart (the reverse of CLASSIC_VERBS).
_LEG_TO_CLASSIC = {leg: classic for classic, leg in CLASSIC_VERBS.items() if leg is not None}


def _foreign(tag: str, here: str) -> tuple[str, str | None] | None:
    """The message and hint for a verb of another dialect, else None."""
    legs, bridge = DIALECTS["legs"], DIALECTS["bridge"]
    if here == "classic" and any(v.element == tag for v in legs.verbs):
        guess = _LEG_TO_CLASSIC.get(tag)
        text = f"<{tag}> is a leg action (sent to the Leg Actions API), not classic ExoML"
        return text, f"use <{guess}>" if guess else None
    if here == "bridge" and any(v.element == tag for v in legs.verbs):
        takes = ", ".join(v.element for v in bridge.verbs)
        text = f"<{tag}> is a leg action; the bridge actions take {takes}"
        return text, "send it to a leg (the Leg Actions API), not to a bridge"
    if tag in CLASSIC_VERBS and here != "classic":
        guess = CLASSIC_VERBS[tag]
        kind = "Leg Actions" if here == "legs" else "bridge actions"
        text = f"<{tag}> belongs to the classic call-flow dialect, not {kind} ExoML"
        return text, f"use <{guess}>" if guess and here == "legs" else None
    return None


def check_element(
    ctx: Context, el: etree._Element, spec: VerbSpec | None, parent: VerbSpec | None
) -> None:
    if spec is not None:
        return
    d = ctx.dialect
    names = [v.element for v in d.verbs]
    where = d.root if parent is None else parent.element
    tag = str(el.tag)
    foreign = (
        None if tag.startswith("{") or tag.lower() == d.root.lower() else _foreign(tag, d.name)
    )
    if foreign is not None:
        msg, hint = foreign
    else:
        msg, hint = (
            message(tag, where, names, d.root)
            if d.name == "legs"
            else _plain(tag, where, names, d.root)
        )
    habit = d.habit(tag)
    ctx.add(RULE, msg, element=el, hint=habit or hint)


def _plain(tag: str, parent: str, names: list[str], root: str) -> tuple[str, str | None]:
    """The message and hint in a dialect other than the leg actions' (no classic-verb
    wording: those verbs are this dialect's or are named by :func:`_foreign`)."""
    if tag.startswith("{"):
        return f"<{tag}> is namespaced; ExoML elements have no namespace", None
    if tag.lower() == root.lower():
        return f"<{root}> is the root and cannot appear inside <{parent}>", None
    from ._hints import did_you_mean

    guess = did_you_mean(tag, names)
    if guess:
        return f"unknown element <{tag}>; did you mean <{guess}>?", f"rename it to <{guess}>"
    return f"unknown element <{tag}>", "see the verb reference for the verbs"

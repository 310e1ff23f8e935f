"""EX201 unknown-element: an element that is not an ExoML verb.

Only the verbs of the verb reference may appear in a ``<Flow>`` (``python -m
exoml.lint --list-rules`` and the verb reference list them). The message suggests the
closest verb when the name looks like a typo of one. Elements of the classic dialect
(``Play``, ``Record``) are named as such. Nothing inside an unknown element is checked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._catalogue import CLASSIC_VERBS
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


def check_element(
    ctx: Context, el: etree._Element, spec: VerbSpec | None, parent: VerbSpec | None
) -> None:
    if spec is not None:
        return
    names = [v.element for v in ctx.dialect.verbs]
    where = ctx.dialect.root if parent is None else parent.element
    msg, hint = message(str(el.tag), where, names, ctx.dialect.root)
    ctx.add(RULE, msg, element=el, hint=hint)

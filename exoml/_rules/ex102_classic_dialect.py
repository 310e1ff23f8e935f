"""EX102 classic-dialect: a classic ``<Response>`` where leg or bridge actions are expected.

``<Response>`` is the root of the classic dialect: the document Exotel fetches from an
application's URL during a call flow (verbs ``Dial``, ``Play``, ``Gather`` with
``action``, ``Record``, ``Redirect``). exoml checks it as classic ExoML when the root
decides the dialect (the default). This rule reports a ``<Response>`` checked as leg
actions or bridge actions (``--dialect legs``, a per-path setting, ``validate(...,
dialect="legs")``): the actions endpoints do not take it; they take ``<Flow>``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._base import Rule

if TYPE_CHECKING:
    from .._check import Context

RULE = Rule(
    code="EX102",
    name="classic-dialect",
    severity="error",
    summary="A classic <Response> checked as leg or bridge actions",
    doc=__doc__ or "",
    fixable=False,
    bad="<Response><Play>https://example.com/a.wav</Play></Response>",
    good="<Flow><StartPlay>https://example.com/a.wav</StartPlay></Flow>",
    schema_covered=True,
    dialects=("legs", "bridge"),
    example_dialect="legs",
)

_CLASSIC_ROOT = "Response"


def message(dialect: str, root: str = "Flow") -> str:
    return (
        f"<{_CLASSIC_ROOT}> is the root of the classic dialect, but this document is "
        f"checked as {dialect}, whose root is <{root}>"
    )


def hint(dialect: str) -> str:
    return (
        f"check it as classic ExoML (--dialect classic), or use a <Flow> root with {dialect} verbs"
    )


def applies(ctx: Context) -> bool:
    """Whether the document is a classic one checked as leg or bridge actions."""
    root = ctx.root
    assert root is not None
    d = ctx.dialect
    return root.tag == _CLASSIC_ROOT and d.root != _CLASSIC_ROOT and d.name in RULE.dialects


def check_document(ctx: Context) -> None:
    root = ctx.root
    assert root is not None
    if applies(ctx):
        d = ctx.dialect
        ctx.add(RULE, message(d.name, d.root), element=root, hint=hint(d.name))

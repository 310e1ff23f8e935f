"""EX101 root-not-flow: the root element is not the dialect's root.

Every leg-actions or bridge-actions document is one ``<Flow>`` holding the verbs, and
every classic document one ``<Response>``. A verb on its own (``<Say>Hi</Say>``) must
be wrapped: ``<Flow><Say>Hi</Say></Flow>``. Nothing inside a wrong root is checked. The
root of another dialect has a rule of its own (EX102, EX105).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import ex102_classic_dialect, ex105_actions_root_in_classic
from ._base import Rule

if TYPE_CHECKING:
    from .._check import Context

RULE = Rule(
    code="EX101",
    name="root-not-flow",
    severity="error",
    summary="The root element is not <Flow> (<Response> in the classic dialect)",
    doc=__doc__ or "",
    fixable=False,
    bad="<Say>Hello</Say>",
    good="<Flow><Say>Hello</Say></Flow>",
    schema_covered=True,
)


def message(tag: str, root: str = "Flow") -> str:
    return f"the root element must be <{root}>, not <{tag}>"


HINT = "wrap the verbs in <Flow>...</Flow>"


def check_document(ctx: Context) -> None:
    root = ctx.root
    assert root is not None
    tag = str(root.tag)
    want = ctx.dialect.root
    # Another dialect's root is EX102's or EX105's to report.
    other = ex102_classic_dialect.applies(ctx) or ex105_actions_root_in_classic.applies(ctx)
    if tag.lower() != want.lower() and not other:
        hint = f"wrap the verbs in <{want}>...</{want}>"
        ctx.add(RULE, message(tag, want), element=root, hint=hint)

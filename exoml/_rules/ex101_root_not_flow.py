"""EX101 root-not-flow: the root element is not ``<Flow>``.

Every Leg Actions document is one ``<Flow>`` holding the verbs. A verb on its own
(``<Say>Hi</Say>``) must be wrapped: ``<Flow><Say>Hi</Say></Flow>``. Nothing inside a
wrong root is checked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._catalogue import FOREIGN_ROOTS
from ._base import Rule

if TYPE_CHECKING:
    from .._check import Context

RULE = Rule(
    code="EX101",
    name="root-not-flow",
    severity="error",
    summary="The root element is not <Flow>",
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
    if tag.lower() != want.lower() and tag not in FOREIGN_ROOTS:
        hint = f"wrap the verbs in <{want}>...</{want}>"
        ctx.add(RULE, message(tag, want), element=root, hint=hint)

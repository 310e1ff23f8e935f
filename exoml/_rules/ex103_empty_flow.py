"""EX103 empty-flow: ``<Flow>`` holds no verb.

A Flow must carry at least one action for the leg; an empty one does nothing and the
API rejects it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._base import Rule
from ._walk import root_is_entered

if TYPE_CHECKING:
    from .._check import Context

RULE = Rule(
    code="EX103",
    name="empty-flow",
    severity="error",
    summary="<Flow> contains no verb",
    doc=__doc__ or "",
    fixable=False,
    bad="<Flow></Flow>",
    good="<Flow><Answer/></Flow>",
    schema_covered=True,
)

MESSAGE = "<Flow> must contain at least one verb"


def check_document(ctx: Context) -> None:
    root = ctx.root
    assert root is not None
    if root_is_entered(ctx) and not any(c.tag.__class__ is str for c in root):
        root_name = ctx.dialect.root
        ctx.add(RULE, MESSAGE.replace("<Flow>", f"<{root_name}>"), element=root)

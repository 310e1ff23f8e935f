"""EX501 multiple-actions: more than one action in a Flow (warning).

Exotel's best practices ask for small, single-purpose documents: one action per
request, so that each action's events can be correlated with it (see
``action_custom_param``). Several verbs in one ``<Flow>`` are valid ExoML, so this is
a warning; ``--strict`` makes it fail, ``--ignore EX501`` silences it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._base import Rule
from ._walk import root_is_entered

if TYPE_CHECKING:
    from .._check import Context

RULE = Rule(
    code="EX501",
    name="multiple-actions",
    severity="warning",
    summary="More than one action in a <Flow>",
    doc=__doc__ or "",
    fixable=False,
    bad="<Flow><Answer/><Say>Hello</Say></Flow>",
    good="<Flow><Say>Hello</Say></Flow>",
    # A classic <Response> is a sequence of verbs by design.
    dialects=("legs", "bridge"),
    quiet_covered=True,
)


def message(count: int, root: str = "Flow") -> str:
    return f"<{root}> holds {count} actions; the API advises one action per request"


def check_document(ctx: Context) -> None:
    root = ctx.root
    assert root is not None
    if len(root) > 1 and root_is_entered(ctx):
        verbs = [c for c in root if c.tag.__class__ is str]
        if len(verbs) > 1:
            ctx.add(RULE, message(len(verbs), ctx.dialect.root), element=verbs[1])

"""EX102 classic-dialect: a ``<Response>`` root: the classic call-flow dialect.

Exotel has an older, different ExoML for its classic call flows (root ``<Response>``,
verbs ``Dial``, ``Play``, ``Gather`` with ``action``, ``Record``, ``Redirect``). The Leg
Actions endpoint does not take it: it takes ``<Flow>`` documents with the verbs of the
Leg Actions reference.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._catalogue import FOREIGN_ROOTS
from ._base import Rule

if TYPE_CHECKING:
    from .._check import Context

RULE = Rule(
    code="EX102",
    name="classic-dialect",
    severity="error",
    summary="<Response> is the classic call-flow dialect, not Leg Actions ExoML",
    doc=__doc__ or "",
    fixable=False,
    bad="<Response><Play>https://example.com/a.wav</Play></Response>",
    good="<Flow><StartPlay>https://example.com/a.wav</StartPlay></Flow>",
    schema_covered=True,
)

MESSAGE = (
    "<Response> is the root of the classic call-flow dialect, which the Leg Actions "
    "endpoint does not take"
)
HINT = "use a <Flow> root with Leg Actions verbs (StartPlay, Say, Gather, ...)"


def check_document(ctx: Context) -> None:
    root = ctx.root
    assert root is not None
    tag = str(root.tag)
    if tag != ctx.dialect.root and FOREIGN_ROOTS.get(tag) == "classic":
        ctx.add(RULE, MESSAGE, element=root, hint=HINT)

"""EX105 actions-root-in-classic: a ``<Flow>`` where a classic ``<Response>`` is expected.

``<Flow>`` is the root of the leg actions and the bridge actions, which an application
sends to Exotel's actions endpoints. A document checked as classic ExoML (``--dialect
classic``, a per-path setting, ``validate(..., dialect="classic")``) is what Exotel
fetches from an application's URL during a call flow, and its root is ``<Response>``.
Nothing inside the wrong root is checked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._base import Rule

if TYPE_CHECKING:
    from .._check import Context

RULE = Rule(
    code="EX105",
    name="actions-root-in-classic",
    severity="error",
    summary="A <Flow> (leg or bridge actions) checked as a classic <Response>",
    doc=__doc__ or "",
    fixable=False,
    bad="<Flow><Say>Hello</Say></Flow>",
    good="<Response><Say>Hello</Say></Response>",
    schema_covered=True,
    dialects=("classic",),
    example_dialect="classic",
)

_FLOW = "Flow"


def message(root: str = "Response") -> str:
    return (
        f"<{_FLOW}> is the root of leg and bridge actions, but this document is checked "
        f"as classic ExoML, whose root is <{root}>"
    )


HINT = "check it as leg actions (--dialect legs) or bridge actions, or use a <Response> root"


def applies(ctx: Context) -> bool:
    """Whether the document is a ``<Flow>`` checked as classic ExoML."""
    root = ctx.root
    assert root is not None
    return root.tag == _FLOW and ctx.dialect.root != _FLOW and ctx.dialect.name in RULE.dialects


def check_document(ctx: Context) -> None:
    if applies(ctx):
        ctx.add(RULE, message(ctx.dialect.root), element=ctx.root, hint=HINT)

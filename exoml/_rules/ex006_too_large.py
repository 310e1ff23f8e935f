"""EX006 too-large: the input is larger than the size limit.

The Leg Actions API takes small, single-purpose documents. Input above the limit
(64 KiB by default; ``--max-bytes`` or ``max_bytes=`` to change it) is refused without
being read whole.
"""

from __future__ import annotations

from ._base import Rule

RULE = Rule(
    code="EX006",
    name="too-large",
    severity="error",
    summary="The input exceeds the size limit",
    doc=__doc__ or "",
    fixable=False,
    bad="(a 100 KiB document)",
    good="<Flow><Answer/></Flow>",
    stage="source",
)


def message(size: int, limit: int) -> str:
    return f"the input is larger than the limit of {limit} bytes (read {size} bytes)"

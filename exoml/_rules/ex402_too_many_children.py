"""EX402 too-many-children: more nested verbs than allowed.

``<Hold>`` takes at most one ``<StartPlay>``: the music on hold.
"""

from __future__ import annotations

from ._base import Rule

RULE = Rule(
    code="EX402",
    name="too-many-children",
    severity="error",
    summary="More nested verbs than the parent allows",
    doc=__doc__ or "",
    fixable=False,
    bad=(
        "<Flow><Hold><StartPlay>https://example.com/a.wav</StartPlay>"
        "<StartPlay>https://example.com/b.wav</StartPlay></Hold></Flow>"
    ),
    good="<Flow><Hold><StartPlay>https://example.com/a.wav</StartPlay></Hold></Flow>",
)


def message(parent: str, limit: int) -> str:
    plural = "" if limit == 1 else "s"
    return f"<{parent}> takes at most {limit} nested verb{plural}"

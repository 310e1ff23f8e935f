"""EX401 child-not-allowed: a verb where it cannot stand.

Only ``<Gather>`` and ``<Hold>`` hold other verbs: ``<Gather>`` takes ``<Say>`` and
``<StartPlay>`` prompts, ``<Hold>`` one ``<StartPlay>`` (music on hold). Every other
verb stands directly in ``<Flow>``.
"""

from __future__ import annotations

from ._base import Rule

RULE = Rule(
    code="EX401",
    name="child-not-allowed",
    severity="error",
    summary="A verb inside an element that cannot hold it",
    doc=__doc__ or "",
    fixable=False,
    bad="<Flow><Gather><Hangup/></Gather></Flow>",
    good="<Flow><Gather><Say>Press 1</Say></Gather><Hangup/></Flow>",
)


def message(child: str, parent: str, allowed: tuple[str, ...]) -> str:
    if not allowed:
        return f"<{parent}> cannot contain elements (found <{child}>)"
    names = " or ".join(f"<{a}>" for a in allowed)
    return f"<{parent}> cannot contain <{child}>; it takes {names}"

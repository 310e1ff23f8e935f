"""EX205 missing-attribute: a required attribute is missing.

``JoinBridge`` needs ``bridgeSid``, ``StartStream`` needs ``streamUrl``,
``StartMonitoring`` needs ``monitoringLegSid`` and ``Refer`` needs
``legEventEndpoint``: without them the action has no target.
"""

from __future__ import annotations

from ._base import Rule

RULE = Rule(
    code="EX205",
    name="missing-attribute",
    severity="error",
    summary="A required attribute is missing",
    doc=__doc__ or "",
    fixable=False,
    bad='<Flow><JoinBridge absorbDtmf="true"/></Flow>',
    good='<Flow><JoinBridge bridgeSid="BR123" absorbDtmf="true"/></Flow>',
)


def message(element: str, name: str, rule: str) -> str:
    return f"<{element}> requires the attribute {name}, which {rule}"

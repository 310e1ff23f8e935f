"""EX103 empty-flow: ``<Flow>`` holds no verb.

A Flow must carry at least one action for the leg; an empty one does nothing and the
API rejects it.
"""

from __future__ import annotations

from ._base import Rule

RULE = Rule(
    code="EX103",
    name="empty-flow",
    severity="error",
    summary="<Flow> contains no verb",
    doc=__doc__ or "",
    fixable=False,
    bad="<Flow></Flow>",
    good="<Flow><Answer/></Flow>",
)

MESSAGE = "<Flow> must contain at least one verb"

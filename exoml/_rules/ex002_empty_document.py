"""EX002 empty-document: the input is empty or only white space.

An ExoML document needs a ``<Flow>`` root with at least one verb. An empty file is
usually a template that rendered nothing.
"""

from __future__ import annotations

from ._base import Rule

RULE = Rule(
    code="EX002",
    name="empty-document",
    severity="error",
    summary="The input is empty",
    doc=__doc__ or "",
    fixable=False,
    bad="",
    good="<Flow><Answer/></Flow>",
    stage="source",
)

MESSAGE = "the document is empty: expected <Flow> with at least one verb"

"""EX501 multiple-actions: more than one action in a Flow (warning).

Exotel's best practices ask for small, single-purpose documents: one action per
request, so that each action's events can be correlated with it (see
``action_custom_param``). Several verbs in one ``<Flow>`` are valid ExoML, so this is
a warning; ``--strict`` makes it fail, ``--ignore EX501`` silences it.
"""

from __future__ import annotations

from ._base import Rule

RULE = Rule(
    code="EX501",
    name="multiple-actions",
    severity="warning",
    summary="More than one action in a <Flow>",
    doc=__doc__ or "",
    fixable=False,
    bad="<Flow><Answer/><Say>Hello</Say></Flow>",
    good="<Flow><Say>Hello</Say></Flow>",
)


def message(count: int) -> str:
    return f"<Flow> holds {count} actions; the API advises one action per request"

"""EX301 invalid-value: an attribute value breaks its rule.

Each attribute has a type and bounds (see the verb reference): integers are plain ASCII
digits (no sign, spaces or other scripts' digits) within their range, enumerated
values match exactly and in lowercase (``both``, not ``Both``), booleans are ``true``
or ``false``, URLs have the right scheme and no spaces, identifiers are not blank and
have no surrounding spaces.
"""

from __future__ import annotations

from ._base import Rule

RULE = Rule(
    code="EX301",
    name="invalid-value",
    severity="error",
    summary="An attribute value breaks its rule",
    doc=__doc__ or "",
    fixable=False,
    bad='<Flow><StartPlay loop="11">https://example.com/a.wav</StartPlay></Flow>',
    good='<Flow><StartPlay loop="10">https://example.com/a.wav</StartPlay></Flow>',
)


def message(element: str, name: str, value: str, rule: str) -> str:
    shown = value if len(value) <= 60 else value[:57] + "..."
    return f'<{element}> {name}="{shown}": {rule}'

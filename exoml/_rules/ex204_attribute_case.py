"""EX204 attribute-case: an attribute name in the wrong case.

Attribute names are lowerCamelCase (``numDigits``, ``preferredTTSEngine``) and
case-sensitive. The documentation's lowercase examples (``numdigits``) fail. The fix
renames the attribute and changes nothing else; its value is still checked.
"""

from __future__ import annotations

from ._base import Rule

RULE = Rule(
    code="EX204",
    name="attribute-case",
    severity="error",
    summary="Attribute name in the wrong case",
    doc=__doc__ or "",
    fixable=True,
    bad='<Flow><Gather numdigits="4"><Say>Enter your PIN</Say></Gather></Flow>',
    good='<Flow><Gather numDigits="4"><Say>Enter your PIN</Say></Gather></Flow>',
)


def message(element: str, qname: str, name: str) -> str:
    return f"<{element}> attribute {qname} must be spelt {name} (names are case-sensitive)"

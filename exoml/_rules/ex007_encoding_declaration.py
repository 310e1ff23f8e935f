"""EX007 encoding-declaration: the XML declaration names an encoding other than UTF-8.

ExoML is sent inside JSON, as UTF-8. A declaration such as
``<?xml version="1.0" encoding="ISO-8859-1"?>`` is wrong for such a document; declare
UTF-8 or leave the declaration out.
"""

from __future__ import annotations

from ._base import Rule

RULE = Rule(
    code="EX007",
    name="encoding-declaration",
    severity="error",
    summary="The XML declaration names an encoding other than UTF-8",
    doc=__doc__ or "",
    fixable=False,
    bad='<?xml version="1.0" encoding="ISO-8859-1"?><Flow><Answer/></Flow>',
    good='<?xml version="1.0" encoding="UTF-8"?><Flow><Answer/></Flow>',
    stage="source",
)


def message(name: str) -> str:
    return f"the XML declaration says encoding={name!r}; ExoML must be UTF-8"

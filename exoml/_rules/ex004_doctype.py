"""EX004 doctype: a DOCTYPE (DTD) is not allowed.

ExoML has no DTD. A DOCTYPE, internal or external, is the vehicle of XML attacks (XXE
reading local files or fetching URLs, "billion laughs" entity expansion), so it is
refused outright: nothing in it is loaded, expanded or fetched, and the rest of the
document is not read.
"""

from __future__ import annotations

from ._base import Rule

RULE = Rule(
    code="EX004",
    name="doctype",
    severity="error",
    summary="DOCTYPE declarations are not allowed",
    doc=__doc__ or "",
    fixable=False,
    bad='<!DOCTYPE Flow [<!ENTITY x "y">]><Flow><Say>&x;</Say></Flow>',
    good="<Flow><Say>y</Say></Flow>",
    stage="source",
)

MESSAGE = "DOCTYPE is not allowed in ExoML; nothing in it was loaded or expanded"
HINT = "remove the <!DOCTYPE ...> declaration and write entity values out"

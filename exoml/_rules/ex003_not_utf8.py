"""EX003 not-utf8: the input is not UTF-8.

ExoML travels inside a JSON string, so it must be UTF-8 (a UTF-8 byte order mark is
accepted). The position is that of the first byte that is not valid UTF-8. Binary or
compressed files (gzip, say) land here too: they are never decompressed.
"""

from __future__ import annotations

from ._base import Rule

RULE = Rule(
    code="EX003",
    name="not-utf8",
    severity="error",
    summary="The input is not valid UTF-8",
    doc=__doc__ or "",
    fixable=False,
    bad="<Flow><Say>caf\\xe9</Say></Flow>  (Latin-1 bytes)",
    good="<Flow><Say>café</Say></Flow>",
    stage="source",
)


def message(byte_hex: str) -> str:
    return f"the input is not UTF-8: byte 0x{byte_hex} cannot be decoded"

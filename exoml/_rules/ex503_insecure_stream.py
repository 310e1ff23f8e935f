"""EX503 insecure-stream: a ``ws://`` stream URL (warning).

The call's audio would travel unencrypted. Use ``wss://``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._catalogue import INSECURE_STREAM_SCHEME, WS_URL
from ._base import Rule

if TYPE_CHECKING:
    from lxml import etree

    from .._catalogue import VerbSpec
    from .._check import Context

RULE = Rule(
    code="EX503",
    name="insecure-stream",
    severity="warning",
    summary="Unencrypted ws:// stream URL",
    doc=__doc__ or "",
    fixable=False,
    bad='<Flow><StartStream streamUrl="ws://bot.example.com/s"/></Flow>',
    good='<Flow><StartStream streamUrl="wss://bot.example.com/s"/></Flow>',
    # (the scheme written with a character reference, ``&#119;s://``, parses the same)
    needles=(INSECURE_STREAM_SCHEME, "&#"),
    quiet_covered=True,
)


def message(name: str = "streamUrl") -> str:
    return (
        f"{name} uses {INSECURE_STREAM_SCHEME}: the call's audio would travel unencrypted;"
        " use wss://"
    )


MESSAGE = message()


def check_element(
    ctx: Context, el: etree._Element, spec: VerbSpec | None, parent: VerbSpec | None
) -> None:
    if spec is None:
        return
    for attr in spec.attrs:
        if attr.kind is WS_URL:
            value = el.get(attr.name)
            if value is not None and value.startswith(INSECURE_STREAM_SCHEME):
                ctx.add(RULE, message(attr.name), offset=ctx.attribute_offset(el, attr.name))

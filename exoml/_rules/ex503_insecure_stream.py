"""EX503 insecure-stream: a ``ws://`` stream URL (warning).

The call's audio would travel unencrypted. Use ``wss://``.
"""

from __future__ import annotations

from ._base import Rule

RULE = Rule(
    code="EX503",
    name="insecure-stream",
    severity="warning",
    summary="Unencrypted ws:// stream URL",
    doc=__doc__ or "",
    fixable=False,
    bad='<Flow><StartStream streamUrl="ws://bot.example.com/s"/></Flow>',
    good='<Flow><StartStream streamUrl="wss://bot.example.com/s"/></Flow>',
)

MESSAGE = "streamUrl uses ws://: the call's audio would travel unencrypted; use wss://"

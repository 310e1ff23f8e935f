"""Leg and bridge events: typed events and the endpoint that receives them.

Exotel posts an event to your endpoint for everything that happens on a leg or a bridge
(``leg_answered``, ``play_completed``, ``gather_success`` with the digits, ...) and
retries up to three times until it gets a 2xx. :func:`parse_event` turns one body into
an :class:`Event`; :class:`EventReceiver` is the whole endpoint (ASGI, with a WSGI twin):
it answers at once, drops Exotel's retries (:class:`MemoryDedup`, or :class:`RedisDedup`
for several processes) and then hands each event to your handlers, in order per leg.

>>> from exoml.events import EventReceiver
>>> receiver = EventReceiver()
>>> @receiver.on("leg_answered")
... async def answered(event):
...     ...  # send the first action with AsyncLegsClient
"""

from __future__ import annotations

from .._errors import EventError
from ._dedup import Dedup, MemoryDedup, RedisDedup
from ._event import Event, parse_event
from ._receiver import EventReceiver, ReceiverStats, WSGIEventReceiver

__all__ = [
    "Dedup",
    "Event",
    "EventError",
    "EventReceiver",
    "MemoryDedup",
    "ReceiverStats",
    "RedisDedup",
    "WSGIEventReceiver",
    "parse_event",
]

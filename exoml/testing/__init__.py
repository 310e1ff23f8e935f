"""Test helpers for code that uses exoml.

- :class:`FakeLegsAPI`: a fake of Exotel's Legs API that plays calls and delivers their
  events, served over real HTTP on 127.0.0.1 (also the ``fake_legs_api`` pytest fixture,
  registered automatically); :class:`ManualClock` holds its time still for a test;
- ``flows``, ``verbs`` and ``verb_strategy``: hypothesis strategies for valid flows
  and verbs, derived from the verb catalogue.

Names are imported on first use, so importing this package pulls in neither
:mod:`http.server` nor hypothesis.

>>> from exoml.testing import FakeLegsAPI
>>> with FakeLegsAPI() as api:
...     api.actions
[]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._strategies import documents, flows, verb_strategy, verbs
    from .fake_api import (
        DeliveryAttempt,
        FakeLegsAPI,
        ManualClock,
        RecordedAction,
        RecordedRequest,
    )

__all__ = [
    "DeliveryAttempt",
    "FakeLegsAPI",
    "ManualClock",
    "RecordedAction",
    "RecordedRequest",
    "documents",
    "flows",
    "verb_strategy",
    "verbs",
]

_LAZY = {
    "DeliveryAttempt": "fake_api",
    "FakeLegsAPI": "fake_api",
    "ManualClock": "fake_api",
    "RecordedAction": "fake_api",
    "RecordedRequest": "fake_api",
    "documents": "_strategies",
    "flows": "_strategies",
    "verb_strategy": "_strategies",
    "verbs": "_strategies",
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{module_name}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

"""exoml: compose, validate, lint and send Exotel ExoML for the Leg Actions API.

>>> from exoml import Flow, Say
>>> print(Flow().answer().say("Hello").gather(Say("Enter your PIN"), num_digits=4))
<Flow><Answer/><Say>Hello</Say><Gather numDigits="4"><Say>Enter your PIN</Say></Gather></Flow>

Names are loaded on first use, so ``import exoml`` (and the linter) stays fast and does
not import the HTTP client; a clean lint run does not even load the diagnostics and
exceptions.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._public import VERB_NAMES as _VERB_NAMES

if TYPE_CHECKING:
    from ._check import validate
    from ._client import ActionAccepted, AsyncLegsClient, LegsClient
    from ._diagnostics import Diagnostic, Edit, Fix, Severity
    from ._errors import (
        ApiError,
        AuthenticationError,
        BridgeNotFoundError,
        ClientClosedError,
        EventError,
        ExomlError,
        FlowError,
        InvalidExomlError,
        LegNotFoundError,
        NotFoundError,
        PermissionDeniedError,
        RateLimitError,
        ResponseTooLargeError,
        ServerError,
        TransportError,
    )
    from ._flow import Flow, Verb
    from ._legs import Bridge, ExternalEvent, Leg
    from ._schema import schema_path
    from ._verbs import *  # noqa: F403 - the verb classes, one per catalogue row

__version__ = "0.1.0"

# The verb classes are not named here: one per catalogue row (``_public.py``, generated
# from the catalogue), they join __all__ below.
__all__ = [
    "ActionAccepted",
    "ApiError",
    "AsyncLegsClient",
    "AuthenticationError",
    "Bridge",
    "BridgeNotFoundError",
    "ClientClosedError",
    "Diagnostic",
    "Edit",
    "EventError",
    "ExomlError",
    "ExternalEvent",
    "Fix",
    "Flow",
    "FlowError",
    "InvalidExomlError",
    "Leg",
    "LegNotFoundError",
    "LegsClient",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseTooLargeError",
    "ServerError",
    "Severity",
    "TransportError",
    "Verb",
    "schema_path",
    "validate",
]
__all__ += _VERB_NAMES
__all__.sort()

_ERROR_NAMES = [
    "ApiError",
    "AuthenticationError",
    "BridgeNotFoundError",
    "ClientClosedError",
    "EventError",
    "ExomlError",
    "FlowError",
    "InvalidExomlError",
    "LegNotFoundError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseTooLargeError",
    "ServerError",
    "TransportError",
]
# Every public name not listed here is a verb class, Flow or Verb, from ._flow: the verbs
# come from the catalogue, not from a list here. A test checks that every name in
# __all__ resolves.
_LAZY: dict[str, str] = {
    **dict.fromkeys(_ERROR_NAMES, "._errors"),
    **dict.fromkeys(["Diagnostic", "Edit", "Fix", "Severity"], "._diagnostics"),
    "validate": "._check",
    "schema_path": "._schema",
    "LegsClient": "._client",
    "AsyncLegsClient": "._client",
    "ActionAccepted": "._client",
    **dict.fromkeys(["Bridge", "ExternalEvent", "Leg"], "._legs"),
}

if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        module = _LAZY.get(name, "._flow" if name in __all__ else None)
        if module is None:
            raise AttributeError(f"module 'exoml' has no attribute {name!r}")
        value = getattr(importlib.import_module(module, __name__), name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

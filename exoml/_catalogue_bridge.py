"""The bridge dialect's catalogue: the ``<Flow>`` the Bridge Actions endpoint takes.

``POST /v2/accounts/{sid}/bridges/{bridge_sid}/actions`` takes a ``<Flow>`` like the leg
actions, with another verb set: Exotel's request/response payload page for bridge
actions (``docs``, lowercase) shows ``Refer`` with ``bridgeEventEndpoint`` (required),
``StartPlay`` with a URL as its text, and ``StopPlay``. That page is cut after
``StopPlay``, so the list may be longer: a verb missing here is one no source shows for
bridges yet, and adding it is one row. Casing follows the leg actions' spelling of the
same names.

``StartPlay``'s attributes: the bridge payload page lists only the URL (its text) and
calls it a "public or authenticated audio file url"; no bridge page shows an attribute,
and none says the bridge refuses one. Exotel's leg-action pages (the seed and the
developer portal) document ``loop`` (0 to 10) and ``username``/``password`` on the leg
action ``StartPlay``, which the bridge's categorized overview describes in the same words
("plays an audio file from a url"), with the same events. They are accepted here with
the leg action's rules and evidence, marked as borrowed: warning EX510 says that no
bridge page shows them (an error would fail a document Exotel may well accept; silence
would claim a page that does not exist).
"""

from __future__ import annotations

from typing import cast

from . import _catalogue
from ._catalogue import ROOT, Attr, Dialect, Evidence, Text, VerbSpec
from ._values import Pattern

__all__ = ["BRIDGE", "BRIDGE_VERBS"]

_DOCS: Evidence = ("docs",)
# The leg actions' URL rule (the module is half-imported here while it registers this
# one, so mypy cannot infer the type on its own).
_URL = cast("Pattern", _catalogue.HTTP_URL)  # type: ignore[has-type]
#: The leg action of the same name, whose attributes the bridge's borrows (see above).
_LEG_START_PLAY: VerbSpec = next(v for v in _catalogue.VERBS if v.element == "StartPlay")
#: Where the bridge's events go: gRPC (the bridge page writes ``grpc://host:port``;
#: Exotel's create-leg examples leave the port out) or an HTTPS URL.
_ENDPOINT = Pattern(
    "grpcs?://[^ \\t\\n\\r/?#:]+(:[0-9]+)?|https://[^ \\t\\n\\r/?#]+([/?#][^ \\t\\n\\r]*)?",
    "must be grpc://host[:port], grpcs://host[:port] or an absolute https:// URL",
    "`grpc://host[:port]` or `https://` URL",
    "grpc://events.example.com:9001",
)

BRIDGE_VERBS: tuple[VerbSpec, ...] = (
    VerbSpec(
        "Refer",
        "refer",
        "Change where the bridge's events are delivered.",
        _DOCS,
        attrs=(
            Attr(
                "bridgeEventEndpoint",
                "bridge_event_endpoint",
                _ENDPOINT,
                "The new event endpoint for the bridge.",
                required=True,
            ),
        ),
    ),
    VerbSpec(
        "StartPlay",
        "start_play",
        "Play an audio file to every leg in the bridge.",
        _DOCS,
        attrs=tuple(
            a._replace(evidence=a.sources(_LEG_START_PLAY), borrowed_from="legs")
            for a in _LEG_START_PLAY.attrs
        ),
        text=Text("url", _URL, "The audio file's URL."),
        events=("play_started", "play_completed", "play_interrupted", "play_failed_to_start"),
    ),
    VerbSpec("StopPlay", "stop_play", "Stop audio playback in the bridge.", _DOCS),
)

#: Bridge actions: ``POST /v2/accounts/{sid}/bridges/{bridge_sid}/actions``.
BRIDGE = Dialect(
    "bridge",
    ROOT,
    BRIDGE_VERBS,
    "exoml-bridge.xsd",
    "Bridge actions",
    "The `<Flow>` that the Bridge Actions endpoint takes to act on a bridge of legs.",
)

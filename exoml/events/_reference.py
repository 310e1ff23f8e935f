"""The events reference page (``docs/events.md``), generated from the catalogue's events."""

from __future__ import annotations

__all__ = ["event_reference"]

_SOURCES = {
    "cased-docs": "Exotel's developer portal",
    "seed": "the Leg Actions page",
    "docs": "Exotel's other docs pages",
    "go-sdk": "Exotel's Go library",
    "third-party": "third-party code",
}

_FIELDS = (
    ("event_sid", "`event_sid`", "string, required", "The event's id; the dedup key."),
    ("event_type", "`event_type`", "string", "`leg_lifecycle_event`, `leg_action_event` or "
     "`bridge_lifecycle_event`."),
    ("event_name", "`event_name`", "string, required", "What happened; see the table below."),
    ("event_timestamp", "`event_timestamp`", "ISO 8601, `Z`",
     "A timezone-aware `datetime`, or `None` when missing or unreadable."),
    ("action_sid", "`action_sid`", "string", "The action the event is about."),
    ("action_custom_parameter", "`action_custom_parameter`", "string",
     "The `custom_param` you sent with the action, echoed."),
    ("event_data", "`event_data`", "object", "Event-specific: `{\"data\": {...}}`."),
    ("leg_sid", "`data.leg_sid`", "string",
     "The leg (from `data`, else `event_data.data.leg_sid` or `event_data.leg_sid`)."),
    ("attempt", "header `X-Exotel-Request-Id`", "`<event_sid>-<attempt>`",
     "The delivery attempt, 1 to 3."),
    ("raw", "the whole body", "object", "Every field, known or not, read-only."),
)  # fmt: skip


def event_reference() -> str:
    """The Markdown events reference, generated from the catalogue."""
    from .._catalogue import EVENTS, VERBS

    emitted_by: dict[str, list[str]] = {}
    for verb in VERBS:
        for name in verb.events:
            emitted_by.setdefault(name, []).append(verb.element)
    out = [
        "# Events reference\n\n",
        "<!-- Generated from the catalogue by `make schema`; do not edit by hand. -->\n\n",
        "Exotel posts one JSON event to your event endpoint for everything that happens on "
        "a leg or a bridge. This page lists the event names the sources show, what each "
        "carries and which verb emits it; the [receiver guide](guide/events.md) shows how "
        "to receive them with `exoml.events`.\n\n",
        "Names marked **third-party** appear only in public code that follows Exotel's API "
        "specification, not in Exotel's documentation: plausible, unconfirmed. "
        "`exoml.events` accepts every name, listed or not, and keeps every field.\n\n",
        "## Delivery\n\n",
        "- `POST` with a JSON body; any 2xx acknowledges (the receiver answers 200). "
        "Answer at once and send the next action afterwards with the actions API.\n",
        "- Up to 3 attempts about a second apart on 408, 429, 5xx, time-outs and connection "
        "errors; other 4xx are not retried; after the last attempt the event is dropped.\n",
        "- Headers: `User-Agent: Exotel-Hermix/<version>`, `X-Exotel-Event-Sid` (the "
        "`event_sid`), `X-Exotel-Request-Id: <event_sid>-<attempt>`, and "
        "`Authorization: Basic ...` when basic auth is configured for the endpoint. No "
        "signature scheme is documented.\n\n",
        "## Body\n\n",
        "| `Event` attribute | From | Type | Meaning |\n|---|---|---|---|\n",
    ]
    for attribute, source, kind, meaning in _FIELDS:
        out.append(f"| `{attribute}` | {source} | {kind} | {meaning} |\n")
    out.append(
        "\nThe body's `data` object describes the leg (`leg_sid`, `account_sid`, "
        "`contact_uri`, `exophone`, `state`, `start_time`, `end_time`, `date_created`, "
        "`date_updated`): `Event.data`. Shortcuts: `Event.digits` "
        "(`event_data.data.digits`), `Event.bridge_sid`.\n\n"
    )
    out.append("## Events by verb\n\n| Verb | Can emit |\n|---|---|\n")
    for verb in VERBS:
        if verb.events:
            names = ", ".join(f"[`{n}`](#{n})" for n in verb.events)
            out.append(f"| [`{verb.element}`](verbs.md#{verb.element.lower()}) | {names} |\n")
    out.append(
        "\nEvents that no verb emits come from the leg itself (`leg_ringing`, "
        "`leg_terminated`, ...) or from a bridge.\n\n"
    )
    out.append(
        "## Every event\n\n"
        "| Event | `event_type` | Evidence | Emitted by | `event_data.data` | Meaning |\n"
        "|---|---|---|---|---|---|\n"
    )
    for spec in EVENTS:
        types = ", ".join(f"`{t}`" for t in spec.types)
        evidence = "documented" if spec.documented else "**third-party**"
        sources = "; ".join(_SOURCES.get(s, s) for s in spec.evidence)
        verbs = ", ".join(f"`{v}`" for v in emitted_by.get(spec.name, ())) or "—"
        fields = ", ".join(f"`{f}`" for f in spec.data) or "—"
        out.append(
            f'| <a id="{spec.name}"></a>`{spec.name}` | {types} | {evidence} ({sources}) '
            f"| {verbs} | {fields} | {spec.doc} |\n"
        )
    out.append(
        "\n## Where the sources disagree\n\n"
        "- `leg_answered` comes as `leg_action_event` on the event endpoint page and as "
        "`leg_lifecycle_event` on older pages: both are listed, and a handler registered "
        'with `on("leg_answered")` gets it either way.\n'
        "- The end of a bridge is `bridge_terminal` on one page and `bridge_terminated` "
        'on an older one: register both, `on("bridge_terminal", "bridge_terminated")`.\n'
        '- The acknowledgement is "return 200" on one page and "any 2xx" on another: the '
        "receiver answers 200, which satisfies both.\n"
    )
    return "".join(out)

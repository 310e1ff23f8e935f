"""EX502 polly-voice-engine: ``pollyVoiceId`` with an engine other than polly (warning).

``pollyVoiceId`` names an Amazon Polly voice; with ``preferredTTSEngine="googletts"``
it has no effect. (The catalogue records which attribute depends on which value.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._catalogue import DIALECTS
from ._base import Rule

if TYPE_CHECKING:
    from lxml import etree

    from .._catalogue import VerbSpec
    from .._check import Context


def _needles() -> tuple[str, ...]:
    # On a document the schema accepts, the attribute another depends on holds one of
    # its kind's values: the rule can speak only where it holds another than the one
    # wanted, so those values are the needles (most documents name the engine they
    # want, and nothing runs for them). A value written with character references
    # (``&#103;oogletts``) reads the same once parsed: "&#" is a needle too. Where the
    # attribute depended on is not a choice, the dependent attribute's name is.
    found = set()
    for d in DIALECTS.values():
        for v in d.verbs:
            for a in v.attrs:
                if a.only_with is None:
                    continue
                other, wanted = a.only_with
                values = getattr(v.attr(other).kind, "values", None)
                if values is None:
                    found.add(a.name)
                else:
                    found.update(x for x in values if x != wanted)
                    found.add("&#")
    return tuple(sorted(found))


RULE = Rule(
    code="EX502",
    name="polly-voice-engine",
    severity="warning",
    summary="pollyVoiceId with an engine other than polly",
    doc=__doc__ or "",
    fixable=False,
    bad='<Flow><Say preferredTTSEngine="googletts" pollyVoiceId="Aditi">Hi</Say></Flow>',
    good='<Flow><Say preferredTTSEngine="polly" pollyVoiceId="Aditi">Hi</Say></Flow>',
    needles=_needles(),
    # Not quiet-covered: XSD 1.0 cannot tie one attribute's value to another's presence,
    # and a quiet schema that refused every other engine would send each document with
    # one the longer way; the needle is cheaper.
)


def message(engine: str, name: str = "pollyVoiceId", other: str = "preferredTTSEngine") -> str:
    return f'{name} has no effect with {other}="{engine}"'


def check_element(
    ctx: Context, el: etree._Element, spec: VerbSpec | None, parent: VerbSpec | None
) -> None:
    if spec is None:
        return
    for attr in spec.attrs:
        if attr.only_with is None or el.get(attr.name) is None:
            continue
        other, wanted = attr.only_with
        value = el.get(other)
        if value is not None and value != wanted:
            offset = ctx.attribute_offset(el, attr.name)
            ctx.add(RULE, message(value, attr.name, other), offset=offset)

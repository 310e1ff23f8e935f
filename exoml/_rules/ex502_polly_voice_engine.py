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


def _needles() -> tuple[tuple[str, ...], tuple[str, ...]]:
    # The rule speaks about an attribute that depends on another's value (its name is a
    # needle) when that other holds a value but the one wanted. On a document the schema
    # accepts, that is one of its kind's other values: those are needles too, and one of
    # them must be there as well (most documents name the engine they want, and nothing
    # runs for them). A value written with character references (``&#103;oogletts``)
    # reads the same once parsed: "&#" is one of them. Where the attribute depended on is
    # not a choice, the name alone is the needle.
    names: set[str] = set()
    values: set[str] = {"&#"}
    open_values = False
    for d in DIALECTS.values():
        for v in d.verbs:
            for a in v.attrs:
                if a.only_with is None:
                    continue
                names.add(a.name)
                other, wanted = a.only_with
                choices = getattr(v.attr(other).kind, "values", None)
                if choices is None:
                    open_values = True
                else:
                    values.update(x for x in choices if x != wanted)
    return tuple(sorted(names)), () if open_values else tuple(sorted(values))


NEEDLES, NEEDLES_TOO = _needles()


RULE = Rule(
    code="EX502",
    name="polly-voice-engine",
    severity="warning",
    summary="pollyVoiceId with an engine other than polly",
    doc=__doc__ or "",
    fixable=False,
    bad='<Flow><Say preferredTTSEngine="googletts" pollyVoiceId="Aditi">Hi</Say></Flow>',
    good='<Flow><Say preferredTTSEngine="polly" pollyVoiceId="Aditi">Hi</Say></Flow>',
    needles=NEEDLES,
    needles_too=NEEDLES_TOO,
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

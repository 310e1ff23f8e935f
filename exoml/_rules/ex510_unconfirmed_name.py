"""EX510 unconfirmed-name: a name that only third-party code shows (warning).

Exotel publishes ExoML in several places; the catalogue records, for every element,
attribute and nesting, which of them show it. A name that none of Exotel's own sources
shows, only third-party code that follows Exotel's API specification, is plausible but
unconfirmed: it is accepted, with this warning, so that a team knows it rests on no
Exotel page (``StartRecording``'s ``bitrate`` or ``storageURL``, ``Dial``'s
``timeout``, ``SendDigits``'s ``duration``...). ``--ignore EX510`` silences it;
``--strict`` makes it fail. A name Exotel documents never gets it, and a typo of one is
an error (EX203), not this.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._catalogue import DIALECTS, SOURCE_NAMES, Evidence, documented
from ._base import Rule

if TYPE_CHECKING:
    from lxml import etree

    from .._catalogue import Attr, VerbSpec
    from .._check import Context


def _needles() -> tuple[str, ...]:
    # A schema-valid document that uses such a name names the element that holds it.
    found: set[str] = set()
    for d in DIALECTS.values():
        for v in d.verbs:
            unconfirmed = (
                not documented(v.evidence)
                or any(not documented(a.sources(v)) for a in v.attrs)
                or any(not documented(e) for _, e in v.children_evidence)
            )
            if unconfirmed:
                found.add(v.element)
    return tuple(sorted(found))


RULE = Rule(
    code="EX510",
    name="unconfirmed-name",
    severity="warning",
    summary="A name that only third-party code shows, not Exotel's documentation",
    doc=__doc__ or "",
    fixable=False,
    bad='<Flow><StartRecording direction="both" bitrate="32000"/></Flow>',
    good='<Flow><StartRecording direction="both"/></Flow>',
    needles=_needles(),
    quiet_covered=True,
)


def where(evidence: Evidence) -> str:
    """Where a name was seen, in words."""
    return "; ".join(SOURCE_NAMES[s] for s in evidence)


def message(what: str, evidence: Evidence) -> str:
    return f"{what} is not in Exotel's documentation: seen only in {where(evidence)}"


HINT = "check that the API accepts it (the catalogue records it as unconfirmed)"


def check_element(
    ctx: Context, el: etree._Element, spec: VerbSpec | None, parent: VerbSpec | None
) -> None:
    if spec is None:
        return
    if not documented(spec.evidence):
        ctx.add(RULE, message(f"<{spec.element}>", spec.evidence), element=el, hint=HINT)
    if parent is not None and spec.element in parent.children:
        evidence = parent.child_sources(spec.element)
        if not documented(evidence):
            what = f"<{spec.element}> inside <{parent.element}>"
            ctx.add(RULE, message(what, evidence), element=el, hint=HINT)


def check_attribute(
    ctx: Context,
    el: etree._Element,
    spec: VerbSpec | None,
    qname: str,
    value: str,
    attr: Attr | None,
) -> None:
    if attr is None or spec is None:
        return
    evidence = attr.sources(spec)
    if not documented(evidence):
        what = f"<{spec.element}> attribute {attr.name}"
        ctx.add(RULE, message(what, evidence), offset=ctx.attribute_offset(el, qname), hint=HINT)

"""Generate the XSD 1.0 schema of each dialect from its catalogue.

``schema/exoml.xsd`` is the leg actions' schema; ``schema/exoml-bridge.xsd`` and
``schema/exoml-classic.xsd`` are the bridge actions' and the classic ``<Response>``'s.

The schema encodes every bound, enumeration, required attribute, text rule and child
rule that XSD 1.0 can express. Types are derived from ``xs:string`` with patterns rather
than from ``xs:integer``/``xs:boolean``, whose white-space collapsing and lexical
variants (``+5``, `` 5 ``, ``1`` for true) would accept what the API does not.

Only the root (``Flow``, or ``Response``) is a global element, so a document rooted at a
verb is invalid, as it is for the check engine. A verb that takes either text or child
elements (the classic ``Dial``) has mixed content, whose text XSD 1.0 cannot constrain:
the check engine does.
"""

from __future__ import annotations

from ._catalogue import LEGS, WS_URL, Attr, Dialect, VerbSpec, documented
from ._values import Pattern, ValueKind

__all__ = ["generate_quiet_xsd", "generate_xsd", "quiet_dialect"]

_HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated from exoml's verb catalogue by `make schema`. Do not edit by hand. -->
<!-- ExoML, {title}: {summary} -->
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="unqualified">
"""


def _simple_type_name(kind: ValueKind, names: dict[int, str], wanted: str) -> str:
    key = id(kind)
    if key not in names:
        names[key] = wanted
    return names[key]


def _attr_type_name(spec: VerbSpec, attr: Attr) -> str:
    return f"{spec.element}.{attr.name}"


def generate_xsd(dialect: Dialect = LEGS) -> str:
    """The XSD of ``dialect`` as text, deterministic for a given catalogue."""
    summary = dialect.summary.replace("`", "").replace("--", "-")
    out: list[str] = [_HEADER.replace("{title}", dialect.title).replace("{summary}", summary)]
    w = out.append
    verbs = dialect.verbs
    root = dialect.root
    # One named simple type per distinct value kind (shared kinds share a type).
    names: dict[int, str] = {}
    kinds: dict[str, ValueKind] = {}
    for spec in verbs:
        for attr in spec.attrs:
            name = _simple_type_name(attr.kind, names, _attr_type_name(spec, attr))
            kinds.setdefault(name, attr.kind)
        if spec.text is not None:
            name = _simple_type_name(spec.text.kind, names, f"{spec.element}.text")
            kinds.setdefault(name, spec.text.kind)

    w(f'\n  <xs:element name="{root}" type="{root}Type"/>\n\n')
    w(f'  <xs:complexType name="{root}Type">\n')
    w('    <xs:choice minOccurs="1" maxOccurs="unbounded">\n')
    for element in dialect.top_level:
        w(f'      <xs:element name="{element}" type="{element}Type"/>\n')
    w("    </xs:choice>\n  </xs:complexType>\n")

    for spec in verbs:
        evidence = "casing unconfirmed" if not spec.casing_confirmed else "casing confirmed"
        w(f"\n  <!-- {spec.element}: {spec.summary} ({evidence}) -->\n")
        required = ' use="required"'
        attrs = "".join(
            f'      <xs:attribute name="{a.name}" type="{names[id(a.kind)]}"'
            f"{required if a.required else ''}/>\n"
            for a in spec.attrs
        )
        if spec.text is not None and spec.markup:
            # text with inline markup (SSML): mixed content (the engine checks the text)
            w(f'  <xs:complexType name="{spec.element}Type" mixed="true">\n')
            w('    <xs:choice minOccurs="0" maxOccurs="unbounded">\n')
            for name in spec.markup:
                w(f'      <xs:element name="{name}" type="markup"/>\n')
            w("    </xs:choice>\n")
            w(attrs.replace("      <xs:attribute", "    <xs:attribute"))
            w("  </xs:complexType>\n")
        elif spec.text is not None and spec.children:
            # text or children: mixed content (the engine checks the text)
            w(f'  <xs:complexType name="{spec.element}Type" mixed="true">\n')
            high = "unbounded" if spec.max_children is None else str(spec.max_children)
            w(f'    <xs:choice minOccurs="0" maxOccurs="{high}">\n')
            for child in spec.children:
                w(f'      <xs:element name="{child}" type="{child}Type"/>\n')
            w("    </xs:choice>\n")
            w(attrs.replace("      <xs:attribute", "    <xs:attribute"))
            w("  </xs:complexType>\n")
        elif spec.text is not None:
            w(f'  <xs:complexType name="{spec.element}Type">\n    <xs:simpleContent>\n')
            w(f'      <xs:extension base="{names[id(spec.text.kind)]}">\n')
            w(attrs.replace("      <xs:attribute", "        <xs:attribute"))
            w("      </xs:extension>\n    </xs:simpleContent>\n  </xs:complexType>\n")
        elif spec.children:
            w(f'  <xs:complexType name="{spec.element}Type">\n')
            high = "unbounded" if spec.max_children is None else str(spec.max_children)
            w(f'    <xs:choice minOccurs="0" maxOccurs="{high}">\n')
            for child in spec.children:
                w(f'      <xs:element name="{child}" type="{child}Type"/>\n')
            w("    </xs:choice>\n")
            w(attrs.replace("      <xs:attribute", "    <xs:attribute"))
            w("  </xs:complexType>\n")
        else:
            w(f'  <xs:complexType name="{spec.element}Type">\n')
            w(attrs.replace("      <xs:attribute", "    <xs:attribute"))
            w("  </xs:complexType>\n")

    if any(spec.markup for spec in verbs):
        # inline markup is allowed by name and not checked inside, as the engine does
        w("\n  <!-- Inline markup (SSML), not checked inside -->\n")
        w('  <xs:complexType name="markup" mixed="true">\n    <xs:sequence>\n')
        w('      <xs:any processContents="skip" minOccurs="0" maxOccurs="unbounded"/>\n')
        w('    </xs:sequence>\n    <xs:anyAttribute processContents="skip"/>\n')
        w("  </xs:complexType>\n")
    w("\n  <!-- Value types -->\n")
    for name, kind in kinds.items():
        w(f'  <xs:simpleType name="{name}">\n    <!-- {kind.rule} -->\n')
        w(f"    {kind.xsd_type()}\n  </xs:simpleType>\n")
    w("</xs:schema>\n")
    return "".join(out)


# --- the quiet schemas ----------------------------------------------------------------
#
# A dialect's *quiet* schema accepts only documents about which no default rule has
# anything to say: the published schema (valid ExoML), less what the warnings and the
# checks XSD cannot state would report. The check engine validates with it first: a
# document it accepts is finished, with no rule to run and nothing to search for; any
# other document is validated against the published schema and walked as before. The
# schema is stricter than it must be where XSD cannot say exactly what a rule says (a
# stricter schema only sends more documents the longer way); rules that rely on it
# declare ``quiet_covered`` and the differential tests hold them to it.
#
# One thing it leaves to the engine: the number of actions under the root (EX501, where
# it applies). A schema that held one would refuse every document of several actions,
# and a refusal costs the validator an error log (and the parse that validates as it
# goes, an exception): the engine counts the root's children instead.

#: What a stream URL may be in a quiet document: the catalogue's pattern without its
#: ``ws://`` half (EX503 warns about it).
SECURE_WS_URL = Pattern(
    WS_URL.pattern.replace("wss?://", "wss://", 1),
    "must be an absolute wss:// URL without spaces",
    "`wss://` URL",
    "wss://bot.example.com/stream",
)
if SECURE_WS_URL.pattern == WS_URL.pattern:  # pragma: no cover
    raise AssertionError("the stream URL's pattern no longer starts with wss?://")


def quiet_dialect(dialect: Dialect) -> Dialect:
    """``dialect`` less what a default rule would speak about, where a catalogue row can
    say it (see :func:`generate_quiet_xsd`)."""
    verbs = [v for v in dialect.verbs if documented(v.evidence)]  # EX510
    kept = {v.element for v in verbs}
    quiet: list[VerbSpec] = []
    for spec in verbs:
        # one_of (EX205, EX206): the group's first name, required; the others absent.
        dropped = {name for group in spec.one_of for name in group[1:]}
        firsts = {group[0] for group in spec.one_of}
        attrs: list[Attr] = []
        for a in spec.attrs:
            if a.name in dropped or not a.confirmed(spec):  # EX510
                continue
            if a.name in firsts:
                a = a._replace(required=True)
            if a.kind is WS_URL:  # EX503
                a = a._replace(kind=SECURE_WS_URL)
            attrs.append(a)
        children = tuple(
            c for c in spec.children if c in kept and documented(spec.child_sources(c))
        )  # EX510
        quiet.append(spec._replace(attrs=tuple(attrs), children=children, one_of=()))
    return dialect._replace(verbs=tuple(quiet))


def generate_quiet_xsd(dialect: Dialect = LEGS) -> str:
    """The quiet schema of ``dialect`` (see above): its documents have nothing to report,
    but for the number of actions (EX501), which the engine counts."""
    text = generate_xsd(quiet_dialect(dialect))
    return text.replace(
        "<!-- Generated from exoml's verb catalogue",
        "<!-- The quiet schema (internal): documents no default rule speaks about. -->\n"
        "<!-- Generated from exoml's verb catalogue",
        1,
    )

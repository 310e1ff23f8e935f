"""The judges of a document, and the short list of disagreements we can explain.

Four verdicts are taken on every document (True means "has an error"):

- ``validate``: ``exoml.validate``, as users call it (a schema-valid document takes the
  engine's fast path, which runs only the warning rules);
- ``walk``: the engine's full rule walk (``check_bytes(..., full=True)``), the path
  that explains problems, so it must agree with the schema on its own;
- ``lxml``: lxml's XSD validator, with its own compiled copy of ``schema/exoml.xsd``;
- ``xmlschema``: the pure-Python ``xmlschema`` package, with the same file.

``xmllint`` (libxml2's command-line validator, often a different libxml2 version from
lxml's) judges batches, when it is installed: see :func:`xmllint_verdicts`.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple
from xml.etree.ElementTree import ParseError

import xmlschema
from lxml import etree
from xmlschema.exceptions import XMLSchemaKeyError

from exoml import Diagnostic, schema_path, validate
from exoml._catalogue import DIALECTS
from exoml._check import check_bytes

XSI = "{http://www.w3.org/2001/XMLSchema-instance}"
#: As large as any mutant: the size cap is a byte-stage rule, outside the XSD's scope.
MAX_BYTES = 1 << 24


class Verdicts(NamedTuple):
    """What each judge said about one document (True: it has an error)."""

    validate: bool
    walk: bool
    lxml: bool
    xmlschema: bool
    diagnostics: tuple[Diagnostic, ...]  # the walk's
    dialect: str = "legs"  # what the document was judged as

    @property
    def agree(self) -> bool:
        """All four verdicts are the same."""
        return len({self.validate, self.walk, self.lxml, self.xmlschema}) == 1

    @property
    def codes(self) -> list[str]:
        """The walk's error codes."""
        return sorted({d.code for d in self.diagnostics if d.is_error})


class Explanation(NamedTuple):
    """A known, accepted reason for one judge to differ from the others.

    ``judge`` is the judge that stands alone: ``walk`` for a rule the XSD cannot
    express (``validate``, which trusts the schema for schema-valid documents, may side
    with either), or a validator for a deviation of that validator from XSD 1.0.
    """

    name: str
    judge: str
    reason: str
    applies: Callable[[bytes, Verdicts], bool]


def _xsi_attributes_only(data: bytes, v: Verdicts) -> bool:
    errors = [d for d in v.diagnostics if d.is_error]
    return bool(errors) and all(
        d.code == "EX203" and ("xsi:type" in d.message or "xsi:nil" in d.message) for d in errors
    )


def _one_of_codes(v: Verdicts) -> set[str]:
    """The codes of errors that only a one-of group caused (no XSD validator sees them)."""
    return {
        d.code
        for d in v.diagnostics
        if d.is_error
        and (d.code == "EX206" or (d.code == "EX205" and "(one of them)" in d.message))
    } - {
        d.code
        for d in v.diagnostics
        if d.is_error and d.code == "EX205" and "(one of" not in d.message
    }


def _one_of_with_empty_cdata(data: bytes, v: Verdicts) -> bool:
    # Two known facts at once: a one-of error (no validator sees it) and an empty CDATA
    # section in an empty verb (libxml2 alone refuses it): xmlschema alone accepts.
    return (
        bool(v.codes) and not set(v.codes) - _one_of_codes(v) and b"<![CDATA[]]>" in data and v.lxml
    )


def _unicode_space_between_elements(data: bytes, v: Verdicts) -> bool:
    # (xmlschema sees no one-of group error either: those may come along)
    if sorted(set(v.codes) - _one_of_codes(v)) != ["EX104"]:
        return False
    root = etree.fromstring(data, _PARSER)
    runs = [t for el in root.iter(*_ELEMENT_ONLY) for t in [el.text, *(c.tail for c in el)] if t]
    # Only text that Python's str.strip() removes and XML's S production does not.
    return all(not t.strip() for t in runs) and any(t.strip(" \t\n\r") for t in runs)


def _undeclared_root_with_xsi_type(data: bytes, v: Verdicts) -> bool:
    root = etree.fromstring(data, _PARSER)
    return root.tag != DIALECTS[v.dialect].root and root.get(f"{XSI}type") is not None


def _dial_text(data: bytes, v: Verdicts) -> bool:
    errors = [d for d in v.diagnostics if d.is_error]
    mixed = ("<Dial>", "<Say>")
    return (
        v.dialect == "classic"
        and bool(errors)
        and all(d.code in ("EX302", "EX104") and d.message.startswith(mixed) for d in errors)
    )


def _empty_cdata(data: bytes, v: Verdicts) -> bool:
    return not v.codes and b"<![CDATA[]]>" in data


def _one_of_group(data: bytes, v: Verdicts) -> bool:
    # Only EX205 for a one-of group (none set) and EX206 (several set).
    errors = [d for d in v.diagnostics if d.is_error]
    return bool(errors) and all(
        (d.code == "EX205" and "(one of them)" in d.message) or d.code == "EX206" for d in errors
    )


def _unicode_space_around_trimmed_text(data: bytes, v: Verdicts) -> bool:
    if sorted(set(v.codes) - _one_of_codes(v)) != ["EX302"]:
        return False
    root = etree.fromstring(data, _PARSER)
    trimmed = [
        (el.text or "")
        for el in root.iter()
        if isinstance(el.tag, str)
        and el.tag in _TRIMMED
        and (el.text or "").strip() != (el.text or "").strip(" \t\n\r")
    ]
    return bool(trimmed)


#: Every disagreement the differential tests accept, with its reason. Warnings (EX5xx)
#: are not listed: a verdict counts errors only, so a warning never makes one differ.
EXPLAINED: tuple[Explanation, ...] = (
    Explanation(
        "xsi:type and xsi:nil (EX203)",
        "walk",
        "Every XSD validator interprets xsi:type and xsi:nil itself, so a schema cannot "
        "forbid them, and xsi:type naming an element's own type is valid XSD. ExoML does "
        "not take them: the walk reports them as unknown attributes (EX203), and so do "
        "exoml.validate and the linter, which send any document in the xsi namespace "
        "through the walk.",
        _xsi_attributes_only,
    ),
    Explanation(
        "Unicode spaces between elements (EX104)",
        "xmlschema",
        "xmlschema tests element-only content with Python's str.strip(), so it lets "
        "U+00A0, U+0085, U+2028, U+3000 and other Unicode spaces stand between elements. "
        "XSD 1.0 allows only XML white space (space, tab, CR, LF) there, as lxml, "
        "xmllint and exoml do: a deviation of xmlschema, not a rule of ours.",
        _unicode_space_between_elements,
    ),
    Explanation(
        "a root other than Flow, with xsi:type (EX101)",
        "xmlschema",
        "Given a root element the schema does not declare, xmlschema validates it "
        "against the type its xsi:type names (XSD 1.0 allows this 'lax' start); "
        "libxml2 (lxml, xmllint) requires a declared root, and so does ExoML: the root "
        "must be <Flow>.",
        _undeclared_root_with_xsi_type,
    ),
    Explanation(
        "exactly one of url and streamUrl (EX205, EX206)",
        "walk",
        "StartStream takes its WebSocket URL as url (Exotel's cased documentation) or "
        "streamUrl (its other pages): exactly one of the two. XSD 1.0 cannot require one "
        "attribute of a set (xs:assert is XSD 1.1), so the schema makes both optional and "
        "the engine refuses none (EX205) or both (EX206); exoml.validate and the linter "
        "run those rules on schema-valid documents too.",
        _one_of_group,
    ),
    Explanation(
        "a one-of group error and an empty CDATA section in an empty verb",
        "xmlschema",
        "Both of the explanations above at once: the walk refuses a StartStream with no "
        "URL or two (which no XSD 1.0 validator can see), and libxml2 (lxml) refuses the "
        "empty CDATA section inside that empty verb; xmlschema sees neither.",
        _one_of_with_empty_cdata,
    ),
    Explanation(
        "Unicode spaces around a trimmed value (EX302)",
        "xmlschema",
        "A StartPlay URL or SendDigits digits may stand between XML white space (Exotel's "
        "examples indent them): the XSD derives their types from xs:token, whose white "
        "space is XML's (space, tab, CR, LF). xmlschema collapses it with Python's "
        "str.split(), which also removes U+00A0, U+0085, U+2028 and other Unicode spaces; "
        "lxml, xmllint and exoml keep them as part of the value, which the pattern then "
        "refuses.",
        _unicode_space_around_trimmed_text,
    ),
    Explanation(
        "the text of a classic Dial (EX302, EX104)",
        "walk",
        "A classic <Dial> takes either a number (or SIP URI) as text or <Number> children, "
        "and a classic <Say> text with SSML markup (say-as, break) in it. XSD 1.0 can only "
        "say that with mixed content, whose text it cannot constrain: the schema accepts "
        "any text there (none, a bad number, blank speech, text beside <Number> children), "
        "and the walk checks it (EX302 for the text, EX104 for text beside children).",
        _dial_text,
    ),
    Explanation(
        "an empty CDATA section in an empty verb",
        "lxml",
        "libxml2 counts an empty CDATA section (<Answer><![CDATA[]]></Answer>) as content "
        "of an element whose content must be empty. It holds no character, so XML and XSD "
        "1.0 read the element as empty, as xmlschema and exoml do.",
        _empty_cdata,
    ),
)

#: Why xmllint may differ from lxml (both are libxml2, of different versions).
XMLLINT_EXPLAINED = (
    "libxml2 2.9 (xmllint on many systems) refuses any CDATA section, even an empty or "
    "blank one, in element-only content (<Flow>, <Gather>, <Hold>) and in empty verbs; "
    "later versions (lxml's) and XSD 1.0 read a blank one as white space."
)


def xmllint_explained(data: bytes, xmllint_rejects: bool, lxml_rejects: bool) -> bool:
    """xmllint differs from lxml as :data:`XMLLINT_EXPLAINED` says."""
    return xmllint_rejects and not lxml_rejects and b"<![CDATA[" in data


def explanation(data: bytes, v: Verdicts) -> Explanation | None:
    """The entry of :data:`EXPLAINED` that accounts for ``v``'s disagreement, if any."""
    if v.agree:
        return None
    others = {
        "walk": (v.lxml, v.xmlschema),
        "xmlschema": (v.validate, v.walk, v.lxml),
        "lxml": (v.validate, v.walk, v.xmlschema),
    }
    alone = {"walk": v.walk, "xmlschema": v.xmlschema, "lxml": v.lxml}
    for e in EXPLAINED:
        rest = others[e.judge]
        if len(set(rest)) == 1 and alone[e.judge] != rest[0] and e.applies(data, v):
            return e
    return None


# Elements whose content is elements only (white space between them is formatting).
_ELEMENT_ONLY = tuple(
    {d.root for d in DIALECTS.values()}
    | {v.element for d in DIALECTS.values() for v in d.verbs if v.children and v.text is None}
)
# Elements whose text is checked after trimming XML white space.
_TRIMMED = {
    v.element
    for d in DIALECTS.values()
    for v in d.verbs
    if v.text is not None and getattr(v.text.kind, "trim", False)
}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


class Judges:
    """Compiled schemas, ready to judge many documents."""

    def __init__(self, xsd: Path | None = None, dialect: str = "legs") -> None:
        path = xsd or schema_path(dialect)
        self.dialect = dialect
        self.xsd_path = path
        self._lxml = etree.XMLSchema(etree.parse(str(path)))
        self._xmlschema: Any = xmlschema.XMLSchema10(str(path))

    def lxml_rejects(self, data: bytes) -> bool:
        """lxml's XSD validator finds an error (or the document is not well-formed)."""
        try:
            root = etree.fromstring(data, _PARSER)
        except etree.XMLSyntaxError:
            return True
        return not self._lxml.validate(root)

    def xmlschema_rejects(self, data: bytes) -> bool:
        """xmlschema finds an error (or cannot parse the document)."""
        try:
            return not self._xmlschema.is_valid(data.decode("utf-8"), use_location_hints=False)
        except (ParseError, xmlschema.XMLResourceError):
            return True
        except XMLSchemaKeyError:
            # xmlschema raises, rather than reports, an xsi:type it cannot resolve
            # (``xsi:type="xs:string"`` with no ``xs`` prefix in scope): a rejection.
            return True

    def judge(self, data: bytes) -> Verdicts:
        """Every judge's verdict on ``data``."""
        d = self.dialect
        walk = check_bytes(data, max_bytes=MAX_BYTES, full=True, dialect=d).diagnostics
        return Verdicts(
            validate=any(x.is_error for x in validate(data, max_bytes=MAX_BYTES, dialect=d)),
            walk=any(x.is_error for x in walk),
            lxml=self.lxml_rejects(data),
            xmlschema=self.xmlschema_rejects(data),
            diagnostics=tuple(walk),
            dialect=d,
        )


def xmllint() -> str | None:
    """The path of ``xmllint``, or None when it is not installed."""
    return shutil.which("xmllint")


def xmllint_verdicts(documents: Sequence[bytes], xsd: Path | None = None) -> list[bool]:
    """xmllint's verdict (True: error) on each document, in one run of xmllint."""
    tool = xmllint()
    assert tool is not None
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, data in enumerate(documents):
            path = Path(tmp) / f"{i}.xml"
            path.write_bytes(data)
            paths.append(str(path))
        run = subprocess.run(
            [tool, "--noout", "--nonet", "--schema", str(xsd or schema_path()), *paths],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=300,
            check=False,
        )
    valid = {
        line.rsplit(" ", 1)[0] for line in run.stderr.splitlines() if line.endswith(" validates")
    }
    return [p not in valid for p in paths]

"""The check engine behind ``exoml.validate``, ``Flow.parse`` and the linter.

Input goes through three stages, each a set of rules from ``exoml._rules``:

1. the bytes (size, encoding, DOCTYPE): source rules, before any parsing;
2. a hardened lxml parse (no DTD, no entities, no network, bounded depth);
3. one walk over the tree that calls the document and element rules.

Positions: libxml2 reports lines but not columns for elements and attributes, so a
scanner (:class:`_Positions`) maps every start tag, attribute and end tag of the decoded
text to offsets. It runs only when a diagnostic needs a position, so a clean document
pays nothing for it.
"""

from __future__ import annotations

import re
from _thread import _local as _thread_local
from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

from lxml import etree

if TYPE_CHECKING:
    from ._diagnostics import Diagnostic, Fix
    from ._rules._base import Rule

__all__ = [
    "DEFAULT_MAX_BYTES",
    "Report",
    "check_bytes",
    "check_document",
    "has_errors",
    "validate",
]

#: The default size cap: the API wants small documents.
DEFAULT_MAX_BYTES = 64 * 1024

_BOM = b"\xef\xbb\xbf"


def _parser() -> etree.XMLParser:
    # Nothing is loaded, expanded or fetched; depth stays at libxml2's safe default
    # (huge_tree off); CDATA is merged into text, as XML's data model says it is.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        strip_cdata=True,
        remove_blank_text=False,
        collect_ids=False,
    )


_PARSER = _parser()


class Report(NamedTuple):
    """What the engine found: diagnostics sorted by position, and what it read.

    ``text`` is the decoded document (None when the bytes were not UTF-8); ``root`` the
    parsed root element (None when parsing failed or was refused).
    """

    diagnostics: list[Diagnostic]
    text: str | None
    root: etree._Element | None = None

    @property
    def ok(self) -> bool:
        """True when no error was found (warnings allowed)."""
        return not any(d.severity == "error" for d in self.diagnostics)

    @staticmethod
    def elements(parent: etree._Element) -> Iterator[etree._Element]:
        """The child elements of ``parent``, without comments and processing instructions."""
        return (c for c in parent if isinstance(c.tag, str))


def element_text(el: etree._Element) -> str:
    """The character data of ``el`` with comments and processing instructions left out."""
    if len(el) == 0:
        return el.text or ""
    parts = [el.text or ""]
    parts.extend(c.tail or "" for c in el)
    return "".join(parts)


# --- positions --------------------------------------------------------------------------

_TOKEN = (
    r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<!.*?>"
    r"|</(?P<end>[^\s>]+)\s*>"
    r"|<(?P<start>[^\s/>!?]+)(?P<attrs>(?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(?P<slash>/?)>"
)
# The value is consumed with its quotes so that the scan never resumes inside it: from
# there, each space of a long blank value started a match that failed at the far end.
_ATTR = r"\s+(?P<name>[^\s=/>]+)\s*=\s*(?P<q>\"[^\"]*\"|'[^']*')"
_NEWLINE = r"\r\n|\r|\n"


class _Tag:
    """Where one element's tags are. A plain class: the scan fills in the end tag
    later, and a NamedTuple would cost an exec at import and a copy per end tag."""

    __slots__ = ("after", "attrs", "content", "end_name", "lt", "name")

    def __init__(self, lt: int, name: int, attrs: dict[str, tuple[int, int]], end: int) -> None:
        self.lt = lt  # offset of "<"
        self.name = name  # offset of the element name
        self.attrs = attrs  # qname -> (name offset, value offset)
        self.end_name: int | None = None  # offset of the end tag's name; None: self-closing
        self.content = end  # offset just after the start tag's ">"
        self.after = end  # offset just after the element (its end tag, or the "/>")


class _Positions:
    """Offsets of every element's tags in the decoded text, in document order."""

    def __init__(self, text: str) -> None:
        self.text = text
        # re caches compiled patterns; they are compiled here, on the first diagnostic,
        # not when the module is imported (the linter's start-up is measured).
        self.line_starts = [0] + [m.end() for m in re.finditer(_NEWLINE, text)]
        self.tags: list[_Tag] = []
        stack: list[int] = []
        attr_re = re.compile(_ATTR)
        for m in re.finditer(_TOKEN, text, re.DOTALL):
            if m.group("start") is not None:
                attrs: dict[str, tuple[int, int]] = {}
                base = m.start("attrs")
                for a in attr_re.finditer(m.group("attrs")):
                    attrs[a.group("name")] = (base + a.start("name"), base + a.start("q") + 1)
                closed = bool(m.group("slash"))
                self.tags.append(_Tag(m.start(), m.start("start"), attrs, m.end()))
                if not closed:
                    stack.append(len(self.tags) - 1)
            elif m.group("end") is not None and stack:
                tag = self.tags[stack.pop()]
                tag.end_name, tag.after = m.start("end"), m.end()

    def line_col(self, offset: int) -> tuple[int, int]:
        from bisect import bisect_right  # here: a clean run never needs it

        line = bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1] + 1


class Context:
    """The state of one check: the text, the tree, and the diagnostics so far."""

    def __init__(self, text: str, root: etree._Element | None) -> None:
        self.text = text
        self.root = root
        self.diagnostics: list[Diagnostic] = []
        self._positions: _Positions | None = None
        self._index: dict[etree._Element, int] | None = None

    # Positions are computed on the first diagnostic that needs one.
    @property
    def positions(self) -> _Positions:
        if self._positions is None:
            self._positions = _Positions(self.text)
        return self._positions

    def tag(self, el: etree._Element) -> _Tag | None:
        """The scanned tag of ``el`` (None if the scanner and the parser disagree)."""
        if self._index is None:
            assert self.root is not None
            self._index = {e: i for i, e in enumerate(self.root.iter(etree.Element))}
        i = self._index.get(el)
        tags = self.positions.tags
        return tags[i] if i is not None and i < len(tags) else None

    def element_offset(self, el: etree._Element) -> int | None:
        tag = self.tag(el)
        return None if tag is None else tag.lt

    def attribute_offset(self, el: etree._Element, qname: str) -> int | None:
        tag = self.tag(el)
        if tag is None:
            return None
        spot = tag.attrs.get(qname)
        return tag.lt if spot is None else spot[0]

    def text_offset(self, el: etree._Element) -> int | None:
        tag = self.tag(el)
        return None if tag is None else tag.content

    def tail_offset(self, el: etree._Element) -> int | None:
        """Where the text after ``el`` starts (elements only; else None)."""
        if not isinstance(el.tag, str):
            return None
        tag = self.tag(el)
        return None if tag is None else tag.after

    def add(
        self,
        rule: Rule,
        message: str,
        *,
        offset: int | None = None,
        line: int | None = None,
        column: int = 1,
        element: etree._Element | None = None,
        hint: str | None = None,
        fix: Fix | None = None,
    ) -> None:
        """Record a diagnostic at ``offset`` (or ``line``/``column``, or ``element``)."""
        if offset is None and element is not None:
            offset = self.element_offset(element)
            if offset is None:
                line = element.sourceline or 1
        if offset is not None:
            line, column = self.positions.line_col(offset)
        # Here, not at the top: a clean document never needs the class.
        from ._diagnostics import Diagnostic

        self.diagnostics.append(
            Diagnostic(rule.code, rule.severity, message, line or 1, column, hint, fix)
        )


# --- the entry points ---------------------------------------------------------------------


def check_bytes(
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    decoded: bool = False,
    full: bool = False,
) -> Report:
    """Check one document given as bytes; never raises on any input.

    ``decoded`` says the bytes came from a ``str`` (so an XML declaration's encoding is
    not the bytes' encoding and is not checked).

    Clean documents are the common case, so they take a short path: a document that is
    plainly UTF-8 with no DOCTYPE, that the compiled schema accepts, and that holds
    nothing any warning rule looks at, has no diagnostics, and the rule modules are not
    even imported for it. Everything else goes through the rules, which find and place
    every problem. ``full=True`` forces the complete walk (the differential tests use it
    to hold the walk and the schema to the same verdicts).
    """
    if not full:
        clean = _clean(data, max_bytes, decoded)
        if clean is not None:
            return clean
    from ._rules._source import check_source, parse_failure

    early = check_source(data, max_bytes, decoded=decoded)
    if isinstance(early, Report):
        return early
    text, body = early
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as exc:
        return Report(parse_failure(text, body, exc), text)
    ctx = Context(text, root)
    from ._rules._walk import walk, warnings

    if not full and _XSI not in text and _schema().validate(root):
        warnings(ctx)
    else:
        walk(ctx)
    if len(ctx.diagnostics) > 1:
        ctx.diagnostics.sort(key=_position)
    return Report(ctx.diagnostics, text, root)


# Any XML Schema validator lets xsi:type and xsi:nil through (they steer validation, they
# cannot be forbidden), while the walk refuses them (EX203): a document that mentions the
# namespace always takes the walk, so the schema's verdict is never the one used for it.
_XSI = "http://www.w3.org/2001/XMLSchema-instance"


def _clean(data: bytes, max_bytes: int, decoded: bool, warnings: bool = True) -> Report | None:
    """An empty report for a document that is certainly clean, else None (look closer).

    Every test here is conservative: anything a source rule or a warning rule could
    report sends the document down the full path, which decides. ``warnings=False``
    skips the warning rules' tests: a report then says only that there is no error.
    """
    if len(data) > max_bytes or (b"<!" in data and (b"<!DOCTYPE" in data or b"<!ENTITY" in data)):
        return None
    body = data[3:] if data[:3] == _BOM else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if text[:1] != "<" or _XSI in text:  # leading white space, a second BOM, xsi: ...
        return None
    if not decoded and text.startswith("<?xml"):
        declaration = text[: text.find("?>")].lower()
        if "encoding" in declaration and "utf-8" not in declaration:
            return None
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError:
        return None
    if warnings and _may_warn(root, text):
        return None
    if not _schema().validate(root):
        return None
    return Report([], text, root)


def _may_warn(root: etree._Element, text: str) -> bool:
    """Whether a warning rule could fire on a schema-valid document.

    The rules are tested as ``_rules._walk.warnings`` tests them (tests hold the two paths
    to the same findings): several verbs (EX501), a Polly voice with another engine
    (EX502), a ws:// stream URL (EX503). Substring tests rule out most documents before
    any element is touched.
    """
    if len(root) > 1 and sum(1 for c in root if c.tag.__class__ is str) > 1:
        return True
    if "pollyVoiceId" in text:
        for el in root.iter("Say"):
            if polly_engine_mismatch(el) is not None:
                return True
    if "ws://" in text:
        for el in root.iter("StartStream"):
            if insecure_stream(el):
                return True
    return False


# The two element-level warning tests, shared by the short path above and the rules
# (``_rules._walk``), so that both paths always agree.


def polly_engine_mismatch(say: etree._Element) -> str | None:
    """The engine of a ``<Say>`` that sets ``pollyVoiceId`` with an engine other than
    polly (EX502), else None."""
    engine = say.get("preferredTTSEngine")
    if engine is not None and engine != "polly" and say.get("pollyVoiceId") is not None:
        return engine
    return None


def insecure_stream(stream: etree._Element) -> bool:
    """Whether a ``<StartStream>`` streams to an unencrypted ws:// URL (EX503)."""
    url = stream.get("streamUrl")
    return url is not None and url.startswith("ws://")


def _position(d: Diagnostic) -> tuple[int, int]:
    return (d.line, d.column)


# threading.local is _thread._local; taken from _thread, it spares the linter's start-up
# the import of threading, which nothing else on its path needs.
_local = _thread_local()


def _schema() -> etree.XMLSchema:
    # lxml's validators keep per-run state: one compiled copy per thread.
    try:
        schema: etree.XMLSchema = _local.schema
        return schema
    except AttributeError:
        from ._schema import compile_schema

        _local.schema = compiled = compile_schema()
        return compiled


def check_document(source: str | bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Report:
    """Check a document given as ``str`` (already decoded) or ``bytes`` (UTF-8)."""
    kind = type(source)  # not source.__class__, which an object may fake
    if issubclass(kind, str):
        # the characters themselves, not what a subclass's encode says
        text = str.__str__(source)
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError as exc:
            # Lone surrogates: a str that no encoding can carry.
            from ._rules._source import surrogate_report

            return surrogate_report(text, exc.start)
        return check_bytes(data, max_bytes=max_bytes, decoded=True)
    if issubclass(kind, (bytes, bytearray, memoryview)):
        # the buffer's bytes, not what a subclass's __bytes__ says
        return check_bytes(bytes(memoryview(source)), max_bytes=max_bytes)  # type: ignore[arg-type]
    raise TypeError(f"source must be str or bytes, not {type(source).__name__}")


def has_errors(source: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bool:
    """Whether :func:`validate` would report an error in ``source`` (warnings aside).

    For callers that only refuse invalid documents, such as the clients before sending:
    a document with no error is accepted on the short path's tests alone, without
    locating the warnings it may have (which costs several times the check itself).
    """
    if type(source) is not str:
        return not check_document(source, max_bytes=max_bytes).ok
    try:
        data = source.encode("utf-8")
    except UnicodeEncodeError:
        return not check_document(source, max_bytes=max_bytes).ok
    if _clean(data, max_bytes, True, warnings=False) is not None:
        return False
    return not check_bytes(data, max_bytes=max_bytes, decoded=True).ok


def validate(source: str | bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> list[Diagnostic]:
    """Check an ExoML document against every catalogue rule; return what was found.

    Parsing is hardened (no DTD, no entities, no network, a size cap of ``max_bytes``).
    An empty list, or warnings only, means the document is valid.

    >>> from exoml import validate
    >>> validate("<Flow><Answer/></Flow>")
    []
    >>> [d.code for d in validate("<flow><answer/></flow>")]
    ['EX202', 'EX202']
    """
    return check_document(source, max_bytes=max_bytes).diagnostics

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

import bisect
import re
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

from lxml import etree

from ._diagnostics import Diagnostic, Fix

if TYPE_CHECKING:
    from ._rules._base import Rule

__all__ = ["DEFAULT_MAX_BYTES", "Report", "check_bytes", "check_document", "validate"]

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

_TOKEN = re.compile(
    r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<!.*?>"
    r"|</(?P<end>[^\s>]+)\s*>"
    r"|<(?P<start>[^\s/>!?]+)(?P<attrs>(?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(?P<slash>/?)>",
    re.DOTALL,
)
# The value is consumed with its quotes so that the scan never resumes inside it: from
# there, each space of a long blank value started a match that failed at the far end.
_ATTR = re.compile(r"\s+(?P<name>[^\s=/>]+)\s*=\s*(?P<q>\"[^\"]*\"|'[^']*')")
_NEWLINE = re.compile(r"\r\n|\r|\n")


class _Tag(NamedTuple):
    lt: int  # offset of "<"
    name: int  # offset of the element name
    attrs: dict[str, tuple[int, int]]  # qname -> (name offset, value offset)
    end_name: int | None  # offset of the name in the end tag, None when self-closing
    content: int  # offset just after the start tag's ">"
    after: int  # offset just after the element (its end tag, or the "/>")


class _Positions:
    """Offsets of every element's tags in the decoded text, in document order."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.line_starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]
        self.tags: list[_Tag] = []
        stack: list[int] = []
        for m in _TOKEN.finditer(text):
            if m.group("start") is not None:
                attrs: dict[str, tuple[int, int]] = {}
                base = m.start("attrs")
                for a in _ATTR.finditer(m.group("attrs")):
                    attrs[a.group("name")] = (base + a.start("name"), base + a.start("q") + 1)
                closed = bool(m.group("slash"))
                self.tags.append(_Tag(m.start(), m.start("start"), attrs, None, m.end(), m.end()))
                if not closed:
                    stack.append(len(self.tags) - 1)
            elif m.group("end") is not None and stack:
                i = stack.pop()
                self.tags[i] = self.tags[i]._replace(end_name=m.start("end"), after=m.end())

    def line_col(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.line_starts, offset)
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

    Clean documents are the common case: a document that the compiled schema accepts
    can only draw warnings, so only the warning rules run on it. Any other document
    gets the full walk, which finds and places every problem. ``full=True`` forces the
    walk (the differential tests use it to hold the walk and the schema to the same
    verdicts).
    """
    early = check_source(data, max_bytes, decoded=decoded)
    if isinstance(early, Report):
        return early
    text, body = early
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as exc:
        return Report(parse_failure(text, body, exc), text)
    ctx = Context(text, root)
    if not full and _schema().validate(root):
        warnings(ctx)
    else:
        walk(ctx)
    if len(ctx.diagnostics) > 1:
        ctx.diagnostics.sort(key=_position)
    return Report(ctx.diagnostics, text, root)


def _position(d: Diagnostic) -> tuple[int, int]:
    return (d.line, d.column)


_local = threading.local()


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
    if isinstance(source, str):
        try:
            data = source.encode("utf-8")
        except UnicodeEncodeError as exc:
            # Lone surrogates: a str that no encoding can carry.
            return surrogate_report(source, exc.start)
        return check_bytes(data, max_bytes=max_bytes, decoded=True)
    if isinstance(source, (bytes, bytearray, memoryview)):
        return check_bytes(bytes(source), max_bytes=max_bytes)
    raise TypeError(f"source must be str or bytes, not {type(source).__name__}")


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


# The rules import this module's Report and Context; they are imported last.
from ._rules._source import check_source, parse_failure, surrogate_report  # noqa: E402
from ._rules._walk import walk, warnings  # noqa: E402

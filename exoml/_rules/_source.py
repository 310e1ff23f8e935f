"""The byte stage: size, encoding and DOCTYPE checks before anything is parsed."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from lxml import etree

from .._check import Report
from . import (
    ex001_not_well_formed,
    ex002_empty_document,
    ex003_not_utf8,
    ex004_doctype,
    ex005_undeclared_entity,
    ex006_too_large,
    ex007_encoding_declaration,
)
from ._base import Rule

if TYPE_CHECKING:
    from .._diagnostics import Diagnostic

_BOM = b"\xef\xbb\xbf"
_XML_WS = " \t\n\r"
# Only the prolog (declaration, comments, PIs, white space) may stand before a DOCTYPE.
# Each PI and comment can only end at its first terminator: with lazy ``.*?`` one could
# also stretch over later ones, and a failed match then tries exponentially many splits
# (125 bytes of ``<?a?>`` took a second, 150 bytes minutes).
_DOCTYPE = re.compile(
    r"\A(?:\s|<\?[^?]*(?:\?(?!>)[^?]*)*\?>|<!--[^-]*(?:-(?!->)[^-]*)*-->)*<!DOCTYPE"
)
_DECLARATION = re.compile(
    rb"\A<\?xml[ \t\r\n][^>]*?\bencoding[ \t\r\n]*=[ \t\r\n]*"
    rb"(?:\"(?P<dq>[^\"]*)\"|'(?P<sq>[^']*)')"
)
_NEWLINE = re.compile(r"\r\n|\r|\n")


def _diag(
    rule: Rule, message: str, line: int = 1, column: int = 1, hint: str | None = None
) -> Diagnostic:
    from .._diagnostics import Diagnostic

    return Diagnostic(rule.code, rule.severity, message, line, column, hint)


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in code points) of ``offset`` in ``text``."""
    line, start = 1, 0
    for m in _NEWLINE.finditer(text, 0, offset):
        line, start = line + 1, m.end()
    return line, offset - start + 1


def check_source(data: bytes, max_bytes: int, *, decoded: bool) -> Report | tuple[str, bytes]:
    """Run the source rules: a finished ``Report``, or the text and bytes to parse."""
    if len(data) > max_bytes:
        r = ex006_too_large.RULE
        return Report([_diag(r, ex006_too_large.message(len(data), max_bytes))], None)
    body = data[3:] if data.startswith(_BOM) else data
    if not decoded and body.startswith(b"<?xml"):
        # The declaration is ASCII whatever the encoding it names: read it from the
        # bytes, so that a Latin-1 file that says so is told about its declaration
        # (EX007), not about its first non-UTF-8 byte.
        early = _declared_encoding(body)
        if early is not None:
            return early
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        good = body[: exc.start].decode("utf-8")
        line, col = line_col(good, len(good))
        bad = body[exc.start : exc.start + 1].hex()
        r = ex003_not_utf8.RULE
        return Report([_diag(r, ex003_not_utf8.message(bad), line, col)], None)
    if not text.strip(_XML_WS):
        return Report([_diag(ex002_empty_document.RULE, ex002_empty_document.MESSAGE)], text)
    if text.startswith("\ufeff"):
        # libxml2 would skip this second BOM as silently as the first; XML (and every
        # other parser) reads it as a character before the root element.
        msg = ex001_not_well_formed.message("a second byte order mark (U+FEFF) before the root")
        return Report([_diag(ex001_not_well_formed.RULE, msg)], text)
    m = _DOCTYPE.match(text) if "<!DOCTYPE" in text else None
    if m is not None:
        line, col = line_col(text, m.end() - len("<!DOCTYPE"))
        r = ex004_doctype.RULE
        return Report([_diag(r, ex004_doctype.MESSAGE, line, col, ex004_doctype.HINT)], text)
    return text, body


def _declared_encoding(body: bytes) -> Report | None:
    """EX007 when the XML declaration at the start of ``body`` names another encoding."""
    d = _DECLARATION.match(body)
    if d is None:
        return None
    group = "dq" if d.group("dq") is not None else "sq"
    name = d.group(group).decode("ascii", "backslashreplace")
    if name.lower().replace("_", "-") in ("utf-8", "utf8"):
        return None
    head = body[: d.start(group)].decode("utf-8", "replace")
    try:
        text: str | None = body.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    line, col = line_col(head, len(head))
    r = ex007_encoding_declaration.RULE
    return Report([_diag(r, ex007_encoding_declaration.message(name), line, col)], text)


_POSITION_SUFFIX = re.compile(r", line \d+, column \d+$")


def _char(hex_or_dec: str, base: int = 16) -> str:
    return f"U+{int(hex_or_dec, base):04X}"


_NOT_ALLOWED_REF = "a character reference names a character XML does not allow"
# libxml2's messages, in our words. Each pattern matches the start of a message (its
# position suffix removed); the first that matches gives the wording. Anything else
# falls back to the parser's own message, tidied (see ``parser_message``).
# The patterns are compiled as they are tried (re keeps them): a check that meets one
# broken document compiles only those before its message's, not all (the linter's run
# pays for what it uses).
_MESSAGES: tuple[tuple[str, str | None], ...] = tuple(
    (pattern, wording)
    for pattern, wording in (
        (r"Entity '(?P<a>[^']*)' not defined", "the entity &{a}; is not defined"),
        (
            r"Premature end of data in tag (?P<a>\S+) line (?P<b>\d+)",
            "the document ends before <{a}> (opened on line {b}) is closed",
        ),
        (
            r"Opening and ending tag mismatch: (?P<a>\S+) line (?P<b>\d+) and (?P<c>\S+)",
            "</{c}> does not close <{a}> (opened on line {b})",
        ),
        (
            r"Extra content at the end of the document",
            "content after the root element (a document has exactly one)",
        ),
        (r"Start tag expected, '<' not found", "expected the root element's start tag '<'"),
        (r"Document is empty", "no root element"),
        (r"StartTag: invalid element name", "an invalid element name after '<'"),
        (
            r"Specification mandates value for attribute (?P<a>\S+)",
            'attribute {a} has no value (write {a}="...")',
        ),
        (r"error parsing attribute name", "an invalid attribute name"),
        (r"attributes construct error", 'a malformed attribute (expected name="value")'),
        (r"Attribute (?P<a>\S+) redefined", "attribute {a} is given twice"),
        (r"AttValue:|String not started", "an attribute value must be in quotes"),
        (r"String not closed", "a quoted value is not closed"),
        (
            r"Unescaped '<' not allowed in attributes values",
            "'<' in an attribute value must be written &lt;",
        ),
        (
            r"invalid character in attribute value",
            "an attribute value holds a character XML does not allow",
        ),
        (
            r"Couldn't find end of Start Tag (?P<a>\S+)",
            "the start tag <{a}> is not closed with '>' or '/>'",
        ),
        (r"Failed to parse QName '(?P<a>[^']*)'", "'{a}' is not a valid name"),
        (
            r"Namespace prefix (?P<a>\S+) for (?P<b>\S+) on (?P<c>\S+) is not defined",
            "the namespace prefix {a} (attribute {b} of <{c}>) is not declared",
        ),
        (
            r"Namespace prefix (?P<a>\S+) on (?P<b>\S+) is not defined",
            "the namespace prefix {a} (of <{b}>) is not declared",
        ),
        (r"xmlns(?::\S+)?: Empty XML namespace", "a namespace prefix cannot be bound to ''"),
        (
            r"xmlns(?::\S+)?: '(?P<a>.*)' is not a valid URI",
            "the namespace name '{a}' is not a valid URI",
        ),
        (
            r"EntityRef: expecting ';'",
            "an entity reference is missing its ';' (write &amp; for a literal '&')",
        ),
        (
            r"xmlParseEntityRef: no name",
            "'&' must start an entity reference (write &amp; for a literal '&')",
        ),
        (r"xmlParseCharRef: invalid xmlChar value (?P<d>\d+)", _NOT_ALLOWED_REF),
        (r"xmlParseCharRef: character reference out of bounds", _NOT_ALLOWED_REF),
        (r"CharRef: invalid (?:hexadecimal|decimal) value", "a malformed character reference"),
        (
            r"(?:Invalid character: )?Char 0x(?P<x>[0-9A-Fa-f]+) out of allowed range",
            "character {x} is not allowed in XML",
        ),
        (r"PCDATA invalid Char value (?P<d>\d+)", "character {d} is not allowed in XML"),
        (
            r"xmlParseComment: invalid xmlChar value (?P<d>\d+)",
            "character {d} is not allowed in XML",
        ),
        (r"Comment not terminated", "a comment is not closed with '-->'"),
        (
            r"Double hyphen within comment|Comment must not contain '--'",
            "'--' is not allowed inside a comment",
        ),
        (r"CData section not finished", "a CDATA section is not closed with ']]>'"),
        (r"Sequence ']]>' not allowed in content", "']]>' is not allowed in text (write ]]&gt;)"),
        (r"xmlParsePI : no target name", "a processing instruction has no name"),
        (r"colons are forbidden from PI names", "a processing instruction's name has a ':'"),
        (r"ParsePI: PI (?P<a>\S+) never end", "the processing instruction <?{a} is not closed"),
        (r"ParsePI: PI (?P<a>\S+) space expected", "white space expected after <?{a}"),
        (
            r"XML declaration allowed only at the start",
            "an XML declaration may stand only at the very start of the document",
        ),
        (
            r"Malformed declaration expecting version",
            'the XML declaration must start with version="1.0"',
        ),
        (r"parsing XML declaration: '\?>' expected", "the XML declaration is not closed with '?>'"),
        (r"Unsupported version '(?P<a>[^']*)'", "XML version '{a}' is not supported (use 1.0)"),
        (r"Excessive depth in document: (?P<d>\d+)", "the elements nest deeper than {d} levels"),
        (r"Blank needed here", "white space expected here"),
        (r"Space required after '(?P<a>[^']*)'", "white space expected after '{a}'"),
        (r"expected '(?P<a>[^']*)'", "expected '{a}'"),
        (r"Input is not proper UTF-8", "the input is not UTF-8"),
        (r"Unregistered error message|Memory allocation failed|internal error", None),
    )
)


def parser_message(raw: str) -> str:
    """libxml2's message ``raw`` in the linter's words (never its own wording).

    A message the table does not know is tidied rather than dropped: its position
    suffix and libxml2's function names go, the first letter is lowered, and anything
    after its first line (libxml2 sometimes quotes the document) is cut.
    """
    raw = _POSITION_SUFFIX.sub("", raw.strip())
    for pattern, wording in _MESSAGES:
        m = re.match(pattern, raw)
        if m is None:
            continue
        if wording is None:
            break
        fields = m.groupdict()
        if fields.get("x") is not None:
            fields["x"] = _char(fields["x"])
        if fields.get("d") is not None:
            fields["d"] = _char(fields["d"], 10) if "{d} levels" not in wording else fields["d"]
        return wording.format(**fields)
    else:
        first = re.sub(r"^(?:xml\w*|Parse\w*) ?: ?", "", raw.split("\n", 1)[0]).strip()
        if first:
            return first[0].lower() + first[1:]
    return "the parser stopped here without saying why"


def parse_failure(text: str, body: bytes, exc: etree.XMLSyntaxError) -> list[Diagnostic]:
    """The one diagnostic for a document lxml could not parse, at lxml's position."""
    message = _POSITION_SUFFIX.sub("", exc.msg or "not well-formed")
    line, byte_col = exc.position if exc.position else (1, 1)
    # libxml2 reports (0, 0) when it fails without a position (out of memory, say).
    line, byte_col = max(line, 1), max(byte_col, 1)
    # libxml2 counts columns in bytes: convert to code points on that line.
    lines = body.split(b"\n")
    column = byte_col
    if 1 <= line <= len(lines):
        column = len(lines[line - 1][: max(byte_col - 1, 0)].decode("utf-8", "ignore")) + 1
    entity = _UNDEFINED_ENTITY.match(message)
    if entity is not None:
        # libxml2 points past the reference; point at its "&" (the first one on or
        # before the reported line that names this entity).
        name = entity.group(1)
        ref = text.find(f"&{name};")
        if ref >= 0:
            ref_line, ref_col = line_col(text, ref)
            if ref_line <= line:
                line, column = ref_line, ref_col
        r = ex005_undeclared_entity.RULE
        return [
            _diag(
                r,
                ex005_undeclared_entity.message(name),
                line,
                column,
                ex005_undeclared_entity.HINT,
            )
        ]
    r = ex001_not_well_formed.RULE
    hint = ex001_not_well_formed.hint(message)
    text_of = ex001_not_well_formed.message(parser_message(message))
    return [_diag(r, text_of, line, column, hint)]


_UNDEFINED_ENTITY = re.compile(r"Entity '([^']*)' not defined")


def surrogate_report(text: str, index: int) -> Report:
    """A ``str`` holding a lone surrogate: no encoding can carry it."""
    line, col = line_col(text, index)
    r = ex003_not_utf8.RULE
    msg = f"the text holds a lone surrogate U+{ord(text[index]):04X}, which UTF-8 cannot encode"
    return Report([_diag(r, msg, line, col)], None)

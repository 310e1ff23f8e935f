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
    r"\A<\?xml\s[^>]*?\bencoding\s*=\s*(?:\"(?P<dq>[^\"]*)\"|'(?P<sq>[^']*)')"
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
    if not decoded and text.startswith("<?xml"):
        d = _DECLARATION.match(text)
        if d is not None:
            name = d.group("dq") if d.group("dq") is not None else d.group("sq")
            if name.lower().replace("_", "-") not in ("utf-8", "utf8"):
                line, col = line_col(
                    text, d.start("dq") if d.group("dq") is not None else d.start("sq")
                )
                r = ex007_encoding_declaration.RULE
                return Report([_diag(r, ex007_encoding_declaration.message(name), line, col)], text)
    return text, body


_POSITION_SUFFIX = re.compile(r", line \d+, column \d+$")


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
    if "Entity '" in message and "not defined" in message:
        # libxml2 points past the reference; point at its "&" (the first one on or
        # before the reported line that names this entity).
        name = message.split("'")[1]
        ref = text.find(f"&{name};")
        if ref >= 0:
            ref_line, ref_col = line_col(text, ref)
            if ref_line <= line:
                line, column = ref_line, ref_col
        r = ex005_undeclared_entity.RULE
        return [
            _diag(
                r,
                ex005_undeclared_entity.message(message),
                line,
                column,
                ex005_undeclared_entity.HINT,
            )
        ]
    r = ex001_not_well_formed.RULE
    return [_diag(r, ex001_not_well_formed.message(message), line, column)]


def surrogate_report(text: str, index: int) -> Report:
    """A ``str`` holding a lone surrogate: no encoding can carry it."""
    line, col = line_col(text, index)
    r = ex003_not_utf8.RULE
    msg = f"the text holds a lone surrogate U+{ord(text[index]):04X}, which UTF-8 cannot encode"
    return Report([_diag(r, msg, line, col)], None)

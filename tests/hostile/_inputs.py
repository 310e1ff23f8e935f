"""Hostile inputs, shared by the engine tests, the CLI tests and the fuzz campaign.

Small inputs are built in memory; the large ones (a 50 MB file, 100,000 levels of
nesting, a 1 MB attribute value) are written on the fly by :func:`write_large`.
"""

from __future__ import annotations

import gzip
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

VALID = (
    b'<Flow><Gather numDigits="4" timeoutInSec="10" finishOnKey="#">'
    b"<Say>Enter your PIN</Say><StartPlay>https://example.com/a.wav</StartPlay></Gather>"
    b"</Flow>"
)

BOM_UTF8 = b"\xef\xbb\xbf"
BOM_UTF16_LE = b"\xff\xfe"
BOM_UTF16_BE = b"\xfe\xff"


class Case(NamedTuple):
    """One hostile input and the codes it may end with (empty: any; None: clean)."""

    name: str
    data: bytes
    codes: frozenset[str] | None = frozenset()


def _codes(*codes: str) -> frozenset[str]:
    return frozenset(codes)


def xxe_file(path: Path) -> bytes:
    """An external entity that would read ``path`` into a ``<Say>``."""
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE Flow [<!ENTITY x SYSTEM "file://{path}">]>\n'
        "<Flow><Say>&x;</Say></Flow>"
    ).encode()


def xxe_http(port: int) -> bytes:
    """An external entity that would fetch from 127.0.0.1:``port``."""
    return (
        f'<!DOCTYPE Flow [<!ENTITY x SYSTEM "http://127.0.0.1:{port}/x">]>'
        "<Flow><Say>&x;</Say></Flow>"
    ).encode()


def external_dtd(url: str) -> bytes:
    """A DOCTYPE that names an external DTD at ``url``."""
    return f'<!DOCTYPE Flow SYSTEM "{url}"><Flow><Say>Hi</Say></Flow>'.encode()


def parameter_entity(url: str) -> bytes:
    """A parameter entity that would load ``url`` while the DTD is read."""
    return f'<!DOCTYPE Flow [<!ENTITY % p SYSTEM "{url}"> %p;]><Flow><Answer/></Flow>'.encode()


def xinclude(url: str) -> bytes:
    """An XInclude element pointing at ``url`` (never processed)."""
    return (
        '<Flow xmlns:xi="http://www.w3.org/2001/XInclude">'
        f'<xi:include href="{url}" parse="text"/></Flow>'
    ).encode()


def schema_hints(url: str) -> bytes:
    """Schema location hints and a stylesheet PI pointing at ``url`` (never fetched)."""
    return (
        f'<?xml-stylesheet type="text/xsl" href="{url}"?>'
        '<Flow xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:noNamespaceSchemaLocation="{url}"><Answer/></Flow>'
    ).encode()


def billion_laughs(levels: int = 10) -> bytes:
    """The classic exponential entity expansion."""
    decls = ['<!ENTITY l0 "lol">']
    decls += [f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, levels)]
    return (f"<!DOCTYPE Flow [{''.join(decls)}]><Flow><Say>&l{levels - 1};</Say></Flow>").encode()


def quadratic_blowup(size: int = 20_000, refs: int = 2_000) -> bytes:
    """One large entity referenced many times: quadratic rather than exponential."""
    return (
        f'<!DOCTYPE Flow [<!ENTITY a "{"a" * size}">]><Flow><Say>{"&a;" * refs}</Say></Flow>'
    ).encode()


def deep(levels: int, name: bytes = b"Gather") -> bytes:
    """``levels`` nested elements inside a Flow."""
    return b"<Flow>" + b"<%s>" % name * levels + b"</%s>" % name * levels + b"</Flow>"


def big_attribute(size: int) -> bytes:
    """A ``bridgeSid`` of ``size`` characters (valid, only long)."""
    return b'<Flow><JoinBridge bridgeSid="' + b"B" * size + b'"/></Flow>'


def small_cases() -> list[Case]:
    """Hostile inputs small enough to keep in memory and check in-process."""
    cases = [
        Case("empty", b"", _codes("EX002")),
        Case("whitespace", b" \r\n\t ", _codes("EX002")),
        Case("nul-bytes", b"\x00" * 64, _codes("EX001")),
        Case("gzip", gzip.compress(VALID), _codes("EX003", "EX001")),
        Case("gzip-of-bom", gzip.compress(BOM_UTF8 + VALID), _codes("EX003", "EX001")),
        Case("utf8-bom", BOM_UTF8 + VALID, None),
        Case("double-bom", BOM_UTF8 + BOM_UTF8 + VALID, _codes("EX001")),
        Case("utf16-le-bom", BOM_UTF16_LE + VALID.decode().encode("utf-16-le"), _codes("EX003")),
        Case("utf16-be-bom", BOM_UTF16_BE + VALID.decode().encode("utf-16-be"), _codes("EX003")),
        Case("utf16-no-bom", VALID.decode().encode("utf-16-le"), _codes("EX001")),
        Case("utf32", VALID.decode().encode("utf-32"), _codes("EX003")),
        Case("latin1", "<Flow><Say>café</Say></Flow>".encode("latin-1"), _codes("EX003")),
        Case("lone-continuation", b"<Flow><Say>\x80</Say></Flow>", _codes("EX003")),
        Case("overlong-slash", b"<Flow><Say>\xc0\xaf</Say></Flow>", _codes("EX003")),
        Case("cesu-surrogate", b"<Flow><Say>\xed\xa0\x80</Say></Flow>", _codes("EX003")),
        Case("beyond-unicode", b"<Flow><Say>\xf4\x90\x80\x80</Say></Flow>", _codes("EX003")),
        Case("truncated-utf8", b"<Flow><Say>\xe2\x82</Say></Flow>", _codes("EX003")),
        Case("ff-bytes", b"\xff" * 64, _codes("EX003")),
        Case("mixed-newlines", b"<Flow>\r\n<Say>Hi\rthere\n</Say>\r\r\n</Flow>\n\r", None),
        Case(
            "mixed-newlines-error",
            b"<Flow>\r\n<Say>Hi</Say>\r<Mute\rdirection='up'/>\n\r</Flow>",
            _codes("EX301", "EX501"),
        ),
        Case("nel-and-ls", "<Flow>\u0085<Say>a\u2028b</Say></Flow>".encode(), _codes("EX104")),
        Case("bom-then-doctype", BOM_UTF8 + external_dtd("file:///etc/passwd"), _codes("EX004")),
        Case("xxe-file", xxe_file(Path("/etc/passwd")), _codes("EX004")),
        Case("xxe-http", xxe_http(9), _codes("EX004")),
        Case("external-dtd", external_dtd("http://127.0.0.1:9/x.dtd"), _codes("EX004")),
        Case("parameter-entity", parameter_entity("file:///etc/passwd"), _codes("EX004")),
        Case("billion-laughs", billion_laughs(), _codes("EX004")),
        Case("quadratic-blowup", quadratic_blowup(), _codes("EX004")),
        Case("xinclude", xinclude("file:///etc/passwd"), _codes("EX201")),
        Case("schema-hints", schema_hints("http://127.0.0.1:9/x.xsd"), None),
        Case("undeclared-entity", b"<Flow><Say>&nbsp;</Say></Flow>", _codes("EX005")),
        Case("entity-no-doctype", b"<Flow><Say>&x;&y;&z;</Say></Flow>", _codes("EX005")),
        Case("encoding-lie", b'<?xml version="1.0" encoding="UTF-16"?>' + VALID, _codes("EX007")),
        Case("char-ref-nul", b"<Flow><Say>&#0;</Say></Flow>", _codes("EX001")),
        Case("char-ref-huge", b"<Flow><Say>&#x110000;</Say></Flow>", _codes("EX001")),
        Case("deep-300", deep(300), _codes("EX001")),
        Case("attribute-64k", big_attribute(60_000), None),
        Case(
            "many-attributes",
            b"<Flow><Answer "
            + b" ".join(b"a%d='%d'" % (i, i) for i in range(5_000))
            + b"/></Flow>",
            _codes("EX203"),
        ),
        Case("many-elements", b"<Flow>" + b"<x/>" * 15_000 + b"</Flow>", _codes("EX201", "EX501")),
        Case("cdata-everywhere", b"<Flow><![CDATA[" * 4_000, _codes("EX001")),
        # Regression: the DOCTYPE scan backtracked exponentially on repeated PIs and
        # comments (125 bytes took a second; these would never have finished).
        Case("redos-pi", b"<?a?>" * 60 + b"x", _codes("EX001")),
        Case("redos-comment", b"<!--a-->" * 60 + b"x", _codes("EX001")),
        Case("redos-pi-long", b"<?a?>" * 13_000 + b"x", _codes("EX001")),
    ]
    cases.extend(truncations(VALID))
    return cases


def truncations(doc: bytes) -> Iterator[Case]:
    """Every proper prefix of ``doc``: each must end with an error."""
    for i in range(len(doc)):
        yield Case(f"truncated-{i}", doc[:i], frozenset())


#: Building blocks that make regular expressions and parsers work hard.
REPEATED_UNITS = (
    b"<?a?>",
    b"<!--a-->",
    b"<?",
    b"<!--",
    b"<!",
    b"<![CDATA[",
    b"<a ",
    b'<a b="',
    b"&",
    b"&#",
    b"<",
    b"]]>",
    b'encoding="',
    b" ",
    b"\r",
    b"<Say>",
    b"<a b='c'/>",
    b"<answer/>",
    b"<Say loop='x'>a</Say>",
    b"\xc3",
    b"-->",
    b"?>",
    b"'",
)
REPEAT_FRAMES = (
    (b"", b"x"),
    (b"<?xml version='1.0' ", b"'?><Flow/>"),
    (b"<Flow>", b"</Flow>"),
    (b"<Flow><Say>", b"</Say></Flow>"),
    (b'<Flow><Say language="', b'">x</Say></Flow>'),
)


def repeated(unit: bytes, head: bytes, tail: bytes, size: int) -> bytes:
    """``unit`` repeated to fill ``size`` bytes between ``head`` and ``tail``."""
    return head + unit * ((size - len(head) - len(tail)) // len(unit)) + tail


def random_bytes(rng: random.Random, size: int) -> bytes:
    """Random bytes, half of them drawn from XML's own punctuation and names."""
    pieces = [b"<", b">", b"/", b"=", b'"', b"'", b"&", b";", b"!", b"?", b"-", b"[", b"]"]
    pieces += [b"Flow", b"Say", b"Gather", b"Hold", b"StartPlay", b" ", b"\n", b"#", b"x"]
    out = bytearray()
    while len(out) < size:
        if rng.random() < 0.5:
            out += rng.choice(pieces)
        else:
            out.append(rng.randrange(256))
    return bytes(out[:size])


def write_large(directory: Path) -> dict[str, Path]:
    """Write the large hostile files into ``directory``; returns them by name."""
    files: dict[str, Path] = {}
    path = directory / "fifty-mb.xml"
    with path.open("wb") as f:
        f.write(b"<Flow><Say>")
        chunk = b"Hello there. " * 80_000  # about 1 MB
        for _ in range(50):
            f.write(chunk)
        f.write(b"</Say></Flow>")
    files["50MB"] = path
    path = directory / "deep.xml"
    path.write_bytes(deep(100_000))
    files["deep"] = path
    path = directory / "attribute-1mb.xml"
    path.write_bytes(big_attribute(1 << 20))
    files["attribute"] = path
    path = directory / "attribute-1mb-bad.xml"
    path.write_bytes(
        b'<Flow><StartPlay loop="' + b"9" * (1 << 20) + b'">https://a.example/x</StartPlay></Flow>'
    )
    files["attribute-bad"] = path
    return files


def report_problem(data: bytes, max_bytes: int = 64 * 1024) -> str | None:
    """What is wrong with the engine's report on ``data`` (None: nothing).

    The invariants every report keeps, whatever the input: each diagnostic has a known
    code at that rule's severity, a one-line message and a position inside the document;
    a report without diagnostics parsed the document; and the short path finds exactly
    what the full walk finds.
    """
    from exoml._check import check_bytes

    report = check_bytes(data, max_bytes=max_bytes)
    problem = report_shape_problem(report)
    if problem is not None:
        return problem
    full = check_bytes(data, max_bytes=max_bytes, full=True)
    if full.diagnostics != report.diagnostics:
        return f"the short path found {report.diagnostics}, the walk {full.diagnostics}"
    return None


def report_shape_problem(report: Any) -> str | None:
    """What is wrong with one report, in any dialect (None: nothing).

    Each diagnostic has a known code at that rule's severity, a one-line message and a
    position inside the document; a report without diagnostics parsed the document.
    """
    from exoml._rules import RULES

    severities = {r.code: r.severity for r in RULES}
    text = report.text
    lines = None if text is None else text.count("\n") + text.count("\r") + 1
    for d in report.diagnostics:
        if severities.get(d.code) != d.severity:
            return f"unknown code or wrong severity: {d}"
        if not d.message or "\n" in d.message or "\r" in d.message:
            return f"empty or multi-line message: {d}"
        if d.line < 1 or d.column < 1 or (lines is not None and d.line > lines):
            return f"position outside the document: {d}"
    if not report.diagnostics and report.root is None:
        return "a clean report without a parsed document"
    return None

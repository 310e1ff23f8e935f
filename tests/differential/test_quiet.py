"""The quiet schemas keep their promise: a document one accepts has nothing to report.

The check engine validates with a dialect's quiet schema first and, when it accepts a
document, runs none of the rules that declare ``quiet_covered`` (see ``exoml._xsd``).
On mutants of valid documents (the differential tests' generator), for each dialect:

* every document the quiet schema accepts, the published schema accepts too;
* on such a document the full rule walk reports nothing from a quiet-covered rule;
* and on every mutant, ``validate`` (which takes the quiet and needle shortcuts) reports
  exactly what the full walk reports, warnings included, and ``has_errors`` (which runs
  only the rules that report errors) says whether the walk found an error.
"""

from __future__ import annotations

import random
from collections import Counter

import pytest
from lxml import etree

from exoml._catalogue import DIALECTS
from exoml._check import _CLASSIC_ROOT, _PARSER, check_bytes, has_errors, validate
from exoml._rules import _rows, quiet_one_action
from exoml._schema import compile_schema

from ._judges import MAX_BYTES
from ._mutants import corpus_seeds, generated_seeds, mutants

SEED = 20261202
COUNTS = {"legs": 2_000, "bridge": 800, "classic": 1_000}


def _quiet_codes() -> set[str]:
    return {row.code for row in _rows() if row.quiet_covered}


@pytest.mark.parametrize("dialect", list(COUNTS))
def test_a_document_the_quiet_schema_accepts_has_nothing_to_report(dialect: str) -> None:
    quiet = compile_schema(dialect, quiet=True)
    published = compile_schema(dialect)
    covered = _quiet_codes()
    assert {"EX205", "EX206", "EX501", "EX503", "EX510"} <= covered
    rng = random.Random(SEED)
    count = COUNTS[dialect]
    seeds = corpus_seeds(dialect) + generated_seeds(count // 50, SEED, dialect)
    seen: Counter[str] = Counter()
    problems: list[str] = []
    one_action = quiet_one_action(dialect)
    for mutant in mutants(seeds, count, rng):
        data = mutant.data
        walk = check_bytes(data, max_bytes=MAX_BYTES, full=True, dialect=dialect).diagnostics
        found = validate(data, max_bytes=MAX_BYTES, dialect=dialect)
        if found != walk:
            problems.append(f"validate {found} != walk {walk}: {data[:300]!r}")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            # has_errors runs only the rules that report errors: the same verdict
            errors = has_errors(text, max_bytes=MAX_BYTES, dialect=dialect)
            if errors != any(d.is_error for d in walk):
                problems.append(f"has_errors {errors} but walk {walk}: {data[:300]!r}")
        try:
            root = etree.fromstring(data, _PARSER)
        except etree.XMLSyntaxError:
            seen["not well-formed"] += 1
            continue
        # The quiet schemas hold any number of actions: where EX501 applies, the engine
        # counts the root's children.
        if not quiet.validate(root) or (one_action and len(root) > 1):
            seen["valid" if published.validate(root) else "invalid"] += 1
            continue
        seen["quiet"] += 1
        if not published.validate(root):
            problems.append(f"quiet but not valid: {data[:300]!r}")
        spoke = sorted({d.code for d in walk if d.code in covered})
        if spoke:
            problems.append(f"quiet, yet {spoke} spoke: {data[:300]!r}")
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems[:10])
    # The mutants exercise every path: quiet, valid but not quiet (where the quiet
    # schema leaves anything out: not in the classic dialect), and invalid.
    assert seen["quiet"] > count // 20, seen
    if dialect != "classic":
        assert seen["valid"] > count // 50, seen
    assert seen["invalid"] > count // 10, seen


def test_the_quiet_schema_leaves_out_what_the_covered_rules_report() -> None:
    # One document per covered rule: valid ExoML that the rule speaks about, which the
    # quiet schema refuses (and which validate still reports, through the longer way).
    cases = {
        "EX503": b'<Flow><StartStream streamUrl="ws://bot.example.com/s"/></Flow>',
        "EX510": b'<Flow><StartRecording direction="both" bitrate="32000"/></Flow>',
        "EX205": b"<Flow><StartStream/></Flow>",
        "EX206": (
            b'<Flow><StartStream streamUrl="wss://a.example.com/s"'
            b' url="wss://a.example.com/s"/></Flow>'
        ),
    }
    quiet = compile_schema("legs", quiet=True)
    for code, data in cases.items():
        assert not quiet.validate(etree.fromstring(data, _PARSER)), code
        assert code in [d.code for d in validate(data)], code
    # Several actions (EX501): the quiet schema holds any number, the engine counts them.
    several = b"<Flow><Answer/><Hangup/></Flow>"
    assert quiet_one_action("legs")
    assert quiet_one_action("bridge")
    assert not quiet_one_action("classic")
    assert quiet.validate(etree.fromstring(several, _PARSER))
    assert [d.code for d in validate(several)] == ["EX501"]
    bridge = b"<Flow><StopPlay/><StopPlay/></Flow>"
    assert [d.code for d in validate(bridge, dialect="bridge")] == ["EX501"]
    assert validate(b"<Response><Say>Hi</Say><Hangup/></Response>") == []
    # and the documented spelling of each passes quietly
    for data in (
        b"<Flow><Answer/></Flow>",
        b'<Flow><StartStream streamUrl="wss://bot.example.com/s"/></Flow>',
        b'<Flow><StartRecording direction="both"/></Flow>',
    ):
        assert quiet.validate(etree.fromstring(data, _PARSER)), data
        assert validate(data) == []


def test_every_dialect_has_a_quiet_schema_in_the_package() -> None:
    import os

    from exoml._schema import quiet_schema_file

    for d in DIALECTS.values():
        assert os.path.isfile(quiet_schema_file(d.name)), d.name


def test_each_quiet_schema_accepts_its_own_root_only() -> None:
    # The engine reads the root's name from the text and parses with that dialect's
    # quiet schema: a document it accepts has that dialect's root, since each quiet
    # schema declares one global element, and the dialects told apart by their root
    # have different ones.
    xs = "{http://www.w3.org/2001/XMLSchema}"
    from exoml._schema import quiet_schema_file

    for d in DIALECTS.values():
        tree = etree.parse(quiet_schema_file(d.name), _PARSER)
        names = [el.get("name") for el in tree.getroot().iterchildren(f"{xs}element")]
        assert names == [d.root], (d.name, names)
    assert DIALECTS["legs"].root != DIALECTS["classic"].root
    # and the engine names the classic root as the catalogue does
    assert DIALECTS["classic"].root == _CLASSIC_ROOT


def _agrees_with_the_walk(data: bytes, dialect: str | None = None) -> None:
    """validate reports what the full walk reports (which parses without a schema and
    reads the dialect off the parsed root, when none is named)."""
    walk = check_bytes(data, max_bytes=MAX_BYTES, full=True, dialect=dialect).diagnostics
    assert validate(data, dialect=dialect) == walk
    assert has_errors(data.decode(), dialect=dialect) == any(d.is_error for d in walk)


@pytest.mark.parametrize(
    "data",
    [
        b"<Flow><Answer/></Flow>",
        b"<Response><Say>Hello</Say></Response>",
        b'<?xml version="1.0"?>\n<Response><Say>Hello</Say></Response>',
        b"<!-- not a <Response> --><Flow><Answer/></Flow>",
        b'<?xml version="1.0"?><!-- <Response> --><Flow><Hangup/></Flow>',
        b"<?pi <Response>?><Flow><Hangup/></Flow>",
        b"<response><Say>Hello</Say></response>",
        b"<RESPONSE><Hangup/></RESPONSE>",
        b"<ResponseX><Hangup/></ResponseX>",
        b"<Responses/>",
        b"<Flow><Say>a Response, not <Response/></Say></Flow>",
        b"<Flow><Say>Response</Say></Flow>",
        b"<Flow/>",
        b"<Response/>",
        b"<",
        b"<!---->",
        b"<?xml version='1.0'?>",
    ],
)
def test_the_root_read_from_the_text_decides_nothing_the_parse_does_not(data: bytes) -> None:
    # Whatever the text's first tag says.
    _agrees_with_the_walk(data)


def test_threads_validating_at_once_agree_with_one_thread() -> None:
    # The parsers that validate while they parse are shared by every thread.
    import threading

    docs = [
        b"<Flow><Answer/></Flow>",
        b'<Flow><StartStream streamUrl="ws://bot.example.com/s"/></Flow>',
        b'<Flow><Gather numDigits="0"/></Flow>',
        b"<Response><Say>Hello</Say><Hangup/></Response>",
        b"<Response><Play>nowhere</Play></Response>",
        b'<Flow><Say voice="x">Hello</Say></Flow>',
        b"<Flow><Answer/>",
    ] * 30
    expected = [validate(d) for d in docs]
    results: dict[int, list[object]] = {}
    start = threading.Barrier(6)

    def work(k: int) -> None:
        start.wait()
        results[k] = [validate(d) for d in docs]

    threads = [threading.Thread(target=work, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(results[k] == expected for k in range(6))


@pytest.mark.parametrize(
    "data",
    [
        b"<Flow><p:Say>x</p:Say></Flow>",
        b'<Flow><Say p:voice="x">x</Say></Flow>',
        b'<Flow><Say xml:lang="en">x</Say></Flow>',
        b"<p:Flow><Answer/></p:Flow>",
        b'<Flow><Say a:1="x">x</Say></Flow>',
        b"<Flow><Answer:1/></Flow>",
        b"<Flow><p://Say/></Flow>",
        b"<Flow><StartPlay>https://media.example.net:8443/a.wav</StartPlay></Flow>",
        b"<Flow><StartPlay>sound:beep</StartPlay></Flow>",
        b"<Flow><Say>at 10:30</Say></Flow>",
        b"<Response><p:Say>x</p:Say></Response>",
    ],
)
def test_prefixed_names_get_the_parsers_verdict(data: bytes) -> None:
    # Validating as it parses, libxml2 lets an undeclared prefix through; the engine
    # does not take that route for a text that may hold a prefixed name.
    for dialect in (None, "legs", "bridge", "classic"):
        _agrees_with_the_walk(data, dialect)

"""The engine runs every registered rule on every document, whatever path it takes.

A probe rule is registered the way a real one is (a module in the registry); it must
then be called on clean documents by ``validate``, ``Flow.parse``, ``has_errors`` and
the linter. Rules that the schema covers may be left out for schema-valid documents,
and only those: the tests below hold the fast path to the full walk.
"""

from __future__ import annotations

import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import exoml._rules as registry
from exoml import Flow, validate
from exoml._catalogue import LEGS, Dialect, VerbSpec
from exoml._check import Context, check_bytes, has_errors
from exoml._rules import MODULES, RULES, Rule, checks, rule
from exoml.lint import main

CLEAN = [
    "<Flow><Answer/></Flow>",
    '<Flow><StartPlay loop="2">https://example.com/a.wav</StartPlay></Flow>',
    '<Flow><Gather numDigits="4"><Say>PIN?</Say></Gather></Flow>',
]


class Probe:
    """Records what the engine hands a rule."""

    def __init__(self, severity: str = "warning") -> None:
        self.documents = 0
        self.elements: list[str] = []
        self.attributes: list[str] = []
        self.module = types.ModuleType("exoml._rules.ex599_probe")
        self.module.RULE = Rule(  # type: ignore[attr-defined]
            code="EX599",
            name="probe",
            severity=severity,  # type: ignore[arg-type]
            summary="A probe",
            doc="EX599 probe: a probe.\n\nIt records its calls.",
            fixable=False,
            bad="",
            good="",
        )
        self.module.check_document = self.check_document  # type: ignore[attr-defined]
        self.module.check_element = self.check_element  # type: ignore[attr-defined]
        self.module.check_attribute = self.check_attribute  # type: ignore[attr-defined]

    def check_document(self, ctx: Context) -> None:
        self.documents += 1
        assert ctx.dialect is LEGS

    def check_element(self, ctx: Context, el: Any, spec: VerbSpec | None, parent: Any) -> None:
        self.elements.append(str(el.tag))

    def check_attribute(self, ctx: Context, el: Any, spec: Any, qname: str, *rest: Any) -> None:
        self.attributes.append(qname)


@pytest.fixture
def probe() -> Iterator[Probe]:
    p = Probe()
    registry.register(p.module)
    try:
        yield p
    finally:
        registry.unregister(p.module)


@pytest.mark.parametrize("document", CLEAN)
def test_a_registered_rule_runs_on_clean_documents_through_validate(
    probe: Probe, document: str
) -> None:
    assert validate(document) == []
    assert probe.documents == 1
    assert probe.elements  # every element, though the schema found the document valid
    validate(document.encode())
    assert probe.documents == 2


def test_a_registered_rule_runs_through_parse_has_errors_and_the_linter(
    probe: Probe, tmp_path: Path
) -> None:
    Flow.parse(CLEAN[1])
    assert probe.documents == 1
    assert probe.attributes == ["loop"]
    assert has_errors(CLEAN[1]) is False  # a warning-only rule: has_errors may skip it
    path = tmp_path / "a.xml"
    path.write_text(CLEAN[2])
    before = probe.documents
    assert main(["--no-config", str(path)]) == 0
    assert probe.documents == before + 1
    assert probe.elements[-2:] == ["Gather", "Say"]


def test_an_error_rule_runs_for_has_errors(tmp_path: Path) -> None:
    p = Probe("error")
    registry.register(p.module)
    try:
        assert has_errors(CLEAN[0]) is False
        assert p.documents == 1
    finally:
        registry.unregister(p.module)


def test_every_tree_rule_has_a_check_and_every_source_rule_none() -> None:
    for module in MODULES:
        hooks = [
            h for h in ("check_document", "check_element", "check_attribute") if hasattr(module, h)
        ]
        if module.RULE.stage == "tree":
            assert hooks, module.__name__
        else:
            assert not hooks, module.__name__


def test_the_schema_path_leaves_out_only_covered_rules() -> None:
    every = {r.code for r in checks().rules}
    fast = {r.code for r in checks(schema_valid=True).rules}
    covered = {r.code for r in RULES if r.schema_covered and r.stage == "tree"}
    assert every - fast == {c for c in covered if "legs" in rule(c).dialects}
    # A needle only ever leaves out its own rule.
    none = {r.code for r in checks(schema_valid=True, present=frozenset()).rules}
    assert fast - none == {r.code for r in RULES if r.needles and r.code in fast}


def test_needles_are_a_promise_the_rules_keep() -> None:
    # Every schema-valid document a needled rule reports holds one of its needles: the
    # rules' own examples, and a needle-free copy of each, checked by the full walk.
    from lxml import etree

    from exoml._check import _PARSER, _schema

    documents = [d for r in RULES for d in (r.bad, r.good)]
    documents += [d.replace("StartRecording", "StartRecordin") for d in documents]
    needled = {r.code: r.needles for r in RULES if r.needles}
    assert needled
    for document in documents:
        if "<!DOCTYPE" in document:
            continue  # refused before parsing; never validated
        try:
            root = etree.fromstring(document.encode(), _PARSER)
        except etree.XMLSyntaxError:
            continue
        if not _schema(LEGS.schema_file).validate(root):
            continue
        for d in check_bytes(document.encode(), full=True).diagnostics:
            if d.code in needled:
                assert any(n in document for n in needled[d.code]), (d.code, document)


def test_the_engine_reads_the_vocabulary_from_the_dialect() -> None:
    # A dialect with another root and one verb: nothing module-level decides.
    answer = LEGS.verb("Answer")
    tiny = Dialect("legs", "Script", (answer,), "exoml.xsd", "Tiny", "A test dialect.")
    report = check_bytes(b"<Script><Answer/></Script>", dialect=tiny, full=True)
    assert report.diagnostics == []
    # (full: the dialect's schema file here is the Leg Actions one)
    found = check_bytes(b"<Script><Hangup/></Script>", dialect=tiny, full=True).diagnostics
    assert [d.code for d in found] == ["EX201"]
    found = check_bytes(b"<Flow><Answer/></Flow>", dialect=tiny, full=True).diagnostics
    assert [(d.code, d.message) for d in found] == [
        ("EX101", "the root element must be <Script>, not <Flow>")
    ]


def test_validate_and_has_errors_share_one_clean_path() -> None:
    # validate, check_document and has_errors run the same code (errors_only aside): on
    # clean, warning and broken documents they give the same answer.
    from exoml import _check

    documents: list[str | bytes] = [
        "<Flow><Answer/></Flow>",
        '<Flow><Say pollyVoiceId="Aditi" preferredTTSEngine="googletts">Hi</Say></Flow>',
        "<Flow><Answer/><Hangup/></Flow>",
        '<Flow><StartPlay loop="11">https://example.com/a.wav</StartPlay></Flow>',
        "<Flow><Speak>Hello</Speak></Flow>",
        "<Response><Hangup/></Response>",
        b"<Flow><Answer/></Flow>",
    ]
    for document in documents:
        found = _check.validate(document)
        assert found == _check.check_document(document).diagnostics
        if isinstance(document, str):
            assert _check.has_errors(document) == any(d.severity == "error" for d in found)


def test_a_clean_check_loads_only_the_rules_it_runs() -> None:
    import subprocess
    import sys

    code = (
        "import sys\nfrom exoml._check import check_bytes, validate\n"
        "assert validate(b'<Flow><Answer/></Flow>') == []\n"
        "assert check_bytes(b'<Flow><StartPlay>https://a.b/c</StartPlay></Flow>').ok\n"
        "print(sorted(m for m in sys.modules if m.startswith('exoml.')))\n"
        "assert [d.code for d in validate(b'<Flow><Answer/><Hangup/></Flow>')] == ['EX501']\n"
        "print(sorted(m for m in sys.modules if m.startswith('exoml.')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    first, then = (eval(line) for line in done.stdout.splitlines())
    # One action: the quiet schema accepts the documents, so no rule runs at all.
    assert not [m for m in first if m.startswith("exoml._rules.ex")]
    # Two actions: the published schema accepts, EX501 (not covered by it) runs.
    assert "exoml._rules.ex501_multiple_actions" in then
    assert "exoml._rules.ex201_unknown_element" not in then  # covered by the schema

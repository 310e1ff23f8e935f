"""The corpora of tests/corpus: Exotel's own classic examples, TwiML habits, bridge
documents and templates, each with the verdict its manifest (``expected.txt``) gives.

A manifest line is ``FILE DIALECT PLACEHOLDERS CODES``: the dialect to check the file
as (``auto``: its root decides), the placeholder styles (``-``: none) and the codes the
engine must report, in document order (``-``: none). The linter must agree with
``exoml.validate`` on every line.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest

from exoml import validate
from exoml.lint import main

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


class Case(NamedTuple):
    path: Path
    dialect: str | None
    placeholders: str | None
    codes: tuple[str, ...]

    @property
    def id(self) -> str:
        ph = f"+{self.placeholders}" if self.placeholders else ""
        return f"{self.path.parent.name}/{self.path.name}[{self.dialect or 'auto'}{ph}]"


def _cases() -> list[Case]:
    cases = []
    for manifest in sorted(CORPUS.glob("*/expected.txt")):
        for line in manifest.read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            name, dialect, placeholders, codes = line.split()
            cases.append(
                Case(
                    manifest.parent / name,
                    None if dialect == "auto" else dialect,
                    None if placeholders == "-" else placeholders,
                    () if codes == "-" else tuple(codes.split(",")),
                )
            )
    return cases


CASES = _cases()


def test_every_corpus_file_has_a_verdict() -> None:
    files = {p for p in CORPUS.glob("*/*.xml")}
    assert files == {c.path for c in CASES}
    assert {p.parent.name for p in files} == {
        "classic",
        "bridge",
        "templates",
        "legs",
        "third-party",
    }


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_verdict(case: Case) -> None:
    found = validate(case.path.read_bytes(), dialect=case.dialect, placeholders=case.placeholders)
    assert tuple(d.code for d in found) == case.codes, found


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_the_linter_agrees(case: Case, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--no-config", "--format", "json", str(case.path)]
    if case.dialect:
        argv += ["--dialect", case.dialect]
    if case.placeholders:
        argv += ["--placeholders", case.placeholders]
    status = main(argv)
    import json

    items = json.loads(capsys.readouterr().out)
    assert tuple(i["code"] for i in items) == case.codes
    # warnings alone (EX501, EX510 in legs/ and third-party/) do not fail without --strict
    assert status == (1 if any(i["severity"] == "error" for i in items) else 0)


def test_exotels_own_classic_examples_lint_clean() -> None:
    exotel = [c for c in CASES if c.path.name.startswith(("exotel-", "go-sdk-"))]
    assert len({c.path for c in exotel}) >= 10
    for case in exotel:
        if case.dialect in (None, "classic"):
            assert case.codes == (), case.id


TWIML_HABITS = {
    "twiml-voice-language.xml": ("EX301", "man' or 'woman'"),
    "twiml-voice-polly.xml": ("EX301", 'language="hi-IN"'),
    "twiml-connect-stream.xml": ("EX201", "StartStream"),
    "twiml-gather-input.xml": ("EX203", "keypad digits only"),
    "twiml-hangup-reason.xml": ("EX203", "no attributes"),
    "twiml-late-declaration.xml": ("EX001", "very first characters"),
}


@pytest.mark.parametrize("name", sorted(TWIML_HABITS))
def test_each_twiml_habit_is_an_error_whose_hint_names_the_exoml_way(name: str) -> None:
    code, words = TWIML_HABITS[name]
    found = validate((CORPUS / "classic" / name).read_bytes())
    (d,) = found
    assert (d.code, d.severity) == (code, "error")
    assert d.hint is not None
    assert words in d.hint


def test_templates_without_placeholders_give_the_value_errors_plain_exoml_gives() -> None:
    # The same file, with and without --placeholders: only value errors (EX3xx, and
    # EX104 for jinja blocks between elements) go away, names are checked as always.
    by_file: dict[Path, dict[str | None, tuple[str, ...]]] = {}
    for case in CASES:
        if case.path.parent.name == "templates":
            by_file.setdefault(case.path, {})[case.placeholders] = case.codes
    pairs = [v for v in by_file.values() if None in v and len(v) > 1]
    assert len(pairs) >= 4
    for verdicts in pairs:
        plain = verdicts.pop(None)
        for templated in verdicts.values():
            gone = list(plain)
            for code in templated:
                if code in gone:
                    gone.remove(code)
            if plain == ("EX001",):  # a placeholder in a name: EX008 says so instead
                assert templated == ("EX008",)
                continue
            assert all(c.startswith("EX3") or c == "EX104" for c in gone), (plain, templated)

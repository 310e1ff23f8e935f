"""exoml.validate, the engine's rule walk, lxml's XSD validator and xmlschema agree.

On thousands of mutants of valid documents, every judge must give the same verdict
(has an error, or not), except where an entry of ``EXPLAINED`` in ``_judges.py`` says
why one may differ. ``make fuzz`` runs the same engine for 100,000 mutants and more.
"""

from __future__ import annotations

import random
from collections import Counter

import pytest

from ._judges import (
    EXPLAINED,
    Judges,
    explanation,
    xmllint,
    xmllint_explained,
    xmllint_verdicts,
)
from ._mutants import OPERATORS, Mutant, corpus_seeds, generated_seeds, mutants
from .regressions import REGRESSIONS, Regression

SEED = 20240501
MUTANTS = 10_000
GENERATED_SEEDS = 200

JUDGES = Judges()
# Mutants per dialect: the leg actions' full count, fewer for the smaller vocabularies.
DIALECT_MUTANTS = {"legs": MUTANTS, "bridge": 1_500, "classic": 3_000}


def _report(findings: list[tuple[Mutant, object]]) -> str:
    lines = [f"{len(findings)} unexplained disagreement(s); the first ones:"]
    for mutant, verdicts in findings[:10]:
        lines.append(f"  {mutant.operations}: {mutant.data[:400]!r}\n    {verdicts}")
    return "\n".join(lines)


@pytest.mark.parametrize("dialect", list(DIALECT_MUTANTS))
def test_judges_agree_on_mutants(dialect: str) -> None:
    rng = random.Random(SEED)
    count = DIALECT_MUTANTS[dialect]
    generated = GENERATED_SEEDS * count // MUTANTS
    seeds = corpus_seeds(dialect) + generated_seeds(generated, SEED, dialect)
    assert len(seeds) >= generated
    judges = JUDGES if dialect == "legs" else Judges(dialect=dialect)
    findings: list[tuple[Mutant, object]] = []
    verdicts: Counter[str] = Counter()
    used: Counter[str] = Counter()
    tried = 0
    for mutant in mutants(seeds, count, rng):
        tried += 1
        used.update(mutant.operations)
        v = judges.judge(mutant.data)
        verdicts["invalid" if v.lxml else "valid"] += 1
        if v.agree:
            continue
        why = explanation(mutant.data, v)
        if why is None:
            findings.append((mutant, v))
        else:
            verdicts[why.name] += 1
    assert tried >= min(2_000, count)
    assert not findings, _report(findings)
    # The mutants are worth judging: both verdicts are common, every edit was made.
    assert verdicts["valid"] > tried // 10
    assert verdicts["invalid"] > tried // 10
    assert set(used) == set(OPERATORS)


@pytest.mark.parametrize("case", REGRESSIONS, ids=lambda r: r.name)
def test_regressions(case: Regression) -> None:
    judges = JUDGES if case.dialect == "legs" else Judges(dialect=case.dialect)
    v = judges.judge(case.data)
    why = explanation(case.data, v)
    if case.explained_by is None:
        assert v.agree, v
    else:
        assert why is not None, v
        assert why.name == case.explained_by


def test_every_explanation_is_exercised_by_a_regression() -> None:
    # An entry of the allow-list that no document needs is an entry to remove.
    needed = {r.explained_by for r in REGRESSIONS if r.explained_by}
    assert needed == {e.name for e in EXPLAINED}


@pytest.mark.skipif(xmllint() is None, reason="xmllint is not installed")
def test_xmllint_agrees_with_lxml_on_mutants() -> None:
    # xmllint is libxml2 again, but often another version than lxml's own copy.
    rng = random.Random(SEED + 1)
    batch = [m.data for m in mutants(corpus_seeds(), 1_000, rng)]
    for data, says in zip(batch, xmllint_verdicts(batch), strict=True):
        lxml = JUDGES.lxml_rejects(data)
        assert says == lxml or xmllint_explained(data, says, lxml), data

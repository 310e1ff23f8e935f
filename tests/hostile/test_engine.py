"""The check engine on hostile input: never raises, always says why, stays fast.

``check_bytes`` is what the linter runs on every file; these tests call it in-process.
The same inputs go through the command line, under a memory limit, in ``test_cli.py``.
"""

from __future__ import annotations

import random
import time

import pytest
from lxml import etree

from exoml._check import check_bytes
from exoml._rules._source import parse_failure

from ._inputs import (
    REPEAT_FRAMES,
    REPEATED_UNITS,
    Case,
    big_attribute,
    deep,
    random_bytes,
    repeated,
    report_problem,
    small_cases,
)

# CPU seconds, not wall time: a machine busy with other work does not lengthen them.
# Generous even for a slow CI machine; a regression to quadratic or exponential time on
# these inputs takes seconds to hours.
SECONDS = 2.0
CAP = 64 * 1024


def _check_case(case: Case, max_bytes: int = CAP, *, verdict: bool = True) -> None:
    start = time.process_time()
    report = check_bytes(case.data, max_bytes=max_bytes)
    elapsed = time.process_time() - start
    assert elapsed < SECONDS, f"{case.name}: {elapsed:.2f} s of CPU"
    codes = {d.code for d in report.diagnostics}
    for d in report.diagnostics:
        assert d.line >= 1
        assert d.column >= 1
        assert d.message
    if not verdict:
        assert report_problem(case.data, max_bytes) is None
        return
    if case.codes is None:
        assert report.ok, f"{case.name}: {report.diagnostics}"
        return
    assert not report.ok, f"{case.name} was accepted"
    if case.codes:
        assert codes <= case.codes, f"{case.name}: {sorted(codes)}"


@pytest.mark.parametrize("case", small_cases(), ids=lambda c: c.name)
def test_hostile_input_ends_with_a_diagnostic(case: Case) -> None:
    _check_case(case)


@pytest.mark.parametrize("unit", REPEATED_UNITS, ids=repr)
def test_repeated_constructs_at_the_size_cap_stay_fast(unit: bytes) -> None:
    for head, tail in REPEAT_FRAMES:
        _check_case(Case(repr(unit), repeated(unit, head, tail, CAP)), verdict=False)


def test_random_bytes_never_raise() -> None:
    rng = random.Random(20240501)
    for _ in range(1_500):
        data = random_bytes(rng, rng.randrange(0, 600))
        assert report_problem(data) is None, data


def test_hundred_thousand_levels_with_a_raised_cap() -> None:
    data = deep(100_000)
    _check_case(Case("deep", data, frozenset({"EX001"})), max_bytes=len(data))


def test_one_megabyte_attribute_with_a_raised_cap() -> None:
    data = big_attribute(1 << 20)
    _check_case(Case("attribute", data, None), max_bytes=len(data))
    bad = data.replace(b"bridgeSid", b"bridgeSID")
    _check_case(Case("attribute-case", bad, frozenset({"EX204"})), max_bytes=len(bad))


def test_large_input_is_refused_before_it_is_decoded() -> None:
    data = b"\xff" * (CAP + 1)  # not UTF-8: only the size may be reported
    assert [d.code for d in check_bytes(data).diagnostics] == ["EX006"]


def test_positionless_parser_failure_reports_line_one() -> None:
    # Regression: libxml2 reports (0, 0) when it fails without a position (it does
    # when it runs out of memory), which became line 0, column 0.
    exc = etree.XMLSyntaxError("unknown error", 1, 0, 0)
    [d] = parse_failure("<Flow/>", b"<Flow/>", exc)
    assert (d.code, d.line, d.column) == ("EX001", 1, 1)

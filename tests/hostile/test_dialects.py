"""Hostile input in every dialect and with placeholders on: a diagnostic, never a
traceback or a hang (the same inputs as test_engine.py)."""

from __future__ import annotations

import random
import time

import pytest

from exoml._check import check_bytes

from ._inputs import (
    REPEAT_FRAMES,
    REPEATED_UNITS,
    Case,
    random_bytes,
    repeated,
    report_shape_problem,
    small_cases,
)

# CPU seconds (process time), not wall time: a machine busy with other work does not
# lengthen them; a regression to quadratic or exponential time takes seconds to hours.
SECONDS = 2.0
CAP = 64 * 1024
OPTIONS = [
    {"dialect": "bridge"},
    {"dialect": "classic"},
    {"dialect": "legs", "placeholders": ("jinja", "dollar", "format")},
    {"dialect": None, "placeholders": ("jinja",)},
]


def _ids(o: dict[str, object]) -> str:
    return "-".join(str(v) for v in o.values())


def _check(case: Case, options: dict[str, object]) -> None:
    start = time.process_time()
    report = check_bytes(case.data, max_bytes=CAP, **options)  # type: ignore[arg-type]
    elapsed = time.process_time() - start
    assert elapsed < SECONDS, f"{case.name}: {elapsed:.2f} s of CPU"
    assert report_shape_problem(report) is None, (case.name, report_shape_problem(report))


@pytest.mark.parametrize("options", OPTIONS, ids=_ids)
def test_hostile_input_ends_with_a_diagnostic(options: dict[str, object]) -> None:
    for case in small_cases():
        _check(case, options)


@pytest.mark.parametrize("options", OPTIONS, ids=_ids)
def test_repeated_constructs_stay_fast(options: dict[str, object]) -> None:
    for unit in REPEATED_UNITS:
        for head, tail in REPEAT_FRAMES:
            _check(Case(repr(unit), repeated(unit, head, tail, CAP)), options)


def test_repeated_placeholders_at_the_size_cap_stay_fast() -> None:
    styles = ("jinja", "dollar", "format")
    for unit in (b"{{", b"{%", b"${", b"{a", b"<{{ v }}>", b'<Say a="{{', b"<!--{x}"):
        for head, tail in ((b"<Response>", b"</Response>"), (b"", b"")):
            data = repeated(unit, head, tail, CAP)
            for dialect in ("classic", "legs"):
                start = time.process_time()
                report = check_bytes(data, max_bytes=CAP, dialect=dialect, placeholders=styles)
                assert time.process_time() - start < SECONDS, unit
                assert report_shape_problem(report) is None, unit


def test_random_bytes_never_raise_in_any_dialect() -> None:
    rng = random.Random(20240502)
    for _ in range(600):
        data = random_bytes(rng, rng.randrange(0, 400))
        options = rng.choice(OPTIONS)
        report = check_bytes(data, **options)  # type: ignore[arg-type]
        assert report_shape_problem(report) is None, data

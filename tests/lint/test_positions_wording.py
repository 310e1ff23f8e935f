"""Positions are written one way everywhere: ``LINE:COLUMN`` (``path:2:14:`` in lists).

They were written four ways (``1:31:``, ``line 1, column 18``, ``(line 1, column 18)``,
and libxml2's own suffix inside messages).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from exoml import ExomlError, Flow
from exoml._client import _refuse_invalid
from exoml.testing.fake_api import _check_exoml

ROOT = Path(__file__).resolve().parents[2] / "exoml"
BAD = '<Flow><StartPlay loop="99">https://example.com/a.wav</StartPlay></Flow>'
# Any other way of writing a position in an f-string of the package's code.
OTHER_FORMS = re.compile(r"line \{[^}]*\},? column|\(line \{|at line \{|line=\{[^}]*\} col")


def test_the_code_writes_positions_one_way() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted(ROOT.rglob("*.py"))
        # The github annotation's line=/col= are GitHub's syntax, not prose.
        if path.name != "_formatters.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if OTHER_FORMS.search(line)
    ]
    assert offenders == []


@pytest.mark.parametrize(
    "message",
    [
        pytest.param(lambda: _error_of(lambda: Flow.parse(BAD)), id="Flow.parse"),
        pytest.param(lambda: _error_of(lambda: _refuse_invalid(BAD)), id="client"),
    ],
)
def test_errors_put_the_position_as_line_colon_column(message: object) -> None:
    text = message()  # type: ignore[operator]
    assert "1:18: EX301" in text
    assert "column" not in text


def test_the_fake_api_writes_the_same_form() -> None:
    import json

    reply = _check_exoml(BAD)
    assert reply is not None
    message = json.loads(reply.body)["response"]["error"]["message"]
    assert message.startswith("invalid ExoML: 1:18: EX301 ")
    assert "column" not in message


def _error_of(call: object) -> str:
    with pytest.raises(ExomlError) as info:
        call()  # type: ignore[operator]
    return str(info.value)

"""EX008 placeholder-in-name: a template placeholder where a name must stand.

Only with placeholders on; without them the same document is a plain parse error.
"""

from __future__ import annotations

import pytest

from ._helpers import check_rule_examples, codes, diagnostics, found

CODE = "EX008"


@pytest.mark.parametrize(
    ("document", "style", "line", "column"),
    [
        ("<Response><{{ verb }}>Hi</{{ verb }}></Response>", "jinja", 1, 12),
        ('<Response>\n  <Say {attr}="woman">Hi</Say></Response>', "format", 2, 8),
        ('<Response><Say ${name}="x">Hi</Say></Response>', "dollar", 1, 16),
        ('<Response><Dial {% if r %}record="true"{% endif %}>1</Dial></Response>', "jinja", 1, 17),
        ("<{{ root }}><Say>Hi</Say></{{ root }}>", "jinja", 1, 2),
    ],
)
def test_bad(document: str, style: str, line: int, column: int) -> None:
    assert found(document, placeholders=(style,)) == [(CODE, line, column)]


@pytest.mark.parametrize(
    ("document", "style"),
    [
        ('<Response><Say voice="{{ v }}">{{ text }}</Say></Response>', "jinja"),
        ("<Response><!-- <{{ not a tag }}> --><Hangup/></Response>", "jinja"),
        ("<Response><Play>https://{host}/a.wav</Play></Response>", "format"),
    ],
)
def test_good(document: str, style: str) -> None:
    assert CODE not in codes(document, placeholders=(style,))


def test_off_by_default_the_parser_speaks() -> None:
    assert codes("<Response><{{ verb }}>Hi</{{ verb }}></Response>") == {"EX001"}


def test_a_parse_error_elsewhere_is_still_ex001() -> None:
    found_codes = codes("<Response><Say>{{ x }}</Response>", placeholders=("jinja",))
    assert found_codes == {"EX001"}


def test_message_and_hint() -> None:
    (d,) = diagnostics("<Response><{{ verb }}/></Response>", placeholders=("jinja",))
    assert "{{ verb }}" in d.message
    assert d.hint is not None


def test_rule_examples() -> None:
    check_rule_examples(CODE)

"""Templates: placeholders in values are not checked against their rules (but the rest
of a value is, where that is sound); names always are; off by default."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exoml import validate
from exoml._placeholders import STYLES, Placeholders, check_value, parse_styles
from exoml._values import Bool, Choice, IntRange, Pattern


def test_styles() -> None:
    assert STYLES == ("jinja", "dollar", "format")
    assert parse_styles("format,jinja") == ("jinja", "format")
    assert parse_styles(["dollar", " dollar "]) == ("dollar",)
    assert parse_styles(None) == ()
    assert parse_styles("") == ()
    with pytest.raises(ValueError, match="unknown placeholder style 'erb'"):
        parse_styles("erb")
    with pytest.raises(ValueError, match="strings"):
        parse_styles([3])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="no placeholder style"):
        Placeholders([])


@pytest.mark.parametrize(
    ("style", "text", "holds", "only"),
    [
        ("jinja", "{{ prompt }}", True, True),
        ("jinja", "  {{ a }} {{ b }}\n", True, True),
        ("jinja", "{% if x %}", True, True),
        ("jinja", "{# note #}", True, True),
        ("jinja", "https://{{ host }}/a", True, False),
        ("jinja", "{name}", False, False),
        ("dollar", "${result.number}", True, True),
        ("dollar", "$name", False, False),
        ("dollar", "{{ x }}", False, False),
        ("format", "{audio_url}", True, True),
        ("format", "{0}", True, True),
        ("format", "{user.phone}", True, True),
        ("format", "{ spaced }", False, False),
        ("format", "{}", False, False),
        ("format", "plain", False, False),
    ],
)
def test_what_each_style_recognises(style: str, text: str, holds: bool, only: bool) -> None:
    p = Placeholders([style])
    assert p.holds(text) is holds
    assert p.only(text) is only


URL = Pattern("https?://[^ /]+(/[^ ]*)?", "must be a URL", "URL", "https://example.com/a")


@pytest.mark.parametrize(
    ("kind", "value", "ok"),
    [
        (URL, "{u}", True),
        (URL, "https://{host}/a.wav", True),
        (URL, "{base}/menu", True),
        (URL, "ftp://{host}/a.wav", False),
        (URL, "https://{host} /a.wav", False),
        (URL, "nope", False),
        (Choice("man", "woman"), "{voice}", True),
        (Choice("man", "woman"), "wo{x}", True),  # cannot be judged
        (Choice("man", "woman"), "robot", False),
        (IntRange(1, 5), "{n}", True),
        (IntRange(1, 5), "9", False),
        (Bool(), "{flag}", True),
    ],
)
def test_check_value(kind: object, value: str, ok: bool) -> None:
    result = check_value(kind, value, Placeholders(["format"]))  # type: ignore[arg-type]
    assert (result is None) is ok


def test_validate_with_and_without_placeholders() -> None:
    doc = '<Response><Say voice="{{ voice }}" loop="{{ n }}">{{ text }}</Say></Response>'
    assert [d.code for d in validate(doc)] == ["EX301", "EX301"]
    assert validate(doc, placeholders="jinja") == []
    assert validate(doc, placeholders=["jinja"]) == []
    assert [d.code for d in validate(doc, placeholders="format")] == ["EX301", "EX301"]


def test_names_required_attributes_and_children_are_checked_as_always() -> None:
    style = ["format"]
    assert [
        d.code
        for d in validate('<Response><Say vioce="{v}">x</Say></Response>', placeholders=style)
    ] == ["EX203"]
    refer = "<Flow><Refer/></Flow>"
    assert [d.code for d in validate(refer, dialect="bridge", placeholders=style)] == ["EX205"]
    nested = "<Response><Gather><Hangup/></Gather></Response>"
    assert [d.code for d in validate(nested, placeholders=style)] == ["EX401"]


def test_jinja_blocks_between_elements_are_not_stray_text() -> None:
    doc = "<Response>{% for n in numbers %}<Say>{{ n }}</Say>{% endfor %}</Response>"
    assert validate(doc, placeholders="jinja") == []
    assert [d.code for d in validate(doc)] == ["EX104"]
    # Real text beside a block is still stray.
    doc = "<Response>{% if a %}Hello<Hangup/></Response>"
    assert [d.code for d in validate(doc, placeholders="jinja")] == ["EX104"]


def test_a_placeholder_in_a_name_position() -> None:
    p = Placeholders(["jinja", "format", "dollar"])
    assert p.in_name("<Response><{{ v }}/></Response>") == (11, "{{ v }}")
    assert p.in_name('<Say {a}="x"/>') == (5, "{a}")
    assert p.in_name('<Say voice="${v}"/>') is None
    assert p.in_name("<Say>{text}</Say>") is None
    assert p.in_name("<!-- <{x}> -->") is None
    assert p.in_name("<?pi {x}?>") is None


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet="<>/=\"' {}$%#abSayResponseFlow", max_size=80),
    st.lists(st.sampled_from(STYLES), min_size=1, max_size=3),
)
def test_never_raises_on_any_template(text: str, styles: list[str]) -> None:
    for dialect in (None, "legs", "bridge", "classic"):
        for d in validate(text, dialect=dialect, placeholders=styles):
            assert d.line >= 1
            assert d.column >= 1

"""The catalogue is the one source of truth: everything derived from it must agree."""

from __future__ import annotations

import inspect
import re
import typing

import pytest
from hypothesis import given
from hypothesis import strategies as st

import exoml
from exoml import Flow, Verb
from exoml._catalogue import VERBS, VerbSpec
from exoml._flow import VERB_CLASSES
from exoml._generate import targets
from exoml._values import Bool, Choice, IntRange, Pattern

EXPECTED_ELEMENTS = [
    "Answer",
    "Hangup",
    "StartPlay",
    "StopPlay",
    "Say",
    "StartSay",
    "StopSay",
    "StartRecording",
    "StopRecording",
    "Gather",
    "Hold",
    "UnHold",
    "Mute",
    "UnMute",
    "JoinBridge",
    "LeaveBridge",
    "StartStream",
    "StopStream",
    "StartMonitoring",
    "StopMonitoring",
    "Refer",
    "Dial",
    "SendDigits",
    "PlaySequence",
]


def test_every_leg_action_an_exotel_source_shows_is_catalogued() -> None:
    assert [v.element for v in VERBS] == EXPECTED_ELEMENTS
    assert len({v.method for v in VERBS}) == len(VERBS)


def test_every_verb_has_a_public_class_named_as_its_element() -> None:
    for spec in VERBS:
        cls = getattr(exoml, spec.element)
        assert cls is VERB_CLASSES[spec.element]
        assert issubclass(cls, Verb)
        assert cls.spec is spec


def _expected_parameters(spec: VerbSpec) -> list[tuple[str, inspect._ParameterKind]]:
    params: list[tuple[str, inspect._ParameterKind]] = []
    if spec.text is not None:
        params.append((spec.text.py, inspect.Parameter.POSITIONAL_OR_KEYWORD))
    if spec.children:
        kind = (
            inspect.Parameter.POSITIONAL_OR_KEYWORD
            if spec.max_children == 1
            else inspect.Parameter.VAR_POSITIONAL
        )
        params.append((spec.children_py, kind))
    leaders = {group[0] for group in spec.one_of}
    for attr in spec.attrs:
        if attr.required:
            params.append((attr.py, inspect.Parameter.POSITIONAL_OR_KEYWORD))
    for attr in spec.attrs:
        if attr.name in leaders:  # the first of an exactly-one-of group stays positional
            params.append((attr.py, inspect.Parameter.POSITIONAL_OR_KEYWORD))
    for attr in spec.attrs:
        if not attr.required and attr.name not in leaders:
            params.append((attr.py, inspect.Parameter.KEYWORD_ONLY))
    return params


def _annotation_for(kind: object) -> str:
    if isinstance(kind, IntRange):
        return "int"
    if isinstance(kind, Bool):
        return "bool"
    return "str"


@pytest.mark.parametrize("spec", VERBS, ids=lambda s: s.element)
def test_method_and_class_signatures_match_the_catalogue(spec: VerbSpec) -> None:
    method = getattr(Flow, spec.method)
    cls = VERB_CLASSES[spec.element]
    for func in (method, cls.__init__):
        params = list(inspect.signature(func).parameters.values())[1:]  # drop self
        assert [(p.name, p.kind) for p in params] == _expected_parameters(spec)
        hints = typing.get_type_hints(func, {**vars(exoml._verbs), "Self": object})
        for attr in spec.attrs:
            hint = hints[attr.py]
            args = typing.get_args(hint) or (hint,)
            if isinstance(attr.kind, Choice):
                literal = next(a for a in args if typing.get_origin(a) is typing.Literal)
                assert typing.get_args(literal) == attr.kind.values
            else:
                assert _annotation_for(attr.kind) in {a.__name__ for a in args if a is not None}
            if not attr.required:
                assert type(None) in args
    # The Python names are snake_case; ExoML names appear only in the catalogue.
    for attr in spec.attrs:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", attr.py)
        assert re.fullmatch(r"[a-z][A-Za-z]*", attr.name)
    assert re.fullmatch(r"[A-Z][A-Za-z]*", spec.element)


def test_unconfirmed_casing_is_recorded_as_data() -> None:
    unconfirmed = [v.element for v in VERBS if not v.casing_confirmed]
    assert unconfirmed == [
        "JoinBridge",
        "LeaveBridge",
        "StartMonitoring",
        "StopMonitoring",
        "Refer",
        "PlaySequence",
    ]


def test_generated_files_match_the_catalogue() -> None:
    for path, make in targets().items():
        assert path.read_text(encoding="utf-8") == make(), f"{path} drifted: run `make schema`"


def test_verb_reference_marks_unconfirmed_names() -> None:
    from exoml._reference import verb_reference

    text = verb_reference()
    for spec in VERBS:
        assert f"## {spec.element}" in text
        if not spec.casing_confirmed:
            assert f"[`{spec.element}`](#{spec.element.lower()}) ⚠" in text
        for attr in spec.attrs:
            assert f"`{attr.name}`" in text
            assert f"`{attr.py}`" in text


# The builder's inline fast tests may only accept valid values; the engine's regex is the
# definition. These properties keep the two in step.
_PATTERNS = [
    (spec.element, attr.name, attr.kind)
    for spec in VERBS
    for attr in spec.attrs
    if isinstance(attr.kind, Pattern)
] + [(spec.element, "text", spec.text.kind) for spec in VERBS if spec.text is not None]


@pytest.mark.parametrize(("element", "name", "kind"), _PATTERNS, ids=lambda x: str(x))
@given(
    value=st.text()
    | st.sampled_from(["", " ", "a", " a", "a ", "en", "https://x", "http://", "https:///x"])
    | st.sampled_from(["hi-IN", "e1-IN", "en-I", "en-IN-", "en_IN", "ab-12", "12-ab", "éé"])
    | st.from_regex(r"(https?|wss?|grpc)://[a-z/?#:. ]{0,12}", fullmatch=True)
)
def test_fast_checks_accept_only_valid_values(
    element: str, name: str, kind: Pattern, value: str
) -> None:
    valid = kind.check_wire(value) is None
    if kind.fast_check(value):
        assert valid
    fast_expr = kind.fast_expr
    namespace = {"value": value, "_NO_HOST": exoml._verbs._NO_HOST}
    if (
        fast_expr is not None
        and value.isprintable()
        and eval(fast_expr.format(v="value"), namespace)
    ):
        assert valid
    if kind.safe and valid:
        assert not re.search(r'[&<>"\t\n\r]', value)
        assert value.isprintable()


@given(st.text())
def test_safe_patterns_only_match_plain_text(value: str) -> None:
    for _, _, kind in _PATTERNS:
        if isinstance(kind, Pattern) and kind.safe and kind.check_wire(value) is None:
            assert value.isascii()
            assert value.isprintable()


def test_every_event_a_verb_emits_is_catalogued() -> None:
    from exoml._catalogue import EVENTS

    names = [e.name for e in EVENTS]
    assert len(names) == len(set(names))
    for spec in VERBS:
        for name in spec.events:
            assert name in names, (spec.element, name)


def test_dialects_are_looked_up_by_name() -> None:
    from exoml._catalogue import DIALECTS, LEGS, dialect

    assert dialect("legs") is LEGS
    assert all(dialect(name).name == name for name in DIALECTS)
    with pytest.raises(ValueError, match="unknown dialect 'sip'"):
        dialect("sip")


def test_a_secret_is_written_but_never_shown(caplog: pytest.LogCaptureFixture) -> None:
    import logging

    from exoml import FlowError, LegsClient, StartPlay
    from exoml._catalogue import verb
    from exoml.testing import FakeLegsAPI

    assert [a.name for a in verb("StartPlay").attrs if a.secret] == ["password"]
    secret = "s3cret-pw"
    play = StartPlay("https://media.example.com/a.wav", username="u", password=secret)
    flow = Flow(play)
    assert f'password="{secret}"' in flow.to_xml()  # the API needs it
    assert secret not in repr(play)
    assert secret not in repr(flow)
    assert "password=<secret>" in repr(play)
    with pytest.raises(FlowError) as refused:
        StartPlay("https://media.example.com/a.wav", password=f" {secret}")
    assert secret not in str(refused.value)
    assert secret not in repr(refused.value)
    assert refused.value.value != f" {secret}"
    found = exoml.validate(
        f'<Flow><StartPlay password=" {secret}">https://a.b/c</StartPlay></Flow>'
    )
    assert [d.code for d in found] == ["EX301"]
    assert secret not in found[0].message
    # Sent to the (fake) API: the document carries it, the client's log does not.
    caplog.set_level(logging.DEBUG)
    with FakeLegsAPI() as api:
        with LegsClient(api.account_sid, api.api_key, api.api_token, base_url=api.url) as client:
            client.send("LEG_1", flow)
        assert secret in api.actions[0].exoml
    assert secret not in caplog.text
    assert Flow.parse(flow.to_xml()) == flow

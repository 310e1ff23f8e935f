"""The answer decoder: the depth bound holds whether or not the bracket count shortcut
applies (answers with few brackets skip the walk; the others are walked)."""

from __future__ import annotations

import json

import pytest

from exoml._wire import MAX_JSON_DEPTH, decode


@pytest.mark.parametrize("depth", [1, MAX_JSON_DEPTH - 1, MAX_JSON_DEPTH, MAX_JSON_DEPTH + 1])
def test_the_depth_bound_is_exact(depth: int) -> None:
    text = "[" * depth + "]" * depth
    value = decode(text.encode())
    if depth <= MAX_JSON_DEPTH:
        assert value == json.loads(text)
    else:
        assert value == text


def test_brackets_in_strings_do_not_refuse_a_shallow_answer() -> None:
    body = {"request_id": "[" * 100, "response": {"data": {"leg_sid": "{" * 100}}}
    assert decode(json.dumps(body).encode()) == body


def test_many_shallow_brackets_are_walked_not_refused() -> None:
    body = {"items": [[1], [2], [3]] * 20}
    assert decode(json.dumps(body).encode()) == body


def test_a_deep_value_among_many_brackets_is_refused() -> None:
    text = '{"a": [' + "[]," * 40 + "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH + "]}"
    assert decode(text.encode()) == text


@pytest.mark.parametrize("text", ["NaN", "[Infinity]", "1e999", "\ufeff{}", ""])
def test_what_is_not_json_we_accept(text: str) -> None:
    assert decode(text.encode()) == (text or None)

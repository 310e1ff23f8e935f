"""Shortcuts of the generated builder that rest on a property of a value kind.

A kind marked ``words`` lets the builder take any ``str.isalnum()`` value as it is, with
no other test and no escaping: every such value must match the kind's pattern, be
printable (so XML 1.0 can carry it) and hold nothing that needs escaping.
"""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from exoml._catalogue import DIALECTS
from exoml._values import Pattern

from ._support import PROPERTY

WORD_KINDS = sorted(
    {
        id(a.kind): a.kind
        for d in DIALECTS.values()
        for v in d.verbs
        for a in v.attrs
        if isinstance(a.kind, Pattern) and a.kind.words
    }.values(),
    key=lambda k: k.pattern,
)


def test_some_kind_takes_words() -> None:
    assert WORD_KINDS


@PROPERTY
@given(st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=30))
def test_every_word_is_valid_and_plain(word: str) -> None:
    if not word.isalnum():  # a few L/N characters are not alnum to Python
        return
    assert word.isprintable()
    assert not re.search(r'[&<>"\t\n\r]', word)
    for kind in WORD_KINDS:
        assert kind.check_wire(word) is None, (kind.pattern, word)

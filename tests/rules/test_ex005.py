"""EX005 undeclared-entity: a reference to an entity that is not defined.

Bad documents are found at the right line and column; good ones are clean of it.
"""

from __future__ import annotations

import pytest

from ._helpers import check_rule_examples, codes, diagnostics, found

CODE = "EX005"


@pytest.mark.parametrize(
    ("document", "line", "column"),
    [
        ("<Flow><Say>Hello&nbsp;there</Say></Flow>", 1, 17),
        ("<Flow>\n  <Say>a &copy; b</Say>\n</Flow>", 2, 10),
    ],
)
def test_bad(document: str | bytes, line: int, column: int) -> None:
    assert (CODE, line, column) in found(document)


@pytest.mark.parametrize(
    "document",
    [
        "<Flow><Say>Hello&#160;there &amp; &lt;&gt;&quot;&apos;</Say></Flow>",
    ],
)
def test_good(document: str | bytes) -> None:
    assert CODE not in codes(document)


def test_rule_examples() -> None:
    check_rule_examples(CODE)


@pytest.mark.parametrize("name", ["nbsp", "copy", "eacute", "x"])
def test_message_names_the_entity_in_our_words(name: str) -> None:
    (d,) = diagnostics(f"<Flow><Say>a &{name}; b</Say></Flow>")
    assert d.code == CODE
    assert d.message == (
        f"the entity &{name}; is not defined (XML has only &amp; &lt; &gt; &quot; &apos;)"
    )
    assert "Entity '" not in d.message

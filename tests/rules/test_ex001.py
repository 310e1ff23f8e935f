"""EX001 not-well-formed: the input is not well-formed XML.

Bad documents are found at the right line and column; good ones are clean of it.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exoml._check import check_bytes
from exoml._rules._source import parser_message

from ._helpers import check_rule_examples, codes, diagnostics, found

CODE = "EX001"


@pytest.mark.parametrize(
    ("document", "line", "column"),
    [
        ("<Flow><Say>Hello</Flow>", 1, 24),
        ("<Flow>\n  <Say>Hi</Say>\n</Flow>\n<Flow/>", 4, 1),
        ("<Flow><Answer x=1/></Flow>", 1, 17),
    ],
)
def test_bad(document: str | bytes, line: int, column: int) -> None:
    assert (CODE, line, column) in found(document)


@pytest.mark.parametrize(
    "document",
    [
        "<Flow><Say>Hello</Say></Flow>",
        '<?xml version="1.0"?>\n<Flow>\n  <Answer/>\n</Flow>\n',
    ],
)
def test_good(document: str | bytes) -> None:
    assert CODE not in codes(document)


def test_rule_examples() -> None:
    check_rule_examples(CODE)


def test_nothing_else_is_checked_in_a_broken_document() -> None:
    assert codes('<flow><startplay loop="99">x</flow>') == {CODE}


def test_deep_nesting_is_refused_not_recursed() -> None:
    # Within the size limit but deeper than the parser's bound of 256 levels.
    deep = "<Flow>" + "<Gather>" * 300 + "</Gather>" * 300 + "</Flow>"
    assert codes(deep) == {CODE}


# --- wording: the linter's own words, never libxml2's -------------------------------------

# libxml2 phrases that once reached users verbatim.
LIBXML2_WORDING = (
    "Premature end of data",
    "Opening and ending tag mismatch",
    "StartTag:",
    "Specification mandates",
    "Couldn't find end",
    "xmlParse",
    "ParsePI",
    "AttValue",
    "EntityRef",
    "Extra content at the end",
    "attributes construct error",
    "error parsing attribute name",
)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("<Flow><Say>Hello</Flow>", "</Flow> does not close <Say> (opened on line 1)"),
        ("<Flow><Say>Hello", "the document ends before <Say> (opened on line 1) is closed"),
        ("<Flow/><Flow/>", "content after the root element (a document has exactly one)"),
        ("<Flow><Answer x/></Flow>", 'attribute x has no value (write x="...")'),
        ("<Flow><Answer x=1/></Flow>", "an attribute value must be in quotes"),
        ('<Flow><Answer a="1" a="2"/></Flow>', "attribute a is given twice"),
        ('<Flow><Answer a="<"/></Flow>', "'<' in an attribute value must be written &lt;"),
        ("<Flow><Say>a & b</Say></Flow>", "'&' must start an entity reference"),
        ("<Flow><Say>&amp</Say></Flow>", "an entity reference is missing its ';'"),
        ("<Flow><Say>&#1;</Say></Flow>", "a character reference names a character"),
        ("<Flow><Say>\x01</Say></Flow>", "character U+0001 is not allowed in XML"),
        ("<Flow><!-- a -- b --></Flow>", "'--' is not allowed inside a comment"),
        ("<Flow><!-- a </Flow>", "a comment is not closed with '-->'"),
        ("<Flow><![CDATA[x</Flow>", "a CDATA section is not closed with ']]>'"),
        ("<Flow>]]></Flow>", "']]>' is not allowed in text (write ]]&gt;)"),
        ("<Flow><p:Say>x</p:Say></Flow>", "the namespace prefix p (of <Say>) is not declared"),
        ("<Flow><Say\n", "the start tag <Say> is not closed with '>' or '/>'"),
        ("<Flow><1/></Flow>", "an invalid element name after '<'"),
        ('<?xml encoding="UTF-8"?><Flow/>', 'the XML declaration must start with version="1.0"'),
        ("<Flow/><?xml version='1.0'?>", "an XML declaration may stand only at the very start"),
        ("<Flow>" + "<Gather>" * 300, "the elements nest deeper than 256 levels"),
    ],
)
def test_messages_are_in_our_words(document: str, message: str) -> None:
    (d,) = diagnostics(document)
    assert d.code == CODE
    assert d.message.startswith("not well-formed XML: ")
    assert message in d.message
    assert not any(phrase in d.message for phrase in LIBXML2_WORDING)
    assert not re.search(r"line \d+, column \d+", d.message)


@settings(max_examples=300)
@given(st.text(alphabet=st.sampled_from([*"<>/=\"'&;!?[]-: xSayFlow\n", "\x01", "é"]), max_size=40))
def test_no_parser_wording_in_any_message(document: str) -> None:
    for d in check_bytes(document.encode("utf-8")).diagnostics:
        assert not any(phrase in d.message for phrase in LIBXML2_WORDING), d.message
        assert not re.search(r"line \d+, column \d+", d.message), d.message
        assert "\n" not in d.message


def test_unknown_parser_messages_fall_back_tidily() -> None:
    assert parser_message("xmlParseSomething : odd thing\n<quoted doc>") == "odd thing"
    assert parser_message("Some New Message, line 3, column 9") == "some New Message"
    assert parser_message("Unregistered error message") == (
        "the parser stopped here without saying why"
    )
    assert parser_message("") == "the parser stopped here without saying why"

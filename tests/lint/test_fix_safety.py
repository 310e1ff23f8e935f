"""--fix never writes a broken document, never renames what was not diagnosed, and never
trusts a position the tag scanner and the XML parser disagree about.

The scanner once used Python's ``\\s`` where XML's white space is only space, tab, CR and
LF; a name holding U+1680 (which XML allows) cut it out of step with the parser, and the
next fix renamed the wrong tag (``<play>`` became ``<Sayy>``). Two spellings of one
attribute (``LANGUAGE`` and ``Language``) were both renamed to ``language``.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from exoml import _check
from exoml._check import _PARSER, _Positions, _same_tag, check_bytes
from exoml._diagnostics import Diagnostic, Edit, Fix
from exoml.lint._fix import fix_problem

from ._support import Lint, Write

# Every character Python's \s takes that XML does not count as white space; U+1680 is
# also a name character, so it can stand inside an element or attribute name.
PYTHON_ONLY_SPACE = (
    "\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2007\u200a\u2028\u2029\u202f\u205f\u3000"
)
IN_NAMES = "\u1680"


def _elements(text: str) -> list[etree._Element]:
    return list(etree.fromstring(text.encode(), _PARSER).iter(etree.Element))


@pytest.mark.parametrize("odd", ["\u1680", "a\u1680", "\u1680\u1680b"])
def test_a_name_with_python_only_white_space_keeps_the_fixes_on_their_tags(
    lint: Lint, write: Write, odd: str
) -> None:
    before = f"<flow><x{odd}/><say>hi</say><play>x</play></flow>"
    path = write("a.xml", before)
    run = lint("--fix", "a.xml")
    after = path.read_text(encoding="utf-8")
    assert after == f"<Flow><x{odd}/><Say>hi</Say><play>x</play></Flow>"
    assert "Sayy" not in after
    assert run.out.count("EX202 fixed") == 2


def test_attribute_name_with_u1680_keeps_later_fixes_in_place(lint: Lint, write: Write) -> None:
    before = '<flow><Say a\u1680b="1">x</Say><say>y</say></flow>'
    path = write("a.xml", before)
    lint("--fix", "a.xml")
    assert path.read_text(encoding="utf-8") == before.replace("flow", "Flow").replace(
        "<say>y</say>", "<Say>y</Say>"
    )


@pytest.mark.parametrize(
    "names",
    [("LANGUAGE", "Language"), ("Language", "LANGUAGE"), ("lANGUAGE", "LanGuage")],
)
def test_two_spellings_of_one_attribute_are_not_both_renamed(
    lint: Lint, write: Write, names: tuple[str, str]
) -> None:
    before = f'<Flow><Say {names[0]}="en" {names[1]}="hi">x</Say></Flow>'
    path = write("a.xml", before)
    run = lint("--fix", "a.xml")
    assert path.read_text() == before
    assert run.out.count("EX204") == 2
    assert "fixed" not in run.out
    report = check_bytes(before.encode())
    assert all(d.fix is None for d in report.diagnostics)


def test_a_rename_onto_an_attribute_that_is_there_has_no_fix(lint: Lint, write: Write) -> None:
    before = '<Flow><Say Language="en" language="hi">x</Say></Flow>'
    path = write("a.xml", before)
    lint("--fix", "a.xml")
    assert path.read_text() == before


def test_scanner_and_parser_out_of_step_means_no_fix(
    lint: Lint, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = _Positions.__init__

    def lossy(self: _Positions, text: str) -> None:
        real(self, text)
        del self.tags[1]  # a scanner that missed one tag

    monkeypatch.setattr(_Positions, "__init__", lossy)
    before = "<flow><x/><say>hi</say><play>x</play></flow>"
    path = write("a.xml", before)
    lint("--fix", "a.xml")
    assert path.read_text() == before
    report = check_bytes(before.encode())
    assert report.diagnostics
    assert all(d.fix is None for d in report.diagnostics)


def _diag(line: int, column: int, *edits: Edit) -> Diagnostic:
    return Diagnostic("EX202", "error", "m", line, column, None, Fix("rename", edits))


def test_a_fix_on_another_tag_than_its_diagnostic_is_refused() -> None:
    text = "<flow><say>hi</say><play>x</play></flow>"
    root = etree.fromstring(text.encode(), _PARSER)
    play = text.index("play")
    # Diagnosed at <say> (column 7) but editing <play>.
    d = _diag(1, 7, Edit(play, play + 3, "Say"))
    new = text[:play] + "Say" + text[play + 3 :]
    assert fix_problem(text, root, [d], new) is not None


def test_a_fix_that_breaks_well_formedness_is_refused() -> None:
    text = "<flow><say>hi</say></flow>"
    root = etree.fromstring(text.encode(), _PARSER)
    d = _diag(1, 7, Edit(8, 11, "Say"))  # the start tag only: end tag left as "say"
    assert fix_problem(text, root, [d], "<flow><Say>hi</say></flow>") is not None


def test_a_fix_that_renames_both_tags_is_accepted() -> None:
    text = "<flow><say>hi</say></flow>"
    root = etree.fromstring(text.encode(), _PARSER)
    d = _diag(1, 7, Edit(7, 10, "Say"), Edit(15, 18, "Say"))
    assert fix_problem(text, root, [d], "<flow><Say>hi</Say></flow>") is None


def test_a_fix_that_changes_text_is_refused() -> None:
    text = "<flow><say>hi</say></flow>"
    root = etree.fromstring(text.encode(), _PARSER)
    d = _diag(1, 7, Edit(7, 10, "Say"), Edit(15, 18, "Say"))
    assert fix_problem(text, root, [d], "<flow><Say>ho</Say></flow>") is not None


def test_stdin_fix_refused_passes_the_input_through(lint: Lint) -> None:
    data = b'<Flow><Say LANGUAGE="en" Language="en">x</Say></Flow>'
    run = lint("--fix", "-", stdin=data)
    assert run.out_bytes == data


# --- properties -----------------------------------------------------------------------

_NAME_START = st.sampled_from([*"aSsFfxX_", "\u1680", "é", "\u00c0", "\U00010000"])
_NAME_REST = st.sampled_from(
    [*"aAyYlL.-_0", "\u1680", "\u00b7", "\u0300", "\u203f", "é", "\U00010000"]
)
_NAMES = st.builds(lambda a, b: a + "".join(b), _NAME_START, st.lists(_NAME_REST, max_size=4))
# Verb names in hostile case: the ones --fix renames.
_VERBS = st.sampled_from(["say", "SAY", "sAy", "startplay", "STARTPLAY", "hangup", "Say"])
_S = st.text(alphabet=" \t\r\n", min_size=1, max_size=3)
_OPT_S = st.text(alphabet=" \t\r\n", max_size=3)
_VALUE = st.text(
    alphabet=st.sampled_from(list("ab />='<&\t\n") + list(PYTHON_ONLY_SPACE) + ["\u1680"]),
    max_size=6,
).map(lambda v: v.replace("&", "&amp;").replace("<", "&lt;"))
_TEXT = st.text(alphabet=st.sampled_from(list("ab >]") + list(PYTHON_ONLY_SPACE)), max_size=5)


@st.composite
def _documents(draw: st.DrawFn, depth: int = 0) -> str:
    name = draw(st.one_of(_VERBS, _NAMES))
    attrs = ""
    used: set[str] = set()
    for attr in draw(
        st.lists(st.one_of(_NAMES, st.sampled_from(["LANGUAGE", "Language", "loop"])), max_size=3)
    ):
        if attr in used:
            continue
        used.add(attr)
        quote = draw(st.sampled_from(['"', "'"]))
        value = draw(_VALUE).replace(quote, "")
        attrs += f"{draw(_S)}{attr}{draw(_OPT_S)}={draw(_OPT_S)}{quote}{value}{quote}"
    attrs += draw(_OPT_S)
    if depth >= 2 or draw(st.booleans()):
        return f"<{name}{attrs}/>"
    parts = [draw(_TEXT)]
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["element", "comment", "pi", "cdata"]))
        if kind == "element":
            parts.append(draw(_documents(depth + 1)))
        elif kind == "comment":
            parts.append(f"<!--{draw(_TEXT)}<a>-->")
        elif kind == "pi":
            parts.append(f"<?p {draw(_TEXT)}<b>?>")
        else:
            parts.append(f"<![CDATA[{draw(_TEXT)}</c>]]>")
        parts.append(draw(_TEXT))
    return f"<{name}{attrs}>{''.join(parts)}</{name}{draw(_OPT_S)}>"


_FLOWS = st.builds(
    lambda root, inner: f"<{root}>{inner}</{root}>",
    st.sampled_from(["flow", "Flow", "FLOW"]),
    st.lists(_documents(), max_size=3).map("".join),
)


def _well_formed(text: str) -> bool:
    try:
        etree.fromstring(text.encode(), _PARSER)
    except etree.XMLSyntaxError:
        return False
    return True


@given(_FLOWS)
def test_the_scanner_agrees_with_the_parser_on_every_well_formed_document(text: str) -> None:
    if not _well_formed(text):
        return
    elements = _elements(text)
    tags = _Positions(text).tags
    assert len(tags) == len(elements)
    assert all(map(_same_tag, elements, tags))
    for tag in tags:
        assert text[tag.lt] == "<"
        assert text.startswith(tag.qname, tag.name)
        if tag.end_name is not None:
            assert text.startswith("</" + tag.qname, tag.end_name - 2)


def _shape(text: str) -> list[tuple[object, ...]]:
    root = etree.fromstring(text.encode(), _PARSER)
    return [
        (
            isinstance(n.tag, str),
            n.tag.lower() if isinstance(n.tag, str) else None,
            n.text,
            n.tail,
            sorted((k.lower(), v) for k, v in n.attrib.items()),
        )
        for n in root.iter()
    ]


@given(_FLOWS)
def test_fix_only_ever_renames_and_writes_well_formed_xml(text: str) -> None:
    if not _well_formed(text):
        return
    from exoml.lint._files import Target
    from exoml.lint._runner import Settings, _lint

    result = _lint(Target("-", None, text.encode()), Settings(1 << 20, (), (), fix=True))
    assert result is not None
    assert result.output is not None
    out = result.output.decode("utf-8")
    if out == text:
        return
    # Whatever was written is well-formed and differs only in the case of names.
    assert _well_formed(out)
    assert _shape(out) == _shape(text)
    assert len(out) == len(text)
    assert out.lower() == text.lower()
    assert result.fixed


def test_checker_positions_hold_for_u1680_names() -> None:
    text = "<Flow><a\u1680b/><Say LANGUAGE='en'>x</Say></Flow>"
    report = _check.check_bytes(text.encode())
    ex204 = [d for d in report.diagnostics if d.code == "EX204"]
    assert len(ex204) == 1
    assert (ex204[0].line, ex204[0].column) == (1, text.index("LANGUAGE") + 1)

"""The example checker itself: it must fail the blocks it is meant to fail."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from sybil.example import SybilFailure

from .conftest import DOCUMENTS, PAGES, ROOT, SYBIL

FENCE = "```"


def _evaluate(tmp_path: Path, markdown: str) -> None:
    page = tmp_path / "page.md"
    page.write_text(markdown, encoding="utf-8")
    document = SYBIL.parse(page)
    document.namespace["__name__"] = "__main__"
    for example in document:
        example.evaluate()


def _block(info: str, body: str) -> str:
    return f"{FENCE}{info}\n{body}\n{FENCE}\n"


def test_every_page_is_collected() -> None:
    assert ROOT / "README.md" in DOCUMENTS
    assert {p.path for p in PAGES} == {p for p in DOCUMENTS if p.is_file()}
    assert any(p.name == "composing.md" for p in DOCUMENTS)


def test_a_clean_page_passes(tmp_path: Path) -> None:
    _evaluate(
        tmp_path,
        _block("python", "from exoml import Flow\nprint(Flow().answer())")
        + "\n"
        + _block("xml", "<Flow><Answer/></Flow>")
        + _block("xml invalid", "<flow/>")
        + _block("xml warning", '<Flow><StartStream streamUrl="ws://a.example.com/s"/></Flow>')
        + _block('python title="example.py" hl_lines="1"', "assert True")
        + _block("yaml", "a: [1, 2]")
        + _block("json", '{"a": 1}')
        + _block("console", "$ exoml lint --fix flows/\nnot run, so not compared"),
    )


@pytest.mark.parametrize(
    ("markdown", "complaint"),
    [
        (_block("xml", "<flow/>"), "ExoML block has errors"),
        (_block("xml invalid", "<Flow><Answer/></Flow>"), "finds no error"),
        (_block("xml warning", "<Flow><Answer/></Flow>"), "finds no warning"),
        (_block("xml invalid", "<Flow><Answer/><Say>Hi</Say></Flow>"), "finds no error"),
        (_block("xml invalde", "<flow/>"), "unknown fence word"),
        (
            _block("python", "print('<Flow><Hangup/></Flow>')")
            + "\n"
            + _block("xml", "<Flow><Answer/></Flow>"),
            "does not match what the python block above it printed",
        ),
        (
            _block("python", "print('one')") + _block("text", "two"),
            "does not match",
        ),
        (
            _block("console exec", "$ python -m exoml.lint examples/ivr-welcome.xml\nsurprise"),
            "is not what it prints now",
        ),
        (_block("console exec", "$ rm -rf /"), "can only run the linter"),
    ],
)
def test_a_wrong_block_fails(tmp_path: Path, markdown: str, complaint: str) -> None:
    with pytest.raises(SybilFailure, match=complaint):
        _evaluate(tmp_path, markdown)


def test_python_errors_propagate(tmp_path: Path) -> None:
    with pytest.raises(ZeroDivisionError):
        _evaluate(tmp_path, _block("python", "1 / 0"))


def test_tests_defined_by_an_example_are_run(tmp_path: Path) -> None:
    body = (
        "def test_it(fake_legs_api):\n"
        "    assert fake_legs_api.url.startswith('http://127.0.0.1:')\n"
        "    raise KeyError('ran')"
    )
    with pytest.raises(KeyError, match="ran"):
        _evaluate(tmp_path, _block("python", body))


def test_output_is_compared_only_when_adjacent(tmp_path: Path) -> None:
    _evaluate(
        tmp_path,
        _block("python", "print('<Flow><Hangup/></Flow>')")
        + "\nSome prose in between.\n\n"
        + _block("xml", "<Flow><Answer/></Flow>"),
    )


def _hooks() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_hooks", ROOT / "docs/_ext/hooks.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_site_hook_rewrites_only_the_checker_words() -> None:
    rewrite = _hooks().rewrite_fences
    assert rewrite("```xml invalid\n<a/>\n```") == (
        '```xml title="Invalid ExoML: the linter reports errors"\n<a/>\n```'
    )
    assert rewrite("    ```xml warning").startswith('    ```xml title="Valid ExoML')
    assert rewrite("```console exec\n$ x\n```") == "```console\n$ x\n```"
    assert rewrite('```python title="a.py"') == '```python title="a.py"'
    assert rewrite("```xml\n```") == "```xml\n```"

"""Run every example in README.md and docs/ as a test, with Sybil.

Each fenced block is one test item (``README.md:42``), evaluated in document order in a
namespace shared by the document, so a page reads like one script:

- ``python`` blocks (and ``<!-- invisible-code-block: python -->`` comments) are
  executed; what they print is kept. A ``python`` block that starts with ``>>>`` is a
  doctest. A block that defines pytest-style ``test_*`` functions has them called, with
  the ``fake_legs_api`` and ``tmp_path`` fixtures when they ask for them.
- ``xml`` blocks are ExoML and are checked with :func:`exoml.validate`: no errors
  allowed. The fence says when a block is meant to fail: ``xml invalid`` (at least one
  error) or ``xml warning`` (no error, at least one warning); ``xml bridge`` (or
  ``legs``, ``classic``) checks the block as that dialect (by default its root
  decides). When an ``xml`` or
  ``text`` block directly follows a ``python`` block that printed something, the block
  must equal what was printed.
- ``console exec`` blocks are run: each ``$ python -m exoml.lint ...`` (or
  ``$ exoml lint ...``) line is run in a subprocess from the repository root, and the
  lines under it must equal its output.
- ``yaml``, ``json`` and ``toml`` blocks must parse.

Fence words after the language (``invalid``, ``warning``, ``exec``) are stripped by
``docs/_ext/hooks.py`` before MkDocs renders the page.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sybil import Document, Example, Region, Sybil
from sybil.evaluators.doctest import DocTestEvaluator
from sybil.evaluators.python import PythonEvaluator
from sybil.example import SybilFailure
from sybil.parsers.abstract.doctest import DocTestStringParser
from sybil.parsers.markdown.lexers import DirectiveInHTMLCommentLexer, RawFencedCodeBlockLexer

ROOT = Path(__file__).resolve().parents[2]

#: The documents whose examples are run: the README and every page of the site.
DOCUMENTS: tuple[Path, ...] = (
    ROOT / "README.md",
    *sorted(p for p in (ROOT / "docs").rglob("*.md") if "_ext" not in p.parts),
)

#: The words a fence may carry after its language, per language.
FLAGS: dict[str, frozenset[str]] = {
    "xml": frozenset({"invalid", "warning", "legs", "bridge", "classic"}),
    "console": frozenset({"exec"}),
}

_OPTION = re.compile(r"""\b[\w-]+=(?:"[^"]*"|'[^']*'|\S+)""")
_OUTPUT = "__exoml_docs_output__"  # namespace key: (end offset, text printed) of a python block
_DOCTEST_FLAGS = 0


class _Tee(io.StringIO):
    """Capture what an example prints (and keep it out of pytest's report)."""


def _run_python(example: Example) -> str | None:
    before = {k: v for k, v in example.namespace.items() if k.startswith("test_")}
    buffer = _Tee()
    with contextlib.redirect_stdout(buffer):
        PythonEvaluator()(example)
        for name, value in list(example.namespace.items()):
            if name.startswith("test_") and callable(value) and before.get(name) is not value:
                _run_test(value)
    example.namespace[_OUTPUT] = (example.end, buffer.getvalue())
    return None


def _run_test(test: Any) -> None:
    """Run a pytest-style test an example defines, with the fixtures it names."""
    import inspect
    import tempfile

    from exoml.testing import FakeLegsAPI

    with contextlib.ExitStack() as stack:
        kwargs: dict[str, Any] = {}
        for name in inspect.signature(test).parameters:
            if name == "fake_legs_api":
                kwargs[name] = stack.enter_context(FakeLegsAPI())
            elif name == "tmp_path":
                kwargs[name] = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            else:
                raise LookupError(
                    f"{test.__name__} asks for a fixture the docs runner lacks: {name}"
                )
        test(**kwargs)


def _printed_before(example: Example) -> str | None:
    """What the python block just before this one printed, if nothing lies between them."""
    output = example.namespace.get(_OUTPUT)
    if output is None:
        return None
    end, text = output
    between = example.document.text[end : example.start]
    if between.strip() or not text:
        return None
    return str(text)


def _compare_output(example: Example, shown: str) -> str | None:
    printed = _printed_before(example)
    if printed is None or printed.rstrip() == shown.rstrip():
        return None
    return (
        "the block does not match what the python block above it printed\n"
        f"--- shown\n{shown.rstrip()}\n--- printed\n{printed.rstrip()}"
    )


def _check_xml(example: Example) -> str | None:
    from exoml import validate

    source = str(example.parsed)
    flags: frozenset[str] = example.region.lexemes["flags"]
    problem = _compare_output(example, source)
    if problem:
        return problem
    # As bytes, the way the linter reads a saved file (so an encoding declaration counts).
    dialect = next((d for d in ("legs", "bridge", "classic") if d in flags), None)
    found = validate(source.encode("utf-8"), dialect=dialect)
    errors = [d for d in found if d.severity == "error"]
    warnings = [d for d in found if d.severity == "warning"]
    listing = "\n".join(f"  {d.line}:{d.column}: {d.code} {d.message}" for d in found)
    if "invalid" in flags:
        if not errors:
            return "the fence says `xml invalid` but the linter finds no error"
        return None
    if errors:
        return "ExoML block has errors (mark it ```xml invalid if that is the point):\n" + listing
    if "warning" in flags and not warnings:
        return "the fence says `xml warning` but the linter finds no warning"
    return None


def _check_text(example: Example) -> str | None:
    return _compare_output(example, str(example.parsed))


def _check_yaml(example: Example) -> str | None:
    import yaml  # type: ignore[import-untyped,unused-ignore]  # PyYAML comes with MkDocs

    yaml.safe_load(str(example.parsed))
    return None


def _check_json(example: Example) -> str | None:
    json.loads(str(example.parsed))
    return None


def _check_toml(example: Example) -> str | None:
    if sys.version_info >= (3, 11):
        import tomllib

        tomllib.loads(str(example.parsed))
    return None


# Commands a ``console exec`` block may run, and the argv prefix that runs them here.
_COMMANDS: dict[tuple[str, ...], list[str]] = {
    ("python", "-m", "exoml.lint"): [sys.executable, "-m", "exoml.lint"],
    ("exoml", "lint"): [sys.executable, "-m", "exoml", "lint"],
}


def _sessions(source: str) -> Iterator[tuple[list[str], str]]:
    """Each ``$ command`` of a console block and the output shown under it."""
    command: list[str] | None = None
    shown: list[str] = []
    for line in source.splitlines():
        if line.startswith("$ "):
            if command is not None:
                yield command, "\n".join(shown)
            command, shown = shlex.split(line[2:]), []
        elif command is not None:
            shown.append(line)
    if command is not None:
        yield command, "\n".join(shown)


def _run_console(example: Example) -> str | None:
    if "exec" not in example.region.lexemes["flags"]:
        return None  # only ``console exec`` blocks are run; others may show --fix or make
    for command, shown in _sessions(str(example.parsed)):
        argv = next(
            (
                run + command[len(p) :]
                for p, run in _COMMANDS.items()
                if tuple(command[: len(p)]) == p
            ),
            None,
        )
        if argv is None:
            return f"`console exec` can only run the linter, not: {shlex.join(command)}"
        env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100"}
        result = subprocess.run(
            argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
        )
        if result.stdout.rstrip() != shown.rstrip():
            return (
                f"the output shown for `{shlex.join(command)}` is not what it prints now\n"
                f"--- shown\n{shown.rstrip()}\n--- printed\n{result.stdout.rstrip()}"
            )
    return None


_EVALUATORS = {
    "xml": _check_xml,
    "text": _check_text,
    "console": _run_console,
    "yaml": _check_yaml,
    "json": _check_json,
    "toml": _check_toml,
}


class FenceParser:
    """A Sybil parser for every fenced block, dispatched on the fence's language.

    The info string is split into the language and flags; a flag this module does not know
    fails the example rather than being ignored.
    """

    def __init__(self) -> None:
        self.fences = RawFencedCodeBlockLexer(
            info_pattern=re.compile(r"(?P<info>[^\n]*)$\n", re.MULTILINE)
        )
        self.invisible = DirectiveInHTMLCommentLexer(
            directive=r"invisible-code-block", arguments=".+"
        )
        self.doctests = DocTestStringParser(DocTestEvaluator(_DOCTEST_FLAGS))

    def __call__(self, document: Document) -> Iterator[Region]:
        regions = [*self.fences(document), *self._invisible(document)]
        for region in sorted(regions, key=lambda r: r.start):
            # Drop Python-Markdown's own options (title="...", hl_lines="2 3"): not flags.
            info = _OPTION.sub(" ", str(region.lexemes["info"])).split()
            if not info:
                continue
            language, flags = info[0], frozenset(info[1:])
            source = region.lexemes["source"]
            unknown = flags - FLAGS.get(language, frozenset())
            if unknown:
                region.parsed = source
                region.evaluator = _unknown_flags(language, unknown)
                yield region
            elif language in ("python", "py", "pycon") and source.lstrip().startswith(">>>"):
                for doctest in self.doctests(source, document.path):
                    doctest.adjust(region, source)
                    yield doctest
            elif language in ("python", "py"):
                region.parsed = source
                region.evaluator = _run_python
                yield region
            elif language in _EVALUATORS:
                region.lexemes["flags"] = flags
                region.parsed = source
                region.evaluator = _EVALUATORS[language]
                yield region

    def _invisible(self, document: Document) -> Iterator[Region]:
        for region in self.invisible(document):
            region.lexemes["info"] = region.lexemes.pop("arguments")
            yield region


def _unknown_flags(language: str, unknown: frozenset[str]) -> Any:
    def evaluate(example: Example) -> str:
        known = ", ".join(sorted(FLAGS.get(language, ()))) or "none"
        return (
            f"unknown fence word(s) for {language}: {', '.join(sorted(unknown))} (known: {known})"
        )

    return evaluate


SYBIL = Sybil(parsers=[FenceParser()])


# --- running the examples as pytest items ----------------------------------------------------


@dataclass
class _Page:
    """One document's examples and how far they have been evaluated."""

    path: Path
    document: Document
    examples: list[Example]
    done: int = 0
    failed: int | None = None
    stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)


@dataclass(frozen=True, eq=False)
class DocExample:
    """A pytest parameter: the n-th example of a page."""

    page: _Page
    index: int

    @property
    def example(self) -> Example:
        return self.page.examples[self.index]

    def __str__(self) -> str:
        return f"{self.page.path.relative_to(ROOT)}:{self.example.line}"

    def __repr__(self) -> str:
        return f"<DocExample {self}>"

    def run(self) -> None:
        """Evaluate this example, first evaluating the page's earlier ones if they have not run."""
        __tracebackhide__ = True
        page = self.page
        if page.failed is not None and page.failed < self.index:
            line = page.examples[page.failed].line
            pytest.fail(f"an earlier example on this page failed (line {line})")
        try:
            while page.done <= self.index:
                current = page.done
                page.done += 1
                try:
                    page.examples[current].evaluate()
                except SybilFailure:
                    raise  # a block that did not check out; the namespace is intact
                except BaseException:
                    page.failed = current  # code that raised: later blocks may depend on it
                    raise
        finally:
            if page.done == len(page.examples) or page.failed is not None:
                page.stack.close()


def _load(path: Path) -> _Page:
    document = SYBIL.parse(path)
    page = _Page(path, document, list(document))
    # What every page's examples may use without importing: an exit stack for set-up that
    # must be undone when the page is done (a fake server, an environment variable).
    document.namespace.update({"__name__": "__main__", "_cleanup": page.stack})
    return page


PAGES: list[_Page] = [_load(p) for p in DOCUMENTS if p.is_file()]
EXAMPLES: list[DocExample] = [DocExample(p, i) for p in PAGES for i in range(len(p.examples))]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "doc_example" in metafunc.fixturenames:
        metafunc.parametrize("doc_example", EXAMPLES, ids=[str(e) for e in EXAMPLES])


@pytest.fixture(autouse=True)
def _at_repository_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """Examples use paths relative to the repository root, as a reader would."""
    monkeypatch.chdir(ROOT)


@pytest.fixture(scope="session", autouse=True)
def _close_pages() -> Iterator[None]:
    yield
    for page in PAGES:
        page.stack.close()

"""The public API is what ``__all__`` says, every name in it is documented, and the API
page of the documentation shows all of it."""

from __future__ import annotations

import importlib
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
PUBLIC_MODULES = ("exoml", "exoml.classic", "exoml.events", "exoml.testing", "exoml.lint")


def _all(module: str) -> list[str]:
    names: list[str] = importlib.import_module(module).__all__
    return names


PUBLIC = [(m, n) for m in PUBLIC_MODULES for n in _all(m)]
IDS = [f"{m}.{n}" for m, n in PUBLIC]

# Names whose docstring must show how to use them in code (``>>>`` or a code block). The
# verb classes are shown in the verb reference instead (docs/verbs.md, generated
# from the same catalogue as the classes), and the exceptions below the first level of
# the tree are fully described by their one line.
NEEDS_EXAMPLE = {
    "exoml.ActionAccepted",
    "exoml.ApiError",
    "exoml.EventError",
    "exoml.events.Event",
    "exoml.events.EventReceiver",
    "exoml.events.MemoryDedup",
    "exoml.events.RedisDedup",
    "exoml.events.parse_event",
    "exoml.AsyncLegsClient",
    "exoml.Diagnostic",
    "exoml.ExomlError",
    "exoml.Flow",
    "exoml.Verb",
    "exoml.FlowError",
    "exoml.LegsClient",
    "exoml.schema_path",
    "exoml.validate",
    "exoml.classic.Response",
    "exoml.testing.FakeLegsAPI",
    "exoml.testing.ManualClock",
    "exoml.Leg",
    "exoml.Bridge",
    "exoml.testing.documents",
    "exoml.lint.main",
}


@pytest.mark.parametrize("module", PUBLIC_MODULES)
def test_all_is_sorted_and_unique(module: str) -> None:
    names = _all(module)
    assert names == sorted(names)
    assert len(names) == len(set(names))


@pytest.mark.parametrize(("module", "name"), PUBLIC, ids=IDS)
def test_each_name_resolves(module: str, name: str) -> None:
    assert getattr(importlib.import_module(module), name) is not None


def test_every_name_in_dir_is_public_or_private() -> None:
    import exoml

    # What `dir(exoml)` shows besides __all__: dunders, private modules, and the handful of
    # module-level helpers below. A new public-looking name must go into __all__ or get an
    # underscore.
    allowed = {"annotations", "importlib", "Any", "TYPE_CHECKING"}
    extra = {
        n
        for n in dir(exoml)
        if not n.startswith("_") and n not in exoml.__all__ and n not in allowed
    }
    submodules = {n for n in extra if type(getattr(exoml, n)).__name__ == "module"}
    assert extra - submodules == set()


@cache
def _griffe_objects() -> dict[str, Any]:
    """Each public name as the API page's generator (griffe) sees it, aliases resolved."""
    griffe = pytest.importorskip("griffe")
    found: dict[str, Any] = {}
    loader = griffe.GriffeLoader(search_paths=[str(ROOT)])
    for module in PUBLIC_MODULES:
        loader.load(module)
    loader.resolve_aliases(implicit=False, external=False)
    for module, name in PUBLIC:
        try:
            obj = loader.modules_collection[module][name]
            found[f"{module}.{name}"] = obj.final_target if obj.is_alias else obj
        except (KeyError, griffe.AliasResolutionError):
            continue  # reported by _docstring, for this name only
    return found


def _docstring(dotted: str) -> str:
    obj = _griffe_objects().get(dotted)
    if obj is None:
        pytest.fail(f"the documentation generator cannot find {dotted}")
    return "" if obj.docstring is None else str(obj.docstring.value)


@pytest.mark.parametrize("dotted", IDS)
def test_docstring_has_a_summary_line(dotted: str) -> None:
    doc = _docstring(dotted)
    assert doc.strip(), f"{dotted} has no docstring"
    lines = doc.strip().splitlines()
    summary = lines[0].strip()
    assert summary.endswith("."), f"{dotted}: the summary line should be a sentence: {summary!r}"
    assert len(summary) <= 100, f"{dotted}: the summary line is too long: {summary!r}"
    if len(lines) > 1:
        assert not lines[1].strip(), f"{dotted}: a blank line should follow the summary line"


@pytest.mark.parametrize("dotted", sorted(NEEDS_EXAMPLE))
def test_docstring_has_an_example(dotted: str) -> None:
    doc = _docstring(dotted)
    assert ">>>" in doc or "::\n" in doc or "```" in doc, f"{dotted}: add an example"


def test_the_api_page_documents_every_public_name() -> None:
    page = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    shown = set(re.findall(r"^::: ([\w.]+)", page, re.MULTILINE))
    missing = {d for d in IDS if d not in shown}
    unknown = shown - set(IDS)
    assert missing == set(), "add these to docs/api.md"
    assert unknown == set(), "docs/api.md shows names that are not public"


@pytest.mark.parametrize(("module", "name"), PUBLIC, ids=IDS)
def test_docstring_examples_run(module: str, name: str) -> None:
    """The ``>>>`` examples shown on the API page are run, like the docs' examples."""
    import doctest

    obj = getattr(importlib.import_module(module), name)
    if not callable(obj):
        pytest.skip("not a class or function: its docstring belongs to its module")
    finder = doctest.DocTestFinder(recurse=True, exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    import sys

    # As ``python -m doctest`` would: with the names of the module that defines it.
    home = sys.modules[obj.__module__]
    for test in finder.find(obj, f"{module}.{name}", module=home, globs=dict(vars(home))):
        runner.run(test)
    assert runner.failures == 0, f"{runner.failures} docstring example(s) of {module}.{name} failed"


def _verb_classes() -> list[tuple[str, type[Any]]]:
    """The verb classes of both builders, their documents, Verb and SSML."""
    import exoml
    import exoml.classic
    from exoml._public import VERB_NAMES

    found: list[tuple[str, type[Any]]] = [
        ("exoml", getattr(exoml, n)) for n in (*VERB_NAMES, "Flow", "Verb")
    ]
    found += [("exoml.classic", getattr(exoml.classic, n)) for n in exoml.classic.__all__]
    return found


@pytest.mark.parametrize(
    ("module", "cls"), _verb_classes(), ids=lambda v: v if isinstance(v, str) else v.__name__
)
def test_public_classes_name_the_module_a_user_imports_them_from(
    module: str, cls: type[Any]
) -> None:
    # Reprs, error messages, pickles and the API page all use __module__ and
    # __qualname__: they are the public spelling (exoml.Say, exoml.classic.Say), never the
    # generated module that defines the class. (A type checker names the defining
    # module, exoml._verbs.Say: it reads the source, not __module__.)
    assert (cls.__module__, cls.__qualname__) == (module, cls.__name__)
    assert getattr(importlib.import_module(module), cls.__qualname__) is cls


def test_verbs_pickle_by_their_public_name() -> None:
    import pickle

    import exoml
    import exoml.classic

    for verb in (
        exoml.Say("Hi", loop=2),
        exoml.Gather(exoml.Say("PIN"), num_digits=4),
        exoml.classic.Say(exoml.classic.SSML("Hi <break/>"), voice="man"),
        exoml.classic.Dial(exoml.classic.Number("+919876543210")),
    ):
        data = pickle.dumps(verb, protocol=pickle.HIGHEST_PROTOCOL)
        assert f"{type(verb).__module__}".encode() in data
        assert b"_verbs" not in data
        assert pickle.loads(data) == verb
        assert repr(verb).startswith(f"{type(verb).__name__}(")

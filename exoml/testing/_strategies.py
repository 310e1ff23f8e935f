"""Hypothesis strategies for valid ExoML: values, verbs and flows, from the catalogue.

Use them to property-test code that builds or sends flows::

    from hypothesis import given
    from exoml.testing import flows

    @given(flows(max_verbs=3))
    def test_my_sender_accepts_any_flow(flow):
        send(flow)

Every strategy is derived from the verb catalogue (``exoml._catalogue.VERBS``), so a
verb or attribute added there is generated here with no change. Generated values cover
each attribute set and unset, the bounds of every integer range, every enumerated
value, nested prompts, and strings drawn from the whole of Unicode that XML 1.0 can
carry (matching the attribute's pattern). Everything generated is valid: the builder
accepts it, and ``exoml.validate`` and the XSD accept what it renders.

This module imports hypothesis; ``import exoml`` and the linter never import it.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any, Literal

try:
    from hypothesis import strategies as st
except ModuleNotFoundError as exc:
    if exc.name != "hypothesis":
        raise
    raise ImportError(
        "exoml.testing's strategies (flows, verbs, verb_strategy) need Hypothesis, "
        "which is not installed: pip install 'exoml-dsl[testing]'",
        name="hypothesis",
    ) from None

import exoml

from .. import Flow, Verb
from .._catalogue import VERBS, VerbSpec
from .._catalogue import verb as _spec_of
from .._values import Bool, Choice, IntRange, Pattern, ValueKind

__all__ = [
    "flows",
    "values",
    "verb_strategy",
    "verbs",
    "xml_characters",
    "xml_text",
]

#: Prompts per Gather (or children of any verb with no limit of its own).
DEFAULT_MAX_CHILDREN = 3

# XML 1.0's Char production: tab, newline, carriage return, and U+0020 upwards, less
# the surrogates and U+FFFE/U+FFFF. (C1 controls, U+007F to U+009F, are legal.)
_C0_ILLEGAL = "".join(chr(c) for c in range(0x20) if chr(c) not in "\t\n\r")
_SURROGATES: tuple[Literal["Cs"]] = ("Cs",)


def xml_characters() -> st.SearchStrategy[str]:
    """Single characters that XML 1.0 can carry, from the whole of Unicode.

    >>> from hypothesis import given
    >>> from exoml.testing._strategies import xml_characters
    >>> @given(xml_characters())
    ... def test_char(c): assert c in "\t\n\r" or c >= " "
    >>> test_char()
    """
    return st.characters(
        exclude_categories=_SURROGATES,
        exclude_characters=_C0_ILLEGAL + "\ufffe\uffff",
    )


def xml_text(*, min_size: int = 0, max_size: int | None = None) -> st.SearchStrategy[str]:
    """Strings of characters that XML 1.0 can carry (any of them, any order).

    >>> from hypothesis import given
    >>> from exoml.testing._strategies import xml_text
    >>> @given(xml_text(min_size=1))
    ... def test_any_text(text): assert "\\x00" not in text
    >>> test_any_text()
    """
    return st.text(alphabet=xml_characters(), min_size=min_size, max_size=max_size)


def _ints(kind: IntRange) -> st.SearchStrategy[int]:
    high = kind.max
    bounds = sorted({kind.low, min(kind.low + 1, high), max(high - 1, kind.low), high})
    return st.one_of(st.sampled_from(bounds), st.integers(kind.low, high))


@cache
def _values(kind: ValueKind) -> st.SearchStrategy[Any]:
    if isinstance(kind, IntRange):
        return _ints(kind)
    if isinstance(kind, Choice):
        return st.sampled_from(kind.values)
    if isinstance(kind, Bool):
        return st.booleans()
    if isinstance(kind, Pattern):
        matching = st.from_regex(kind.pattern, fullmatch=True, alphabet=xml_characters())
        return st.one_of(st.just(kind.example()), matching)
    raise TypeError(f"no strategy for the value kind {type(kind).__name__}")


def values(kind: ValueKind) -> st.SearchStrategy[Any]:
    """Python values the builder accepts for one catalogue value kind.

    Integers (ranges and their bounds), enumerated strings, booleans, or strings that
    match the kind's pattern drawn from all of XML's Unicode.

    >>> from hypothesis import given
    >>> from exoml._catalogue import verb
    >>> from exoml.testing._strategies import values
    >>> @given(values(verb("StartPlay").attrs[0].kind))
    ... def test_loop(n): assert 0 <= n <= 10
    >>> test_loop()
    """
    return _values(kind)


def _known(element: str) -> VerbSpec:
    try:
        return _spec_of(element)
    except KeyError:
        names = ", ".join(v.element for v in VERBS)
        raise ValueError(f"unknown verb {element!r}; the verbs are {names}") from None


@cache
def _verb_strategy(element: str, max_children: int) -> st.SearchStrategy[Verb]:
    spec = _known(element)
    cls = getattr(exoml, spec.element)
    arguments: dict[str, st.SearchStrategy[Any]] = {}
    for attr in spec.attrs:
        value = values(attr.kind)
        arguments[attr.py] = value if attr.required else st.one_of(st.none(), value)
    if spec.text is not None:
        arguments[spec.text.py] = values(spec.text.kind)
    kwargs = st.fixed_dictionaries(arguments)
    if not spec.children:
        return kwargs.map(lambda kw: cls(**kw))
    limit = spec.max_children if spec.max_children is not None else max_children
    child = st.one_of([_verb_strategy(c, max_children) for c in spec.children])
    children = st.lists(child, max_size=limit)
    return st.builds(lambda kids, kw: cls(*kids, **kw), children, kwargs)


def verb_strategy(
    element: str, *, max_children: int = DEFAULT_MAX_CHILDREN
) -> st.SearchStrategy[Verb]:
    """Valid verbs of one kind, by ExoML element name (``"Say"``, ``"Gather"``...).

    Every attribute is drawn set or unset (required ones always set); a verb with text
    gets text that matches its rule; ``Gather`` gets up to ``max_children`` prompts and
    ``Hold`` its optional music. Raises ValueError for an unknown name.

    >>> from hypothesis import given
    >>> from exoml import Gather
    >>> from exoml.testing._strategies import verb_strategy
    >>> @given(verb_strategy("Gather"))
    ... def test_gather(g): assert isinstance(g, Gather)
    >>> test_gather()
    """
    return _verb_strategy(element, max_children)


def verbs(
    elements: Iterable[str] | None = None, *, max_children: int = DEFAULT_MAX_CHILDREN
) -> st.SearchStrategy[Verb]:
    """Valid verbs of any kind (or of the named ``elements`` only).

    >>> from hypothesis import given
    >>> from exoml import Verb
    >>> from exoml.testing import verbs
    >>> @given(verbs(["Say", "Hangup"]))
    ... def test_verb(v): assert v.element in ("Say", "Hangup")
    >>> test_verb()
    """
    names = [v.element for v in VERBS] if elements is None else list(elements)
    if not names:
        raise ValueError("verbs() needs at least one element name")
    return st.one_of([verb_strategy(n, max_children=max_children) for n in names])


def flows(
    min_verbs: int = 1,
    max_verbs: int = 6,
    verbs: Iterable[str] | st.SearchStrategy[Verb] | None = None,
) -> st.SearchStrategy[Flow]:
    """Valid flows of ``min_verbs`` to ``max_verbs`` verbs.

    ``verbs`` limits the verbs used: element names (``["Say", "Gather"]``) or a
    strategy of verbs of your own; by default any of the twenty. Each flow renders to a
    document that ``exoml.validate`` and the XSD accept (warnings such as EX501, more
    than one action, may still be reported).

    >>> from hypothesis import given
    >>> from exoml import Flow
    >>> from exoml.testing import flows
    >>> @given(flows(max_verbs=2))
    ... def test_round_trip(flow): assert Flow.parse(flow.to_xml()) == flow
    >>> test_round_trip()
    """
    if min_verbs < 1:
        raise ValueError("a Flow needs at least one verb: min_verbs must be 1 or more")
    if max_verbs < min_verbs:
        raise ValueError("max_verbs must be at least min_verbs")
    one = verbs if isinstance(verbs, st.SearchStrategy) else _all_verbs(verbs)
    return st.lists(one, min_size=min_verbs, max_size=max_verbs).map(lambda vs: Flow(*vs))


def _all_verbs(elements: Iterable[str] | None) -> st.SearchStrategy[Verb]:
    # ``flows`` takes a parameter named ``verbs``, which hides the function of that name.
    return verbs(elements)

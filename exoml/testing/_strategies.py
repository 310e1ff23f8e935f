"""Hypothesis strategies for valid ExoML: values, verbs and flows, from the catalogue.

Use them to property-test code that builds or sends flows::

    from hypothesis import given
    from exoml.testing import flows

    @given(flows(max_verbs=3))
    def test_my_sender_accepts_any_flow(flow):
        send(flow)

Every strategy is derived from a dialect's catalogue (``legs`` by default; ``bridge``
and ``classic`` with ``dialect=``), so a verb or attribute added there is generated here
with no change. ``flows(dialect="classic")`` draws :class:`exoml.classic.Response`
values; ``flows(dialect="bridge")`` draws the :class:`~exoml.Flow` values that the
bridge actions take (the verbs the two catalogues share); :func:`documents` draws the
ExoML text of any dialect, ``Refer bridgeEventEndpoint=...`` included. Generated values cover
each attribute set and unset, the bounds of every integer range, every enumerated
value, nested prompts, and strings drawn from the whole of Unicode that XML 1.0 can
carry (matching the attribute's pattern). Everything generated is valid: the builder
accepts it, and ``exoml.validate`` and the XSD accept what it renders.

This module imports hypothesis; ``import exoml`` and the linter never import it.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING, Any, Literal, overload

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
from .._catalogue import Dialect, VerbSpec, dialect
from .._values import Bool, Choice, IntRange, Pattern, ValueKind, escape_attr, escape_text

if TYPE_CHECKING:
    from ..classic import Response

__all__ = [
    "documents",
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


def _known(element: str, d: Dialect) -> VerbSpec:
    try:
        return d.verb(element)
    except KeyError:
        names = ", ".join(_buildable(d))
        raise ValueError(
            f"unknown verb {element!r} in the {d.name} dialect; the verbs are {names}"
        ) from None


def _class_of(spec: VerbSpec, d: Dialect) -> type[Verb] | None:
    """The builder class that makes ``spec``'s element for dialect ``d``, if any.

    Classic verbs are :mod:`exoml.classic`'s; the bridge actions are built with the leg
    actions' classes where the leg action takes every attribute the bridge's does.
    """
    if d.name == "classic":
        from .. import classic

        return classic.VERB_CLASSES[spec.element]
    cls: type[Verb] | None = getattr(exoml, spec.element, None)
    if cls is None or d.name == "legs":
        return cls
    if {a.py for a in spec.attrs} <= {a.py for a in cls.spec.attrs}:
        return cls
    return None


def _buildable(d: Dialect) -> list[str]:
    return [v.element for v in d.verbs if _class_of(v, d) is not None]


@cache
def _verb_strategy(
    element: str, max_children: int, dialect_name: str = "legs"
) -> st.SearchStrategy[Verb]:
    d = dialect(dialect_name)
    spec = _known(element, d)
    cls = _class_of(spec, d)
    if cls is None:
        raise ValueError(f"the {d.name} verb {element!r} has no builder class")
    arguments: dict[str, st.SearchStrategy[Any]] = {}
    for attr in spec.attrs:
        value = values(attr.kind)
        arguments[attr.py] = value if attr.required else st.one_of(st.none(), value)
    if spec.text is not None:
        arguments[spec.text.py] = values(spec.text.kind)
    limit = spec.max_children if spec.max_children is not None else max_children
    if spec.text is not None and spec.children:
        # text or children (the classic Dial): one number, or one or more Number
        text = arguments.pop(spec.text.py)
        kwargs = st.fixed_dictionaries(arguments)
        child = st.one_of([_verb_strategy(c, max_children, dialect_name) for c in spec.children])
        either = st.one_of(
            text.map(lambda t: (t,)), st.lists(child, min_size=1, max_size=limit).map(tuple)
        )
        return st.builds(lambda kids, kw: cls(*kids, **kw), either, kwargs)
    kwargs = st.fixed_dictionaries(arguments)
    for group in spec.one_of:
        # exactly one attribute of the group is set: draw which
        pys = [spec.attr(name).py for name in group]
        kwargs = st.builds(_only, kwargs, st.sampled_from(pys), st.just(pys), st.just(spec))
    if not spec.children:
        return kwargs.map(lambda kw: cls(**kw))
    child = st.one_of([_verb_strategy(c, max_children, dialect_name) for c in spec.children])
    children = st.lists(child, max_size=limit)
    return st.builds(lambda kids, kw: cls(*kids, **kw), children, kwargs)


def _only(kw: dict[str, Any], keep: str, group: list[str], spec: VerbSpec) -> dict[str, Any]:
    """``kw`` with ``keep`` set (to an example if it was drawn unset) and the rest of
    ``group`` unset."""
    out = {k: v for k, v in kw.items() if k not in group or k == keep}
    if out.get(keep) is None:
        attr = next(a for a in spec.attrs if a.py == keep)
        out[keep] = attr.kind.example()
    return out


def verb_strategy(
    element: str, *, max_children: int = DEFAULT_MAX_CHILDREN, dialect: str = "legs"
) -> st.SearchStrategy[Verb]:
    """Valid verbs of one kind, by ExoML element name (``"Say"``, ``"Gather"``...).

    Every attribute is drawn set or unset (required ones always set); a verb with text
    gets text that matches its rule; ``Gather`` gets up to ``max_children`` prompts and
    ``Hold`` its optional music. Raises ValueError for an unknown name. ``dialect``
    names the catalogue (``"classic"`` draws :mod:`exoml.classic`'s verbs).

    >>> from hypothesis import given
    >>> from exoml import Gather
    >>> from exoml.testing._strategies import verb_strategy
    >>> @given(verb_strategy("Gather"))
    ... def test_gather(g): assert isinstance(g, Gather)
    >>> test_gather()
    """
    return _verb_strategy(element, max_children, dialect)


def verbs(
    elements: Iterable[str] | None = None,
    *,
    max_children: int = DEFAULT_MAX_CHILDREN,
    dialect: str = "legs",
) -> st.SearchStrategy[Verb]:
    """Valid verbs of any kind (or of the named ``elements`` only).

    >>> from hypothesis import given
    >>> from exoml import Verb
    >>> from exoml.testing import verbs
    >>> @given(verbs(["Say", "Hangup"]))
    ... def test_verb(v): assert v.element in ("Say", "Hangup")
    >>> test_verb()
    """
    d = _dialect(dialect)
    top = [n for n in d.top_level if n in _buildable(d)]
    names = top if elements is None else list(elements)
    if not names:
        raise ValueError("verbs() needs at least one element name")
    return st.one_of([verb_strategy(n, max_children=max_children, dialect=dialect) for n in names])


_dialect = dialect  # ``flows`` and ``verbs`` take a parameter of that name


@overload
def flows(
    min_verbs: int = 1,
    max_verbs: int = 6,
    verbs: Iterable[str] | st.SearchStrategy[Verb] | None = None,
    *,
    dialect: Literal["legs", "bridge"] = "legs",
) -> st.SearchStrategy[Flow]: ...
@overload
def flows(
    min_verbs: int = 1,
    max_verbs: int = 6,
    verbs: Iterable[str] | st.SearchStrategy[Verb] | None = None,
    *,
    dialect: Literal["classic"],
) -> st.SearchStrategy[Response]: ...
def flows(
    min_verbs: int = 1,
    max_verbs: int = 6,
    verbs: Iterable[str] | st.SearchStrategy[Verb] | None = None,
    *,
    dialect: str = "legs",
) -> st.SearchStrategy[Flow] | st.SearchStrategy[Response]:
    """Valid flows of ``min_verbs`` to ``max_verbs`` verbs.

    ``verbs`` limits the verbs used: element names (``["Say", "Gather"]``) or a
    strategy of verbs of your own; by default any verb of the dialect. Each flow renders
    to a document that ``exoml.validate(..., dialect=dialect)`` and the dialect's XSD
    accept (warnings such as EX501, more than one action, may still be reported).
    ``dialect="classic"`` draws :class:`exoml.classic.Response` values;
    ``dialect="bridge"`` draws flows of the verbs the bridge actions take and the
    ``Flow`` builder makes (``StartPlay``, ``StopPlay``).

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
    one = verbs if isinstance(verbs, st.SearchStrategy) else _all_verbs(verbs, dialect)
    many = st.lists(one, min_size=min_verbs, max_size=max_verbs)
    if dialect == "classic":
        from ..classic import Response

        return many.map(lambda vs: Response(*vs))
    return many.map(lambda vs: Flow(*vs))


def _all_verbs(elements: Iterable[str] | None, dialect: str) -> st.SearchStrategy[Verb]:
    # ``flows`` takes a parameter named ``verbs``, which hides the function of that name.
    return verbs(elements, dialect=dialect)


# --- documents, from the catalogue alone -------------------------------------------


def _wire(kind: ValueKind, value: Any) -> str:
    return kind.check_python(value)


def _attribute_text(name: str, kind: ValueKind) -> st.SearchStrategy[str]:
    def render(value: Any) -> str:
        return f' {name}="{escape_attr(_wire(kind, value))}"'

    return values(kind).map(render)


@cache
def _element_text(element: str, dialect_name: str, max_children: int) -> st.SearchStrategy[str]:
    d = dialect(dialect_name)
    spec = d.verb(element)
    grouped = {name for group in spec.one_of for name in group}
    attrs = [
        _attribute_text(a.name, a.kind)
        if a.required
        else st.one_of(st.just(""), _attribute_text(a.name, a.kind))
        for a in spec.attrs
        if a.name not in grouped
    ]
    for group in spec.one_of:  # exactly one of the group
        attrs.append(st.one_of([_attribute_text(n, spec.attr(n).kind) for n in group]))
    head = st.tuples(*attrs).map("".join) if attrs else st.just("")
    limit = spec.max_children if spec.max_children is not None else max_children
    kids: st.SearchStrategy[str] = st.just("")
    if spec.children:
        child = st.one_of([_element_text(c, dialect_name, max_children) for c in spec.children])
        low = 1 if spec.text is not None else 0
        kids = st.lists(child, min_size=low, max_size=limit).map("".join)
    if spec.text is not None:
        text = values(spec.text.kind).map(lambda v: escape_text(_wire(spec.text.kind, v)))  # type: ignore[union-attr]
        kids = text if not spec.children else st.one_of(text, kids)
    name = spec.element
    return st.tuples(head, kids).map(
        lambda hk: f"<{name}{hk[0]}>{hk[1]}</{name}>" if hk[1] else f"<{name}{hk[0]}/>"
    )


def documents(
    dialect: str = "legs", *, min_verbs: int = 1, max_verbs: int = 4
) -> st.SearchStrategy[str]:
    """Valid ExoML documents of a dialect, as text, drawn from its catalogue alone.

    Unlike :func:`flows`, no builder is involved, so every verb of the dialect appears
    (the bridge's ``Refer bridgeEventEndpoint=...`` too).

    >>> from hypothesis import given
    >>> from exoml import validate
    >>> from exoml.testing import documents
    >>> @given(documents("bridge"))
    ... def test_bridge(xml): assert not any(d.is_error for d in validate(xml, dialect="bridge"))
    >>> test_bridge()
    """
    d = _dialect(dialect)
    if min_verbs < 1 or max_verbs < min_verbs:
        raise ValueError("need 1 <= min_verbs <= max_verbs")
    one = st.one_of([_element_text(n, d.name, DEFAULT_MAX_CHILDREN) for n in d.top_level])
    root = d.root
    return st.lists(one, min_size=min_verbs, max_size=max_verbs).map(
        lambda parts: f"<{root}>{''.join(parts)}</{root}>"
    )

"""An example of each verb, from the catalogue alone: its Python call and its ExoML.

The generated verb classes quote these in their docstrings and the verb reference shows
them; neither may depend on the builder they document, so the ExoML is written out here
from the catalogue (and the doc tests check that the builder agrees).
"""

from __future__ import annotations

from ._catalogue import Attr, VerbSpec, verb
from ._values import escape_attr, escape_text

__all__ = ["example_call", "example_xml"]

# The text of a nested verb in an example, by element (else its kind's example).
_CHILD_TEXT = {"Say": "Enter your PIN", "StartPlay": "https://example.com/moh.wav"}


def _child(spec: VerbSpec) -> tuple[str, str] | None:
    """The nested verb of the example (a Leg Actions verb with text), if any: a verb that
    takes text or children (the classic Dial) shows its text."""
    if not spec.children or spec.text is not None:
        return None
    name = spec.children[0]
    try:
        text = verb(name).text
    except KeyError:
        return None
    if text is None:
        return None
    return name, _CHILD_TEXT.get(name, str(text.kind.example()))


def _example_attrs(spec: VerbSpec) -> list[Attr]:
    """Every attribute, but only the first of an exactly-one-of group."""
    others = {name for group in spec.one_of for name in group[1:]}
    return [a for a in spec.attrs if a.name not in others]


def example_call(spec: VerbSpec) -> str:
    """A call that makes the verb with an example value for every argument."""
    args: list[str] = []
    child = _child(spec)
    if child is not None:
        args.append(f"{child[0]}({child[1]!r})")
    elif spec.text is not None:
        args.append(repr(spec.text.kind.example()))
    for attr in _example_attrs(spec):
        value = attr.kind.example()
        leader = any(attr.name == group[0] for group in spec.one_of)
        args.append(repr(value) if attr.required or leader else f"{attr.py}={value!r}")
    return f"{spec.element}({', '.join(args)})"


def example_xml(spec: VerbSpec) -> str:
    """The ExoML that :func:`example_call` makes."""
    attrs = "".join(
        f' {a.name}="{escape_attr(a.kind.check_python(a.kind.example()))}"'
        for a in _example_attrs(spec)
    )
    nested = _child(spec)
    if nested is not None:
        name, value = nested
        child = verb(name)
        assert child.text is not None
        inner = f"<{name}>{escape_text(child.text.kind.check_python(value))}</{name}>"
    elif spec.text is not None:
        inner = escape_text(spec.text.kind.check_python(spec.text.kind.example()))
    else:
        return f"<{spec.element}{attrs}/>"
    return f"<{spec.element}{attrs}>{inner}</{spec.element}>"

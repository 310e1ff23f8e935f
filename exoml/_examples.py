"""An example of each verb, from the catalogue alone: its Python call and its ExoML.

The generated verb classes quote these in their docstrings and the verb reference shows
them; neither may depend on the builder they document, so the ExoML is written out here
from the catalogue (and the doc tests check that the builder agrees).
"""

from __future__ import annotations

from ._catalogue import VerbSpec, verb
from ._values import escape_attr, escape_text

__all__ = ["example_call", "example_xml"]

_PROMPT = ("Say", "Enter your PIN")
_MUSIC = ("StartPlay", "https://example.com/moh.wav")


def example_call(spec: VerbSpec) -> str:
    """A call that makes the verb with an example value for every argument."""
    args: list[str] = []
    if spec.children_py == "prompts":
        args.append(f"{_PROMPT[0]}({_PROMPT[1]!r})")
    elif spec.children_py == "music":
        args.append(f"{_MUSIC[0]}({_MUSIC[1]!r})")
    elif spec.text is not None:
        args.append(repr(spec.text.kind.example()))
    for attr in spec.attrs:
        value = attr.kind.example()
        args.append(repr(value) if attr.required else f"{attr.py}={value!r}")
    return f"{spec.element}({', '.join(args)})"


def example_xml(spec: VerbSpec) -> str:
    """The ExoML that :func:`example_call` makes."""
    attrs = "".join(
        f' {a.name}="{escape_attr(a.kind.check_python(a.kind.example()))}"' for a in spec.attrs
    )
    if spec.children_py in ("prompts", "music"):
        name, value = _PROMPT if spec.children_py == "prompts" else _MUSIC
        child = verb(name)
        assert child.text is not None
        inner = f"<{name}>{escape_text(child.text.kind.check_python(value))}</{name}>"
    elif spec.text is not None:
        inner = escape_text(spec.text.kind.check_python(spec.text.kind.example()))
    else:
        return f"<{spec.element}{attrs}/>"
    return f"<{spec.element}{attrs}>{inner}</{spec.element}>"

"""The base of the verb classes, and the builder's slow paths.

The verb classes themselves are generated (see ``_codegen.py``): each runs specialised
checks on its arguments and renders its XML once. A verb *is* that canonical XML: its
values, text and properties are read back from it on first use. When a value fails the
fast test, :func:`_fix` re-checks it through the catalogue's value kind, which either
raises the :class:`FlowError` that names the verb, the attribute, the value and the
rule, or returns the canonical value (an ``IntEnum`` member becomes its ``int``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from ._catalogue import Attr, VerbSpec, dialect
from ._errors import FlowError
from ._values import Pattern, _Refused

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["MAX_DOCUMENT_BYTES", "ROOM", "Verb"]

#: The largest document, in UTF-8 bytes, that ``validate``, ``Flow.parse`` and the linter
#: take by default (``exoml._check.DEFAULT_MAX_BYTES``; a test keeps the two equal). The
#: builder refuses, at the call, a document that would be larger in any of its forms.
MAX_DOCUMENT_BYTES = 64 * 1024

#: A body of at most this many characters is certainly within the cap in every form: a
#: character is at most 4 bytes, every element has a ``<`` per 3 characters at most, and
#: indentation adds at most 16 bytes per ``<`` at the nesting depths ExoML has. Longer
#: bodies are measured (``_check_size`` of the document classes).
ROOM = (MAX_DOCUMENT_BYTES - 64) // 10


def _shown(value: object) -> str:
    try:
        return repr(value)
    except ValueError:  # an int beyond Python's int/str digit limit cannot be shown
        return f"<{type(value).__name__} too long to show>"


#: What a repr or a message shows for the value of a secret attribute (``password``).
SECRET = "<secret>"


def _secret(attr: Attr) -> bool:
    """Whether the catalogue marks ``attr`` secret (a credential: never shown)."""
    return bool(getattr(attr, "secret", False))


def _refusal(
    spec: VerbSpec, wire: str, py: str, value: object, rule: str, secret: bool = False
) -> FlowError:
    if secret:
        value = SECRET  # a credential is never shown, even when it is refused
    return FlowError(
        f"{spec.element} {wire} ({py}={value if secret else _shown(value)}): {rule}",
        verb=spec.element,
        attribute=wire,
        argument=py,
        value=value,
    )


# A verb's XML is canonical (written by the generated code): attributes are
# ``name="value"`` with ``&<>"``, tab, LF and CR escaped, so the first ``>`` ends the
# start tag and a value holds no ``"``.
_ATTRIBUTE = re.compile(r' ([A-Za-z]+)="([^"]*)"')
_REFERENCES = (
    ("&lt;", "<"),
    ("&gt;", ">"),
    ("&quot;", '"'),
    ("&#9;", "\t"),
    ("&#10;", "\n"),
    ("&#13;", "\r"),
    ("&amp;", "&"),  # last: "&amp;lt;" is "&lt;" as text
)


def _unescape(text: str) -> str:
    if "&" not in text:
        return text
    for reference, char in _REFERENCES:
        if reference in text:
            text = text.replace(reference, char)
    return text


#: Where each dialect's verb classes are public.
_PUBLIC_MODULES = {"legs": "exoml", "classic": "exoml.classic"}


class Verb:
    """Base class of the ExoML verbs.

    A verb is an immutable value: equal verbs compare and hash equal. Make one by
    calling its class with the same arguments as the matching :class:`Flow` method
    (``Say("Hi", language="en")``), then add it with ``Flow(...)`` or as a prompt of
    ``gather``. Its ExoML is ``str(verb)``. Use verb values for pieces you make once and
    reuse, such as prompts kept in constants; read them back from a parsed flow with
    :attr:`element`, :attr:`text`, :attr:`children` and :attr:`arguments`.

    >>> from exoml import Flow, Gather, Say
    >>> prompt = Say("Enter your PIN", language="en-IN")
    >>> print(Flow(Gather(prompt, num_digits=4)))
    <Flow><Gather numDigits="4"><Say language="en-IN">Enter your PIN</Say></Gather></Flow>
    >>> prompt.element, prompt.text, prompt.arguments
    ('Say', 'Enter your PIN', {'language': 'en-IN'})
    """

    # ``_xml`` is the verb; ``_parts`` caches what is read back from it; verbs that nest
    # others add ``_kids``, the nested verb objects.
    __slots__ = ("_parts", "_xml")

    #: the catalogue row of this verb
    spec: ClassVar[VerbSpec]
    #: the name of the dialect whose verb this is (``"legs"``, ``"classic"``)
    dialect: ClassVar[str]
    _attrs: ClassVar[tuple[Attr, ...]]
    _index: ClassVar[dict[str, int]]  # wire name -> position in _attrs
    _close: ClassVar[str]  # "</Element>"
    _kids: tuple[Verb, ...]
    _xml: str
    _parts: tuple[tuple[object, ...], str | None]

    def __init_subclass__(cls, *, dialect: str = "legs", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if hasattr(cls, "spec"):  # a subclass of a verb class: the same verb
            return
        cls.dialect = dialect
        cls.spec = _dialect(dialect).verb(cls.__name__)
        cls._attrs = cls.spec.attrs
        cls._index = {a.name: i for i, a in enumerate(cls._attrs)}
        cls._close = "</" + cls.spec.element + ">"
        # the module a user imports the class from, for reprs, messages and pickles
        cls.__module__ = _PUBLIC_MODULES.get(dialect, cls.__module__)

    def _read(self) -> tuple[tuple[object, ...], str | None]:
        """The values (in catalogue order) and the text, read back from the XML once."""
        try:
            return self._parts
        except AttributeError:
            pass
        xml = self._xml
        end = xml.index(">")
        attrs = self._attrs
        values: list[object] = [None] * len(attrs)
        for name, raw in _ATTRIBUTE.findall(xml, 0, end):
            i = self._index[name]
            values[i] = attrs[i].kind.from_wire(_unescape(raw))
        text = None
        spec = self.spec
        if spec.text is not None and not (spec.children and self._kids):
            raw = xml[end + 1 : -len(self._close)]
            if spec.markup and "<" in raw:  # SSML, written canonical: read as it is
                from ._ssml import SSML

                text = str.__new__(SSML, raw)
            else:
                text = spec.text.kind.from_wire(_unescape(raw))
        parts = (tuple(values), text)
        self._parts = parts
        return parts

    @classmethod
    def _from_parts(
        cls, values: tuple[object, ...], text: str | None, children: tuple[Verb, ...]
    ) -> Verb:
        """Make a verb from catalogue-ordered values (used by parsing and unpickling)."""
        spec = cls.spec
        args: list[object] = []
        if spec.text is not None and spec.children:
            # text or children (the classic Dial): one positional parameter takes either
            args.extend(children if children else (text,))
        elif spec.text is not None:
            args.append(text)
        elif spec.children:
            if spec.max_children == 1:
                args.append(children[0] if children else None)
            else:
                args.extend(children)
        kwargs = {a.py: v for a, v in zip(spec.attrs, values, strict=True) if v is not None}
        return cls(*args, **kwargs)

    # --- reading a verb back --------------------------------------------------------

    @property
    def element(self) -> str:
        """The ExoML element name, e.g. ``"StartPlay"``."""
        return self.spec.element

    @property
    def text(self) -> str | None:
        """The text content (``Say``'s words, ``StartPlay``'s URL), or None."""
        return self._read()[1]

    @property
    def children(self) -> tuple[Verb, ...]:
        """The nested verbs (``Gather``'s prompts, ``Hold``'s music)."""
        return self._kids if self.spec.children else ()

    @property
    def arguments(self) -> dict[str, object]:
        """The attributes that are set, by Python name: ``{"loop": 2}``."""
        values = self._read()[0]
        return {a.py: v for a, v in zip(self._attrs, values, strict=True) if v is not None}

    @property
    def attributes(self) -> dict[str, str]:
        """The attributes that are set, by ExoML name, as written: ``{"loop": "2"}``."""
        values = self._read()[0]
        return {
            a.name: a.kind.check_python(v)
            for a, v in zip(self._attrs, values, strict=True)
            if v is not None
        }

    def get(self, name: str) -> object:
        """The value of the attribute with Python name ``name`` (None when not set)."""
        for attr, value in zip(self._attrs, self._read()[0], strict=True):
            if attr.py == name:
                return value
        raise AttributeError(f"{self.spec.element} has no attribute {name!r}")

    def replace(self, **changes: Any) -> Self:
        """A copy with some arguments changed, checked like a new verb.

        Arguments are named as in the constructor; ``None`` removes an optional
        attribute. Use it to edit a parsed flow. Each verb class types its own
        ``replace``, so a type checker knows every argument it takes.

        >>> from exoml import Say
        >>> Say("Hello", language="en", loop=2).replace(language="hi-IN", loop=None)
        Say('Hello', language='hi-IN')
        """
        spec = self.spec
        values, text = self._read()
        current: dict[str, Any] = dict(zip([a.py for a in spec.attrs], values, strict=True))
        if spec.text is not None:
            current[spec.text.py] = text
        if spec.children and spec.max_children == 1:
            current[spec.children_py] = self._kids[0] if self._kids else None
        prompts: tuple[object, ...] = ()
        if spec.text is not None and spec.children:
            # text or children (the classic Dial): the positional arguments take either
            del current[spec.text.py]
            prompts = self._kids or (text,)
            if spec.text.py in changes:
                prompts = (changes.pop(spec.text.py),)
            prompts = tuple(changes.pop(spec.children_py, prompts))
        elif spec.children and spec.max_children != 1:
            prompts = tuple(changes.pop(spec.children_py, self._kids))
        unknown = sorted(set(changes) - set(current))
        if unknown:
            raise TypeError(f"{spec.element}.replace() got unexpected arguments: {unknown}")
        current.update(changes)
        return type(self)(*prompts, **current)

    def to_xml(self) -> str:
        """This verb's ExoML element, compact."""
        return self._xml

    def __str__(self) -> str:
        return self._xml

    # The rendering is canonical (one spelling per value), so it is the identity.
    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Verb)
        return self._xml == other._xml

    def __hash__(self) -> int:
        return hash((type(self), self._xml))

    def __repr__(self) -> str:
        args = [repr(c) for c in self.children]
        text = self.text
        if text is not None:
            args.append(repr(text))
        # A secret attribute (a password) shows as <secret>: that repr does not evaluate
        # back, on purpose.
        args.extend(
            f"{a.py}={SECRET if _secret(a) else repr(v)}"
            for a, v in zip(self._attrs, self._read()[0], strict=True)
            if v is not None
        )
        return f"{type(self).__name__}({', '.join(args)})"

    def __reduce__(self) -> tuple[Any, ...]:
        values, text = self._read()
        return (type(self)._from_parts, (values, text, self.children))

    def __copy__(self) -> Self:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> Self:
        return self

    def _pretty(self, indent: str, step: str) -> list[str]:
        children = self.children
        if not children:
            return [indent + self._xml]
        head = self._xml[: self._xml.index(">") + 1]
        lines = [indent + head]
        for child in children:
            lines.extend(child._pretty(indent + step, step))
        lines.append(indent + self._close)
        return lines


_dialect = dialect


def _fix(cls: type[Verb], index: int, value: object) -> Any:
    """Slow path for one attribute: raise the wording of the rule, or normalise."""
    attr: Attr = cls.spec.attrs[index]
    if value is None:
        raise _refusal(cls.spec, attr.name, attr.py, value, "is required")
    try:
        wire = attr.kind.check_python(value)
    except _Refused as exc:
        raise _refusal(cls.spec, attr.name, attr.py, value, exc.rule, _secret(attr)) from None
    return attr.kind.from_wire(wire)


def _fix_text(cls: type[Verb], value: object) -> Any:
    """Slow path for text content: raise the wording of the rule, or normalise."""
    spec = cls.spec
    assert spec.text is not None
    try:
        return spec.text.kind.check_python(value)
    except _Refused as exc:
        raise _refusal(spec, "text", spec.text.py, value, exc.rule) from None


def _bad_child(cls: type[Verb], children: tuple[object, ...], child: object) -> None:
    """Refuse a nested verb that the parent cannot hold (``child`` is in ``children``)."""
    spec = cls.spec
    allowed = " or ".join(spec.children)
    if spec.text is not None:  # text or children: a lone string is the text
        allowed += f" (or one {spec.text.py} alone, as text)"
    if spec.max_children == 1:
        where = spec.children_py
    else:  # by identity: a value's own __eq__ does not get a say
        index = next(i for i, c in enumerate(children) if c is child)
        where = f"{spec.children_py} {index}"
    raise FlowError(
        f"{spec.element} {where} ({_shown(child)}): must be a {allowed}",
        verb=spec.element,
        argument=spec.children_py,
        value=child,
    )


def _one_of(cls: type[Verb], group: int, *values: object) -> None:
    """Refuse an exactly-one-of group (the catalogue's ``one_of``) with none or several set."""
    spec = cls.spec
    names: tuple[str, ...] = getattr(spec, "one_of", ())[group]
    attrs = [next(a for a in spec.attrs if a.name == n) for n in names]
    spelt = " or ".join(f"{a.name} ({a.py}=)" for a in attrs)
    given = [a for a, v in zip(attrs, values, strict=True) if v is not None]
    rule = "one of them is required" if not given else "give only one of them"
    raise FlowError(
        f"{spec.element} {spelt}: {rule}",
        verb=spec.element,
        attribute=names[0],
        argument=attrs[0].py,
        value=None,
    )


def _no_content(cls: type[Verb]) -> None:
    """Refuse a verb that takes text or children but was given neither."""
    spec = cls.spec
    assert spec.text is not None
    raise FlowError(
        f"{spec.element} {spec.children_py} (): must be one {spec.text.py} as text or "
        f"one or more {' or '.join(spec.children)}",
        verb=spec.element,
        argument=spec.children_py,
        value=(),
    )


def _fast_check(dialect_name: str, element: str, attr: str | None) -> Callable[[str], object]:
    """The builder's quick test for a pattern attribute (or, with ``attr`` None, the text)."""
    spec = dialect(dialect_name).verb(element)
    if attr is None:
        assert spec.text is not None
        kind = spec.text.kind
    else:
        kind = next(a.kind for a in spec.attrs if a.name == attr)
    assert isinstance(kind, Pattern)
    return kind.fast_check

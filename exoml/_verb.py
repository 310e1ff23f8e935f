"""The base of the verb classes, and the builder's slow paths.

The verb classes themselves are generated into ``_verbs.py`` (see ``_codegen.py``): each
runs specialised checks on its arguments and renders its XML once. When a value fails
the fast test, :func:`_fix` re-checks it through the catalogue's value kind, which
either raises the :class:`FlowError` that names the verb, the attribute, the value and
the rule, or returns the canonical value (an ``IntEnum`` member becomes its ``int``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from ._catalogue import Attr, VerbSpec, dialect, verb
from ._errors import FlowError
from ._values import _Refused

_dialect = dialect  # the class keyword below is also called ``dialect``

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["Verb"]


def _shown(value: object) -> str:
    try:
        return repr(value)
    except ValueError:  # an int beyond Python's int/str digit limit cannot be shown
        return f"<{type(value).__name__} too long to show>"


#: What a repr or a message shows for the value of a secret attribute (``password``).
SECRET = "<secret>"


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


class Verb:
    """Base class of the ExoML verbs (one class per row of the catalogue).

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

    # Subclasses add the slots they fill; verbs without text, children or attributes
    # read these class defaults, which saves the builder three stores per verb.
    __slots__ = ("_xml",)

    #: the catalogue row of this verb
    spec: ClassVar[VerbSpec]
    #: the name of the dialect whose verb this is (``"legs"``, ``"classic"``)
    dialect: ClassVar[str]
    _attrs: ClassVar[tuple[Attr, ...]]
    _close: ClassVar[str]  # "</Element>"

    _values: tuple[object, ...] = ()
    _text: str | None = None
    _children: tuple[Verb, ...] = ()
    _xml: str

    def __init_subclass__(cls, dialect: str = "legs", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.dialect = dialect
        cls.spec = verb(cls.__name__) if dialect == "legs" else _dialect(dialect).verb(cls.__name__)
        cls._attrs = cls.spec.attrs
        cls._close = "</" + cls.spec.element + ">"

    def _build(self, *args: Any) -> None:  # pragma: no cover - every verb defines it
        raise NotImplementedError

    @classmethod
    def _from_parts(
        cls, values: tuple[object, ...], text: str | None, children: tuple[Verb, ...]
    ) -> Verb:
        """Make a verb from catalogue-ordered values (used by parsing and unpickling)."""
        spec = cls.spec
        args: list[object] = []
        if spec.text is not None and spec.children:
            # text or children (the classic Dial): one positional parameter takes either
            args.append(children if children else (text,))
        elif spec.text is not None:
            args.append(text)
        if spec.children and spec.text is None:
            args.append(children if spec.max_children != 1 else (children[0] if children else None))
        by_name = dict(zip([a.py for a in spec.attrs], values, strict=True))
        args.extend(by_name[a.py] for a in spec.attrs if a.required)
        args.extend(by_name[a.py] for a in spec.attrs if not a.required)
        obj = object.__new__(cls)
        obj._build(*args)
        return obj

    # --- reading a verb back --------------------------------------------------------

    @property
    def element(self) -> str:
        """The ExoML element name, e.g. ``"StartPlay"``."""
        return self.spec.element

    @property
    def text(self) -> str | None:
        """The text content (``Say``'s words, ``StartPlay``'s URL), or None."""
        return self._text

    @property
    def children(self) -> tuple[Verb, ...]:
        """The nested verbs (``Gather``'s prompts, ``Hold``'s music)."""
        return self._children

    @property
    def arguments(self) -> dict[str, object]:
        """The attributes that are set, by Python name: ``{"loop": 2}``."""
        return {a.py: v for a, v in zip(self._attrs, self._values, strict=True) if v is not None}

    @property
    def attributes(self) -> dict[str, str]:
        """The attributes that are set, by ExoML name, as written: ``{"loop": "2"}``."""
        return {
            a.name: a.kind.check_python(v)
            for a, v in zip(self._attrs, self._values, strict=True)
            if v is not None
        }

    def get(self, name: str) -> object:
        """The value of the attribute with Python name ``name`` (None when not set)."""
        for attr, value in zip(self._attrs, self._values, strict=True):
            if attr.py == name:
                return value
        raise AttributeError(f"{self.spec.element} has no attribute {name!r}")

    def replace(self, **changes: Any) -> Self:
        """A copy with some arguments changed, checked like a new verb.

        Arguments are named as in the constructor; ``None`` removes an optional
        attribute. Use it to edit a parsed flow.

        >>> from exoml import Say
        >>> Say("Hello", language="en", loop=2).replace(language="hi-IN", loop=None)
        Say('Hello', language='hi-IN')
        """
        spec = self.spec
        current: dict[str, Any] = dict(zip([a.py for a in spec.attrs], self._values, strict=True))
        if spec.text is not None:
            current[spec.text.py] = self._text
        if spec.children and spec.max_children == 1:
            current[spec.children_py] = self._children[0] if self._children else None
        prompts: tuple[object, ...] = ()
        if spec.text is not None and spec.children:
            # text or children (the classic Dial): the positional arguments take either
            del current[spec.text.py]
            prompts = self._children or (self._text,)
            if spec.text.py in changes:
                prompts = (changes.pop(spec.text.py),)
            prompts = tuple(changes.pop(spec.children_py, prompts))
        elif spec.children and spec.max_children != 1:
            prompts = tuple(changes.pop(spec.children_py, self._children))
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
        # A secret attribute (a password) shows as <secret>: that repr does not evaluate
        # back, on purpose.
        args = [repr(c) for c in self._children]
        if self._text is not None:
            args.append(repr(self._text))
        args.extend(
            f"{a.py}={SECRET if a.secret else repr(v)}"
            for a, v in zip(self._attrs, self._values, strict=True)
            if v is not None
        )
        return f"{type(self).__name__}({', '.join(args)})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self)._from_parts, (self._values, self._text, self._children))

    def _pretty(self, indent: str, step: str) -> list[str]:
        if not self._children:
            return [indent + self._xml]
        head = self._xml[: self._xml.index(">") + 1]
        lines = [indent + head]
        for child in self._children:
            lines.extend(child._pretty(indent + step, step))
        lines.append(indent + self._close)
        return lines


def _fix(cls: type[Verb], index: int, value: object) -> Any:
    """Slow path for one attribute: raise the wording of the rule, or normalise."""
    attr: Attr = cls.spec.attrs[index]
    if value is None:
        raise _refusal(cls.spec, attr.name, attr.py, value, "is required")
    try:
        wire = attr.kind.check_python(value)
    except _Refused as exc:
        raise _refusal(cls.spec, attr.name, attr.py, value, exc.rule, attr.secret) from None
    return attr.kind.from_wire(wire)


def _one_of(cls: type[Verb], group: int, *values: object) -> None:
    """Refuse an exactly-one-of group (the catalogue's ``one_of``) with none or several set."""
    spec = cls.spec
    names = spec.one_of[group]
    attrs = [spec.attr(n) for n in names]
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


def _fix_text(cls: type[Verb], value: object) -> Any:
    """Slow path for text content: raise the wording of the rule, or normalise."""
    spec = cls.spec
    assert spec.text is not None
    try:
        return spec.text.kind.check_python(value)
    except _Refused as exc:
        raise _refusal(spec, "text", spec.text.py, value, exc.rule) from None


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


def _bad_child(cls: type[Verb], index: int, child: object) -> None:
    """Refuse a nested verb that the parent cannot hold."""
    spec = cls.spec
    allowed = " or ".join(spec.children)
    if spec.text is not None:  # text or children: a lone string is the text
        allowed += f" (or one {spec.text.py} alone, as text)"
    where = f"{spec.children_py} {index}" if spec.max_children != 1 else spec.children_py
    raise FlowError(
        f"{spec.element} {where} ({child!r}): must be a {allowed}",
        verb=spec.element,
        argument=spec.children_py,
        value=child,
    )

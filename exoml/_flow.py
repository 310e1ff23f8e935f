"""The Flow builder: immutable, chainable, typed, and unable to emit an invalid document.

A document holds its **rendered body**: each chained call (generated in ``_verbs.py``)
checks its arguments and appends one ready fragment to a new document that points back
at the one it extends. Verb objects are made only when someone reads them (indexing,
iteration, ``verbs``, ``repr``, pickling, pretty printing), from the fragments; each is
made once and shared by every document that holds it. Equality and hashing are those of
the canonical body, which is what they always meant.

:class:`Document` holds what does not depend on the dialect; :class:`Flow` is the legs
dialect's document (the generated methods come first in its bases).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar, overload

from . import _verbs
from ._errors import ExomlError, FlowError
from ._verb import MAX_DOCUMENT_BYTES, ROOM, Verb, _shown
from ._verbs import *  # noqa: F403 - the generated verb classes are part of this module
from ._verbs import __all__ as _verb_names

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["VERB_CLASSES", "Document", "Flow", "Verb", *_verb_names]

_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'

#: Every verb class of the legs dialect, by ExoML element name.
VERB_CLASSES: dict[str, type[Verb]] = dict(_verbs.CLASSES)


class Document:
    """What every dialect's document class shares; see the module docstring.

    A subclass sets :attr:`_classes` (the verb classes its documents hold directly, by
    element name: the generated module's ``TOP_LEVEL``), :attr:`_root` and
    :attr:`_examples`, and takes the generated class of verb methods as its first base::

        class Response(_verbs_classic.Response, Document):
            __slots__ = ()
            _classes = _verbs_classic.TOP_LEVEL
            _root = "Response"
            _examples = "classic verb such as exoml.classic.Say or Dial"
    """

    # _body: the verbs' XML, concatenated. _prev: the document this one extends (None
    # when _verbs holds every verb). _verbs: this document's own verbs, once made (one
    # verb for a chained call, unset until read; several for a document built from
    # verbs). _kids: the nested verbs of a chained call's verb (Gather, Hold).
    # _indent: what indenting adds to the body's size (kept once the body is long).
    __slots__ = ("_body", "_indent", "_kids", "_prev", "_verbs")

    _classes: ClassVar[dict[str, type[Verb]]]
    _root: ClassVar[str]
    _examples: ClassVar[str]  # what the refusal of a non-verb asks for: "verb such as Say"

    _body: str
    _prev: Document | None
    _verbs: tuple[Verb, ...]
    _kids: tuple[Verb, ...]
    _indent: int

    def __init__(self, *verbs: Verb) -> None:
        self._prev = None
        self._verbs = verbs
        if verbs:
            self._body = self._join(verbs, None)
            if len(self._body) > ROOM:
                self._check_size()
        else:
            self._body = ""

    def _join(self, verbs: tuple[Verb, ...], before: Document | None) -> str:
        """The verbs' XML, once each is known to be a verb of this dialect."""
        classes = self._classes
        body = ""
        for v in verbs:
            cls = type(v)  # not v.__class__, which an object may fake
            if classes.get(cls.__name__) is not cls:
                i = next(i for i, w in enumerate(verbs) if w is v)
                i += len(before) if before is not None else 0
                raise FlowError(
                    f"{self._name()} verb {i} ({_shown(v)}): must be a {self._examples}"
                )
            body += v._xml
        return body

    def _extended(self, verbs: tuple[Verb, ...]) -> Self:
        """A new document: this one, then ``verbs`` (checked)."""
        new = object.__new__(type(self))
        new._body = self._body + self._join(verbs, self)
        new._prev = self
        new._verbs = verbs
        if len(new._body) > ROOM:
            new._check_size()
        return new

    @classmethod
    def _name(cls) -> str:
        return cls.__name__

    def then(self, *verbs: Verb) -> Self:
        """Append verbs made beforehand: ``flow.then(Say("Hi"), Hangup())``."""
        return self._extended(verbs)

    # --- the size cap ------------------------------------------------------------------

    def _check_size(self) -> None:
        """Refuse a document larger than the checker takes, in any form it renders to.

        Called for bodies longer than ``ROOM`` only, so it may count: the largest form
        is the indented one with the XML declaration, whose size is the body's plus the
        indentation, which each document keeps (``_indent``) for the next call to add
        to. Such a document also stops pointing back at the ones it extends (it holds
        its verbs itself), so a long chain of calls keeps no intermediate body alive.
        """
        prev = self._prev
        size = self._largest()
        if size > MAX_DOCUMENT_BYTES:
            raise FlowError(
                f"{self._name()}: the document would be {size:,} bytes (indented, with the "
                f"XML declaration), over the {MAX_DOCUMENT_BYTES:,}-byte cap of validate, "
                f"{self._name()}.parse and the linter; send the actions in more than one "
                "document"
            )
        if prev is not None:
            self.verbs  # noqa: B018 - makes the verbs and drops the link

    def _largest(self) -> int:
        """The size in bytes of ``to_xml(pretty=True, xml_declaration=True)``, counted."""
        body = self._body
        size = len(body) if body.isascii() else len(body.encode("utf-8"))
        prev = self._prev
        try:
            if prev is None:
                raise AttributeError
            indent = prev._indent + sum(_indent(v, 1) for v in self._segment(prev))
        except AttributeError:
            indent = sum(_indent(v, 1) for v in self.verbs)
        self._indent = indent
        return size + indent + len(_DECLARATION) + 1 + 2 * len(self._root) + 7

    # --- rendering -------------------------------------------------------------------

    def to_xml(self, *, pretty: bool = False, xml_declaration: bool = False) -> str:
        """The ExoML document (see the document class)."""
        return self._render(pretty, xml_declaration)

    def _render(self, pretty: bool, xml_declaration: bool) -> str:
        body = self._body
        if not body:
            raise FlowError(f"{self._name()}: must contain at least one verb")
        root = self._root
        if pretty:
            lines = [f"<{root}>"]
            for v in self.verbs:
                lines.extend(v._pretty("  ", "  "))
            lines.append(f"</{root}>")
            text = "\n".join(lines) + "\n"
        else:
            text = f"<{root}>{body}</{root}>"
        if xml_declaration:
            return _DECLARATION + ("\n" if pretty else "") + text
        return text

    def __str__(self) -> str:
        return self.to_xml()

    # --- a sequence of verbs ---------------------------------------------------------

    @property
    def verbs(self) -> tuple[Verb, ...]:
        """The verbs, in order."""
        if self._prev is None:
            return self._verbs
        parts: list[tuple[Verb, ...]] = []
        doc: Document | None = self
        while doc is not None:
            prev = doc._prev
            parts.append(doc._segment(prev))
            doc = prev
        verbs = tuple(v for part in reversed(parts) for v in part)
        # From now on this document holds its verbs itself; the ones it extends keep
        # theirs, so every document shares the same verb objects.
        self._verbs = verbs
        self._prev = None
        return verbs

    def _segment(self, prev: Document | None) -> tuple[Verb, ...]:
        """This document's own verbs (those after ``prev``, the one it extends)."""
        try:
            return self._verbs
        except AttributeError:  # a chained call's verb, not read yet
            mine = (self._made(prev),)
            self._verbs = mine
            return mine

    def _made(self, prev: Document | None) -> Verb:
        """The verb of a chained call, made from its fragment of the body."""
        fragment = self._body[len(prev._body) if prev is not None else 0 :]
        end = 1
        while fragment[end] not in " />":
            end += 1
        cls = self._classes[fragment[1:end]]
        verb = object.__new__(cls)
        verb._xml = fragment
        if cls.spec.children:  # a slot of the verb classes that nest others
            object.__setattr__(verb, "_kids", self._kids)
        return verb

    def __len__(self) -> int:
        return len(self.verbs)

    def __iter__(self) -> Iterator[Verb]:
        return iter(self.verbs)

    @overload
    def __getitem__(self, index: int) -> Verb: ...
    @overload
    def __getitem__(self, index: slice) -> Self: ...
    def __getitem__(self, index: int | slice) -> Verb | Self:
        if isinstance(index, slice):
            return type(self)(*self.verbs[index])
        return self.verbs[index]

    def __add__(self, other: Self) -> Self:
        if not isinstance(other, Document) or other._root != self._root:
            return NotImplemented
        return self._extended(other.verbs)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Document) or other._root != self._root:
            return NotImplemented
        return self._body == other._body

    def __hash__(self) -> int:
        return hash(self._body)

    def __repr__(self) -> str:
        return f"{self._name()}({', '.join(repr(v) for v in self.verbs)})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), self.verbs)

    def __copy__(self) -> Self:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> Self:
        return self


def _indent(verb: Verb, depth: int) -> int:
    """The bytes that ``to_xml(pretty=True)`` adds around ``verb`` at ``depth``."""
    line = 2 * depth + 1  # the indentation and the line break
    children = verb.children
    if not children:
        return line
    return 2 * line + sum(_indent(child, depth + 1) for child in children)


class Flow(_verbs.Flow, Document):
    """An ExoML document: an immutable sequence of verbs, built by chaining.

    Every method appends one verb and returns a new Flow; the original is unchanged, so
    partial flows can be shared and reused. A bad value fails at the call that made it
    with :class:`~exoml.FlowError`, and so does a call that would make the document
    larger than the 64 KiB that :func:`~exoml.validate` and the linter take.

    >>> from exoml import Flow, Say
    >>> flow = Flow().answer().say("Hello").gather(Say("Enter your PIN"), num_digits=4)
    >>> print(flow)
    <Flow><Answer/><Say>Hello</Say><Gather numDigits="4"><Say>Enter your PIN</Say></Gather></Flow>
    """

    __slots__ = ()

    _classes = _verbs.TOP_LEVEL
    _root = "Flow"
    _examples = "verb such as Say or Answer"

    @classmethod
    def parse(cls, source: str | bytes) -> Flow:
        """Read an ExoML document back into a Flow: the exact inverse of :meth:`to_xml`.

        Raises :class:`~exoml.ExomlError` whose ``diagnostics`` lists every problem
        when the document is not valid. Warnings do not stop parsing. A valid document
        that the Flow could not print back within the 64 KiB cap (its indented form is
        larger) is refused with :class:`~exoml.FlowError`, as building it would be.

        >>> Flow.parse('<Flow><StartPlay loop="2">https://x.io/a.wav</StartPlay></Flow>')
        Flow(StartPlay('https://x.io/a.wav', loop=2))
        """
        from ._check import check_document

        report = check_document(source, dialect="legs")
        errors = [d for d in report.diagnostics if d.severity == "error"]
        if errors or report.root is None:
            first = errors[0] if errors else None
            summary = f"{first.line}:{first.column}: {first.code} {first.message}" if first else ""
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            raise ExomlError(f"invalid ExoML: {summary}{more}", errors)
        return Flow(*(_verb_from_element(el) for el in report.elements(report.root)))


Flow.__module__ = "exoml"
Verb.__module__ = "exoml"


def _verb_from_element(el: Any, classes: dict[str, type[Verb]] = VERB_CLASSES) -> Verb:
    """Build a verb from an element that the check engine has found valid."""
    from ._check import element_text

    cls = classes[el.tag]
    values = tuple(
        None if (raw := el.get(a.name)) is None else a.kind.from_wire(raw) for a in cls._attrs
    )
    spec_text = cls.spec.text
    # (a trimmed kind reads the value without the white space around it)
    text = None if spec_text is None else spec_text.kind.from_wire(element_text(el))
    children = tuple(_verb_from_element(c, classes) for c in el if isinstance(c.tag, str))
    return cls._from_parts(values, text, children)

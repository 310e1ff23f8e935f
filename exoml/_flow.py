"""The Flow builder: immutable, chainable, typed, and unable to emit an invalid document.

A :class:`Flow` is a tuple of verbs. Each verb checks its arguments against the catalogue
when it is made and renders its XML once (see ``_verbs.py``), so chaining copies one
tuple and rendering joins strings that already exist.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, overload

from ._catalogue import ROOT
from ._errors import ExomlError, FlowError
from ._verb import Verb
from ._verbs import *  # noqa: F403 - the generated verb classes are part of this module
from ._verbs import FlowVerbs
from ._verbs import __all__ as _verb_names

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["VERB_CLASSES", "Flow", "Verb", *_verb_names]

_OPEN = f"<{ROOT}>"
_CLOSE = f"</{ROOT}>"

#: Every verb class, by ExoML element name.
VERB_CLASSES: dict[str, type[Verb]] = {
    cls.spec.element: cls for cls in Verb.__subclasses__() if cls.dialect == "legs"
}


class Flow(FlowVerbs):
    """An ExoML document: an immutable sequence of verbs, built by chaining.

    Every method appends one verb and returns a new Flow; the original is unchanged, so
    partial flows can be shared and reused. A bad value fails at the call that made it
    with :class:`~exoml.FlowError`.

    >>> from exoml import Flow, Say
    >>> flow = Flow().answer().say("Hello").gather(Say("Enter your PIN"), num_digits=4)
    >>> print(flow)
    <Flow><Answer/><Say>Hello</Say><Gather numDigits="4"><Say>Enter your PIN</Say></Gather></Flow>
    """

    __slots__ = ()

    def __init__(self, *verbs: Verb) -> None:
        if verbs:
            for i, v in enumerate(verbs):
                if not isinstance(v, Verb) or v.dialect != "legs":
                    raise FlowError(f"Flow verb {i} ({v!r}): must be a verb such as Say or Answer")
        self._verbs = verbs

    def then(self, *verbs: Verb) -> Flow:
        """Append verbs made beforehand: ``flow.then(Say("Hi"), Hangup())``."""
        return Flow(*self._verbs, *verbs)

    # --- rendering -------------------------------------------------------------------

    def to_xml(self, *, pretty: bool = False, xml_declaration: bool = False) -> str:
        """The ExoML document.

        ``pretty`` indents nested elements by two spaces (text content is never
        touched, so both forms parse back to the same Flow); ``xml_declaration``
        prefixes ``<?xml version="1.0" encoding="UTF-8"?>``.
        """
        verbs = self._verbs
        if not verbs:
            raise FlowError("Flow: must contain at least one verb")
        if pretty:
            lines = [_OPEN]
            for v in verbs:
                lines.extend(v._pretty("  ", "  "))
            lines.append(_CLOSE)
            body = "\n".join(lines) + "\n"
        else:
            body = _OPEN + "".join([v._xml for v in verbs]) + _CLOSE
        if xml_declaration:
            sep = "\n" if pretty else ""
            return '<?xml version="1.0" encoding="UTF-8"?>' + sep + body
        return body

    def __str__(self) -> str:
        return self.to_xml()

    @classmethod
    def parse(cls, source: str | bytes) -> Flow:
        """Read an ExoML document back into a Flow: the exact inverse of :meth:`to_xml`.

        Raises :class:`~exoml.ExomlError` whose ``diagnostics`` lists every problem
        when the document is not valid. Warnings do not stop parsing.

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
        flow = object.__new__(Flow)
        flow._verbs = tuple(_verb_from_element(el) for el in report.elements(report.root))
        return flow

    # --- a sequence of verbs ---------------------------------------------------------

    @property
    def verbs(self) -> tuple[Verb, ...]:
        """The verbs, in order."""
        return self._verbs

    def __len__(self) -> int:
        return len(self._verbs)

    def __iter__(self) -> Iterator[Verb]:
        return iter(self._verbs)

    @overload
    def __getitem__(self, index: int) -> Verb: ...
    @overload
    def __getitem__(self, index: slice) -> Flow: ...
    def __getitem__(self, index: int | slice) -> Verb | Flow:
        if isinstance(index, slice):
            return Flow(*self._verbs[index])
        return self._verbs[index]

    def __add__(self, other: Flow) -> Flow:
        if not isinstance(other, Flow):
            return NotImplemented
        return Flow(*self._verbs, *other._verbs)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Flow):
            return NotImplemented
        return self._verbs == other._verbs

    def __hash__(self) -> int:
        return hash(self._verbs)

    def __repr__(self) -> str:
        return f"Flow({', '.join(repr(v) for v in self._verbs)})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Flow, self._verbs)

    def __copy__(self) -> Self:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> Self:
        return self


def _verb_from_element(el: Any) -> Verb:
    """Build a verb from an element that the check engine has found valid."""
    from ._check import element_text

    cls = VERB_CLASSES[el.tag]
    values = tuple(
        None if (raw := el.get(a.name)) is None else a.kind.from_wire(raw) for a in cls._attrs
    )
    spec_text = cls.spec.text
    # (a trimmed kind reads the value without the white space around it)
    text = None if spec_text is None else spec_text.kind.from_wire(element_text(el))
    children = tuple(_verb_from_element(c) for c in el if isinstance(c.tag, str))
    return cls._from_parts(values, text, children)

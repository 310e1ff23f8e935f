"""The classic dialect's builder: ``<Response>`` documents for Exotel's call flows.

During a classic call flow (a Passthru or programmable-voice applet, a connect call with
a URL) Exotel posts the call's details to your application's URL and plays the
``<Response>`` your application answers with. :class:`Response` builds that answer with
every quality :class:`~exoml.Flow` has: immutable, chainable, typed keyword arguments
(``Literal`` enums for choices), each value checked at the call that made it,
:meth:`Response.parse` as the exact inverse of :meth:`Response.to_xml`, equality,
hashing, pickling, typed properties and ``replace`` on every verb.

>>> from exoml.classic import Response, Say
>>> r = Response().gather(Say("Press 1"), action="https://example.com/menu", num_digits=1)
>>> print(r.say("Goodbye", voice="man").hangup().to_xml(pretty=True))
<Response>
  <Gather action="https://example.com/menu" numDigits="1">
    <Say>Press 1</Say>
  </Gather>
  <Say voice="man">Goodbye</Say>
  <Hangup/>
</Response>
<BLANKLINE>

The verbs are this module's own classes (``exoml.classic.Say`` is not ``exoml.Say``):
they follow the classic catalogue (``voice`` is ``man`` or ``woman``; ``Play`` and
``Redirect`` take URLs; ``Dial`` takes one number as text or ``Number`` children).
``Say`` takes a ``str`` as text, or an :class:`SSML` value for text with Exotel's SSML
subset (``say-as``, ``break``) in it.
"""

from __future__ import annotations

from typing import Any

from . import _verbs_classic
from ._errors import ExomlError
from ._flow import Document
from ._ssml import SSML
from ._verb import Verb
from ._verbs_classic import (
    Dial,
    Gather,
    Hangup,
    Number,
    Play,
    Record,
    Redirect,
    Say,
)

# (in plain sorted order, as for every public module, not ruff's constants-first order)
__all__ = [  # noqa: RUF022
    "Dial",
    "Gather",
    "Hangup",
    "Number",
    "Play",
    "Record",
    "Redirect",
    "Response",
    "SSML",
    "Say",
]

#: Every classic verb class, by ExoML element name.
VERB_CLASSES: dict[str, type[Verb]] = dict(_verbs_classic.CLASSES)


class Response(_verbs_classic.Response, Document):
    """A classic ExoML document: an immutable sequence of verbs, built by chaining.

    Every method appends one verb and returns a new Response; the original is
    unchanged. A bad value fails at the call that made it with
    :class:`~exoml.FlowError`, worded as :class:`~exoml.Flow`'s are, and so does a call
    that would make the document larger than the 64 KiB the checker takes. Like a
    ``Flow``, a Response holds its rendered document and makes verb objects when they
    are read.

    >>> from exoml.classic import Response
    >>> Response().say("Hi", voice="robot")
    Traceback (most recent call last):
      ...
    exoml._errors.FlowError: Say voice (voice='robot'): must be one of 'man', 'woman'
    """

    __slots__ = ()

    # The verbs a Response holds directly (a Number stands only inside a Dial).
    _classes = _verbs_classic.TOP_LEVEL
    _root = "Response"
    _examples = "classic verb such as exoml.classic.Say or Dial"

    @classmethod
    def parse(cls, source: str | bytes) -> Response:
        """Read a classic document back: the exact inverse of :meth:`to_xml`.

        Raises :class:`~exoml.ExomlError` whose ``diagnostics`` lists every problem
        when the document is not valid classic ExoML (a ``<Flow>`` included).

        >>> Response.parse('<Response><Play loop="2">https://x.io/a.wav</Play></Response>')
        Response(Play('https://x.io/a.wav', loop=2))
        """
        from ._check import check_document

        report = check_document(source, dialect="classic")
        errors = [d for d in report.diagnostics if d.severity == "error"]
        if errors or report.root is None:
            first = errors[0] if errors else None
            summary = f"{first.line}:{first.column}: {first.code} {first.message}" if first else ""
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            raise ExomlError(f"invalid ExoML: {summary}{more}", errors)
        return Response(*(_verb_from_element(el) for el in report.elements(report.root)))

    def check(self) -> list[Any]:
        """The diagnostics :func:`exoml.validate` reports for this document (warnings
        only, or nothing: the builder cannot make an invalid one)."""
        from ._check import validate

        return validate(self.to_xml(), dialect="classic")


def _verb_from_element(el: Any) -> Verb:
    """Build a verb from an element that the check engine has found valid."""
    from ._check import element_text

    verb_class = VERB_CLASSES[el.tag]
    values = tuple(
        None if (raw := el.get(a.name)) is None else a.kind.from_wire(raw)
        for a in verb_class._attrs
    )
    if verb_class.spec.markup and any(isinstance(c.tag, str) for c in el):
        # a Say with SSML: its text is the markup, as SSML (written back as it is)
        return verb_class._from_parts(values, SSML._of(el), ())
    children = tuple(_verb_from_element(c) for c in el if isinstance(c.tag, str))
    text = element_text(el) if verb_class.spec.text is not None and not children else None
    return verb_class._from_parts(values, text, children)

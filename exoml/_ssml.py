"""The classic ``<Say>``'s text with Exotel's SSML subset (``say-as``, ``break``) in it.

A plain ``str`` is text: the builder escapes it, so ``Say("a < b")`` speaks the words.
:class:`SSML` is text that holds markup, written as it is: ``Say(SSML(...))`` makes the
``<Say>`` of Exotel's Say page, and ``Response.parse`` reads such a ``<Say>`` back with
an ``SSML`` text, so that parsing stays the exact inverse of writing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._errors import FlowError

if TYPE_CHECKING:
    from lxml import etree

__all__ = ["SSML"]


class SSML(str):
    """Speech text with Exotel's SSML subset for a classic ``<Say>``.

    The markup may hold ``<say-as>`` and ``<break>`` elements (their attributes and
    content are not checked, as Exotel documents none of them) and must speak at least
    one word. It is checked when made, and kept in one canonical spelling (the
    serialization of its parsed form), so equal markup makes equal verbs.

    >>> from exoml.classic import SSML, Response
    >>> otp = SSML('OTP <say-as interpret-as="digits">4829</say-as><break/>')
    >>> print(Response().say(otp, voice="woman").to_xml(pretty=True))
    <Response>
      <Say voice="woman">OTP <say-as interpret-as="digits">4829</say-as><break/></Say>
    </Response>
    <BLANKLINE>
    >>> Response.parse(Response().say(otp).to_xml()).verbs[0].text == otp
    True
    >>> SSML("Hi <b>there</b>")
    Traceback (most recent call last):
      ...
    exoml._errors.FlowError: Say text (SSML('Hi <b>there</b>')): <Say> cannot contain <b>; ...
    """

    __slots__ = ()

    def __new__(cls, markup: str) -> SSML:
        if type(markup) is SSML:
            return markup
        if not isinstance(markup, str):
            raise FlowError(
                f"Say text (SSML({markup!r})): must be a str",
                verb="Say",
                attribute="text",
                argument="text",
                value=markup,
            )
        return str.__new__(cls, _canonical(str(markup)))

    @classmethod
    def _of(cls, say: etree._Element) -> SSML:
        """The markup of a ``<Say>`` that the check engine has found valid."""
        return str.__new__(cls, inner(say))

    def __repr__(self) -> str:
        return f"SSML({str.__repr__(self)})"

    def __getnewargs__(self) -> tuple[str]:
        return (str(self),)


SSML.__module__ = "exoml.classic"


def inner(el: etree._Element) -> str:
    """The content of ``el`` as canonical XML: its text and child elements, escaped as
    the builder escapes text (comments and processing instructions left out)."""
    from lxml import etree

    from ._values import escape_text

    parts = [escape_text(el.text or "")]
    for child in el:
        if isinstance(child.tag, str):
            parts.append(etree.tostring(child, encoding="unicode", with_tail=False))
        parts.append(escape_text(child.tail or ""))
    return "".join(parts)


def _canonical(markup: str) -> str:
    """Check ``markup`` as the content of a classic ``<Say>``; its canonical spelling."""
    from ._check import check_document

    report = check_document(f"<Response><Say>{markup}</Say></Response>", dialect="classic")
    errors = [d for d in report.diagnostics if d.severity == "error"]
    if errors or report.root is None or len(report.root) != 1:
        rule = errors[0].message if errors else "must be the content of one <Say>"
        raise FlowError(
            f"Say text (SSML({markup!r})): {rule}",
            verb="Say",
            attribute="text",
            argument="text",
            value=markup,
        )
    return inner(report.root[0])

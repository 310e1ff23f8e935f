"""Template placeholders: values that a template engine fills in before Exotel sees them.

Most ExoML in applications is a template: ``<Play>{audio_url}</Play>``,
``callerId="${result.callerId}"``, ``<Say>{{ prompt }}</Say>``. With placeholders on
(``--placeholders STYLE[,STYLE]``, ``validate(..., placeholders=...)``), such files are
checked as templates:

* a value (attribute or text) that is nothing but placeholders is not checked against
  its rule: any value may come in;
* a value that holds a placeholder beside other text is checked where that is sound: a
  pattern is tried with each placeholder replaced by a neutral token (``x``, ``0``), so
  ``https://{host}/a.wav`` is still a URL and ``ftp://{host}/a.wav`` is still not; a
  choice, a number or a boolean with a placeholder in it is not checked;
* jinja's statements and comments (``{% if %}``, ``{# … #}``) between elements are not
  stray text; the elements in every branch are checked as if all were present;
* element and attribute names, required attributes and children are checked as always;
  a placeholder where a name stands (``<{{ verb }}>``, ``{attr}="x"``) cannot be checked
  and is an error (EX008) with its own message, not the XML parser's.

The styles: ``jinja`` (``{{ … }}``, and the ``{% … %}`` / ``{# … #}`` blocks),
``dollar`` (``${…}``, as in JavaScript template literals and many others) and
``format`` (Python's ``str.format`` fields: ``{name}``, ``{0}``, ``{user.phone}``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from ._values import ValueKind

__all__ = ["STYLES", "PlaceholderStyle", "Placeholders", "check_value", "parse_styles"]

PlaceholderStyle = Literal["jinja", "dollar", "format"]

#: Each style and what it looks like. A placeholder never spans a line break in a value
#: that is checked, but jinja blocks may span lines between elements.
# Each pattern is linear on any input: the scan from one opening stops at the first
# character that could start or end another (a lazy ``.*?`` would rescan the rest of the
# text from every opening that is never closed: seconds on 64 KiB of ``{{``).
_PATTERNS: dict[str, str] = {
    "jinja": r"\{\{[^{}]*\}\}|\{%[^%]*%\}|\{#[^#]*#\}",
    "dollar": r"\$\{[^{}]*\}",
    "format": r"\{[A-Za-z0-9_][^{}\s]*\}",
}
#: The styles, in the order they are tried.
STYLES: tuple[str, ...] = tuple(_PATTERNS)
# Tokens that stand in for a placeholder when the rest of a value is checked: one of them
# is a valid piece of every pattern the catalogue has (a host, digits, a word).
_NEUTRAL = ("x", "0", "x0")


def parse_styles(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """Styles from ``"jinja,dollar"`` or ``["jinja", "dollar"]`` (ValueError if unknown).

    >>> parse_styles("dollar, jinja")
    ('jinja', 'dollar')
    """
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else list(value)
    wanted: set[str] = set()
    for item in items:
        if not isinstance(item, str):
            raise ValueError(f"placeholder styles are strings, not {type(item).__name__}")
        name = item.strip()
        if not name:
            continue
        if name not in _PATTERNS:
            known = ", ".join(STYLES)
            raise ValueError(f"unknown placeholder style {name!r}: expected one of {known}")
        wanted.add(name)
    return tuple(s for s in STYLES if s in wanted)


class Placeholders:
    """The placeholders of some styles, found in text.

    >>> p = Placeholders(("format",))
    >>> p.holds("https://{host}/a.wav"), p.only("{audio_url}"), p.only("x{a}")
    (True, True, False)
    """

    def __init__(self, styles: Iterable[str]) -> None:
        self.styles = parse_styles(list(styles))
        if not self.styles:
            raise ValueError("no placeholder style given")
        self._re = re.compile("|".join(f"(?:{_PATTERNS[s]})" for s in self.styles), re.DOTALL)

    def holds(self, text: str) -> bool:
        """Whether ``text`` holds a placeholder."""
        return self._re.search(text) is not None

    def only(self, text: str) -> bool:
        """Whether ``text`` is placeholders and white space only (and holds one)."""
        rest = self._re.sub("", text)
        return rest.strip(" \t\n\r") == "" and rest != text

    def candidates(self, text: str, example: str | None = None) -> list[str]:
        """``text`` with every placeholder replaced by each neutral token in turn (and by
        ``example``, a whole valid value: a placeholder may stand for a URL's start)."""
        tokens = _NEUTRAL if example is None else (*_NEUTRAL, example)
        return [self._re.sub(lambda _, t=token: t, text) for token in tokens]  # type: ignore[misc]

    def in_name(self, text: str) -> tuple[int, str] | None:
        """The first placeholder that stands where a name must (an element or attribute
        name, or a block inside a tag), as (offset, placeholder); None if there is none.

        >>> Placeholders(["jinja"]).in_name("<Response><{{ verb }}/></Response>")
        (11, '{{ verb }}')
        >>> Placeholders(["jinja"]).in_name('<Say voice="{{ v }}">x</Say>') is None
        True
        """
        from bisect import bisect_left

        # Positions found once, so that each placeholder costs a bisection, not a scan.
        lts = [i for i, ch in enumerate(text) if ch == "<"]
        gts = [i for i, ch in enumerate(text) if ch == ">"]
        skipped = _sections(text)  # comments and CDATA sections: (start, end) in order
        starts = [a for a, _ in skipped]
        tag_start, scanned, quote = -1, -1, None  # the quote state of the current tag
        for m in self._re.finditer(text):
            start = m.start()
            i = bisect_left(starts, start) - 1
            if i >= 0 and start < skipped[i][1]:
                continue  # in a comment or a CDATA section
            j = bisect_left(lts, start) - 1
            if j < 0:
                continue
            lt = lts[j]
            k = bisect_left(gts, start) - 1
            if k >= 0 and gts[k] > lt:
                continue  # in content, not in a tag
            if text.startswith("<?", lt):
                continue  # in a processing instruction
            if lt != tag_start:
                tag_start, scanned, quote = lt, lt + 1, None
            quote = _quote_after(text, scanned, start, quote)
            scanned = start
            if quote is None:
                return start, m.group()
        return None


def _sections(text: str) -> list[tuple[int, int]]:
    """The comments and CDATA sections of ``text``, in order, as (start, end) offsets
    (an unclosed one runs to the end), found in one pass."""
    found: list[tuple[int, int]] = []
    at = 0
    while True:
        comment = text.find("<!--", at)
        cdata = text.find("<![CDATA[", at)
        if comment < 0 and cdata < 0:
            return found
        if cdata < 0 or 0 <= comment < cdata:
            close = text.find("-->", comment + 4)
            end = len(text) if close < 0 else close + 3
            found.append((comment, end))
        else:
            close = text.find("]]>", cdata + 9)
            end = len(text) if close < 0 else close + 3
            found.append((cdata, end))
        at = end


def _quote_after(text: str, begin: int, end: int, quote: str | None) -> str | None:
    """The quote open at ``end`` in a tag, given the one open at ``begin``."""
    for ch in text[begin:end]:
        if quote is None:
            if ch in "\"'":
                quote = ch
        elif ch == quote:
            quote = None
    return quote


def check_value(kind: ValueKind, value: str, placeholders: Placeholders) -> str | None:
    """``kind.check_wire(value)``, for a value that may hold placeholders.

    A value with no placeholder is checked as it is; one that is only placeholders is
    accepted; a pattern with a placeholder beside other text is accepted when it matches
    with the placeholders replaced by any neutral token; any other kind holding a
    placeholder cannot be judged and is accepted.

    >>> from exoml._values import Pattern
    >>> url = Pattern("https://[a-z0-9.]+/[a-z./]*", "must be a URL", "URL", "https://x/")
    >>> p = Placeholders(["format"])
    >>> check_value(url, "https://{host}/a.wav", p) is None, check_value(url, "ftp://{h}/", p)
    (True, 'must be a URL')
    """
    if not placeholders.holds(value):
        return kind.check_wire(value)
    if placeholders.only(value):
        return None
    from ._values import Pattern

    if not isinstance(kind, Pattern):
        return None
    example = kind.example()
    for candidate in placeholders.candidates(value, example if isinstance(example, str) else None):
        if kind.check_wire(candidate) is None:
            return None
    return kind.rule

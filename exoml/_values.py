"""Value kinds: how one attribute or text value is typed, checked, written and read back.

Each kind knows four things about its values, so that the builder, the check engine and
the XSD generator all read the same rule:

* ``check_python(value)``: the builder's check of a Python value; returns the wire string
  or raises ``_Refused`` with the rule that was broken;
* ``check_wire(text)``: the engine's check of a value read from a document; returns
  ``None`` when valid, else the rule;
* ``from_wire(text)``: the Python value of a valid wire string;
* ``xsd_type()``: the XSD 1.0 simple-type restriction that accepts exactly the same
  strings as ``check_wire``.

Patterns are written in the common subset of Python's ``re`` and XSD regular
expressions (ASCII ranges, explicit ``[^ \\t\\n\\r]`` classes instead of ``\\s``/``\\S``
and ``.``, which mean different things in the two), so one string serves both.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

__all__ = [
    "XML_WHITESPACE",
    "Bool",
    "Choice",
    "IntRange",
    "Pattern",
    "ValueKind",
    "escape_attr",
    "escape_text",
    "illegal_xml_char",
]

#: Whitespace as XML (and XSD's ``\s``) defines it; Python's ``str.isspace`` is wider.
XML_WHITESPACE = " \t\n\r"

# No regular expression here: a character class spanning the astral planes costs
# ~10 ms to compile, which the linter's start-up cannot afford. ``str.isprintable`` is
# False for every character XML 1.0 cannot carry (controls, surrogates, U+FFFE, U+FFFF),
# so printable text skips the per-character scan entirely.
_XML_CONTROLS = frozenset("\t\n\r")


def _is_illegal(ch: str) -> bool:
    o = ord(ch)
    if o < 0x20:
        return ch not in _XML_CONTROLS
    return 0xD800 <= o <= 0xDFFF or o == 0xFFFE or o == 0xFFFF


class _Refused(Exception):
    """Internal: a Python value broke a rule; carries the rule's wording."""

    def __init__(self, rule: str) -> None:
        super().__init__(rule)
        self.rule = rule


def illegal_xml_char(text: str) -> str | None:
    """Describe the first character of ``text`` that XML 1.0 cannot carry, or None."""
    if text.isprintable():
        return None
    for i, ch in enumerate(text):
        if _is_illegal(ch):
            return f"contains U+{ord(ch):04X} at index {i}, which XML 1.0 cannot carry"
    return None


def escape_text(text: str) -> str:
    """Escape ``text`` for element content (the caller has refused illegal characters).

    ``>`` is escaped so that ``]]>`` never appears; ``\r`` becomes a reference because
    parsers turn a literal carriage return into a line feed.
    """
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


def escape_attr(text: str) -> str:
    """Escape ``text`` for a double-quoted attribute value, whitespace included.

    Tabs, newlines and carriage returns become character references so that attribute
    value normalisation cannot turn them into spaces on the way back.
    """
    text = escape_text(text)
    if '"' in text:
        text = text.replace('"', "&quot;")
    if "\t" in text:
        text = text.replace("\t", "&#9;")
    if "\n" in text:
        text = text.replace("\n", "&#10;")
    return text


def _type_name(value: object) -> str:
    return type(value).__name__


def _plain_str(value: object) -> str:
    """The characters of a ``str`` (of a subclass too), read with ``str``'s own methods.

    A subclass's ``__eq__``, ``__hash__``, ``__str__`` or ``__format__`` and an object's
    fake ``__class__`` get no say: what is checked is what is written.
    """
    kind = type(value)
    if kind is str:
        return value  # type: ignore[return-value]
    if not issubclass(kind, str):
        raise _Refused(f"must be a str, not {_type_name(value)}")
    return str.__str__(value)


class ValueKind:
    """Base of the value kinds; see the module docstring."""

    #: the Python type the builder takes (for signatures and docs)
    python_type: type = str
    #: the rule in words, used in every message: "must be ..."
    rule: str = ""
    #: a short name for the reference docs
    label: str = ""

    def check_python(self, value: object) -> str:
        raise NotImplementedError

    def check_wire(self, text: str) -> str | None:
        raise NotImplementedError

    def from_wire(self, text: str) -> Any:
        return text

    def xsd_type(self) -> str:
        """The body of an ``xs:simpleType`` (an ``xs:restriction`` element)."""
        raise NotImplementedError

    def example(self) -> Any:
        raise NotImplementedError


#: The most digits an open integer range takes: every such value fits a signed 64-bit
#: integer (what an API's integers are) and stays far below Python's 4300-digit limit on
#: int/str conversion, past which reading a value back would crash instead of refusing.
MAX_DIGITS = 18


class IntRange(ValueKind):
    """A non-negative integer written with ASCII digits only, within ``[low, high]``.

    An open range (``high`` None) ends at :data:`MAX_DIGITS` digits.
    """

    python_type = int

    def __init__(self, low: int, high: int | None = None) -> None:
        if low < 0 or (high is not None and high < low):
            raise ValueError("bad range")
        if high is None and low > 9:
            raise ValueError("open ranges start at a single digit")
        if high is not None and high > 1000:
            raise ValueError("ranges are enumerated in the XSD: keep them small")
        self.low = low
        self.high = high
        #: the largest value accepted
        self.max = high if high is not None else 10**MAX_DIGITS - 1
        if high is None:
            self.bounds_rule = f"must be at least {low}"
            self.rule = f"must be an integer of at least {low}"
            self.label = f"integer ≥ {low} (up to {MAX_DIGITS} digits)"
        else:
            self.bounds_rule = f"must be between {low} and {high}"
            self.rule = f"must be an integer between {low} and {high}"
            self.label = f"integer {low}–{high}"
        self.pattern = self._pattern()
        self._re: re.Pattern[str] | None = None

    def _pattern(self) -> str:
        # XSD integer types collapse whitespace and accept signs: the pattern on a
        # string type is the only way to get "digits only" there, so the range is
        # spelled out as digits. Leading zeros are allowed (int() reads them).
        if self.high is None:
            return f"0*([{self.low}-9]|[1-9][0-9]{{1,{MAX_DIGITS - 1}}})"
        return "0*(" + "|".join(str(i) for i in range(self.low, self.high + 1)) + ")"

    def check_python(self, value: object) -> str:
        kind = type(value)  # not value.__class__, which an object may fake
        if kind is int:
            number: int = value  # type: ignore[assignment]
        elif issubclass(kind, bool) or not issubclass(kind, int):
            raise _Refused(f"must be an int, not {_type_name(value)}")
        else:
            # the number itself (an IntEnum's value), whatever a subclass's __int__ says
            number = int.__index__(value)  # type: ignore[arg-type]
        if number < self.low:
            raise _Refused(self.bounds_rule)
        if number > self.max:
            raise _Refused(self._too_big_rule())
        return int.__repr__(number)

    def _too_big_rule(self) -> str:
        if self.high is not None:
            return self.bounds_rule
        return f"must have at most {MAX_DIGITS} digits"

    def check_wire(self, text: str) -> str | None:
        if self._re is None:
            self._re = re.compile(self.pattern)
        if self._re.fullmatch(text):
            return None
        digits = text.isascii() and text.isdigit()
        if self.high is None and digits and len(text.lstrip("0")) > MAX_DIGITS:
            return self._too_big_rule()
        return self.rule

    def from_wire(self, text: str) -> int:
        # Leading zeros count towards Python's limit on int/str conversion.
        return int(text.lstrip("0") or "0")

    def xsd_type(self) -> str:
        restriction = '<xs:restriction base="xs:string">'
        return f'{restriction}<xs:pattern value="{self.pattern}"/></xs:restriction>'

    def example(self) -> int:
        return self.low if self.high is None else min(self.high, max(self.low, 2))


class Choice(ValueKind):
    """Exactly one of a few strings (case-sensitive, no surrounding spaces)."""

    def __init__(self, *values: str) -> None:
        if any(escape_attr(v) != v or not v.isprintable() for v in values):
            raise ValueError("choices are written unescaped: keep them plain")
        self.values = values
        self._set = frozenset(values)
        self.rule = "must be one of " + ", ".join(repr(v) for v in values)
        self.label = " | ".join(f"`{v}`" for v in values)

    def check_python(self, value: object) -> str:
        value = _plain_str(value)
        if value not in self._set:
            raise _Refused(self.rule)
        return value

    def check_wire(self, text: str) -> str | None:
        return None if text in self._set else self.rule

    def xsd_type(self) -> str:
        enums = "".join(f'<xs:enumeration value="{v}"/>' for v in self.values)
        return f'<xs:restriction base="xs:string">{enums}</xs:restriction>'

    def example(self) -> str:
        return self.values[0]


class Bool(ValueKind):
    """``true`` or ``false`` exactly; a Python ``bool`` in the builder."""

    python_type = bool
    rule = "must be 'true' or 'false'"
    label = "`true` | `false`"

    def check_python(self, value: object) -> str:
        if value is True:
            return "true"
        if value is False:
            return "false"
        raise _Refused(f"must be a bool, not {_type_name(value)}")

    def check_wire(self, text: str) -> str | None:
        return None if text in ("true", "false") else self.rule

    def from_wire(self, text: str) -> bool:
        return text == "true"

    def xsd_type(self) -> str:
        return (
            '<xs:restriction base="xs:string"><xs:enumeration value="true"/>'
            '<xs:enumeration value="false"/></xs:restriction>'
        )

    def example(self) -> bool:
        return True


class Pattern(ValueKind):
    """A string matching a regular expression (anchored at both ends)."""

    def __init__(
        self,
        pattern: str,
        rule: str,
        label: str,
        example: str,
        *,
        safe: bool = False,
        check: Callable[[str], object] | None = None,
        fast_expr: str | None = None,
        words: bool = False,
        trim: bool = False,
    ) -> None:
        if trim and any(ws in example for ws in XML_WHITESPACE):
            raise ValueError("a trimmed kind's values hold no white space")
        self.pattern = pattern
        self.rule = rule
        self.label = label
        self._example = example
        self._re: re.Pattern[str] | None = None  # compiled on first use: start-up matters
        self._check = check
        #: True when no matching value needs escaping or can hold an illegal character
        #: (tested), so the builder can skip that search
        self.safe = safe
        #: an inline Python expression over ``{v}`` that the generated builder uses in
        #: place of ``fast_check``; it may only be true for valid values, given that
        #: ``{v}.isprintable()`` (tested)
        self.fast_expr = fast_expr
        #: True when every non-empty string of letters and digits (``str.isalnum``)
        #: matches, so the builder takes such a value as it is (tested)
        self.words = words
        #: True when a document may surround the value with XML white space, as
        #: Exotel's own examples do (a URL on its own indented line): the value is
        #: checked and read after trimming. The pattern must exclude white space, so
        #: that XSD's ``xs:token`` collapsing is the same trimming.
        self.trim = trim

    @property
    def regex(self) -> re.Pattern[str]:
        """The compiled pattern."""
        if self._re is None:
            self._re = re.compile(self.pattern)
        return self._re

    @property
    def fast_check(self) -> Callable[[str], object]:
        """The check the builder runs: the regex, or an equivalent cheaper test (tested)."""
        return self._check or self.regex.fullmatch

    def check_python(self, value: object) -> str:
        value = _plain_str(value)
        if self.regex.fullmatch(value) is None:
            raise _Refused(illegal_xml_char(value) or self.rule)
        bad = illegal_xml_char(value)
        if bad is not None:
            raise _Refused(bad)
        return value

    def check_wire(self, text: str) -> str | None:
        if self.trim:
            text = text.strip(XML_WHITESPACE)
        return None if self.regex.fullmatch(text) is not None else self.rule

    def from_wire(self, text: str) -> str:
        return text.strip(XML_WHITESPACE) if self.trim else text

    def xsd_type(self) -> str:
        pattern = self.pattern.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
        # xs:token collapses white space (trims it, and turns inner runs into one space,
        # which a trimmed kind's pattern refuses): the pattern sees the trimmed value.
        base = "xs:token" if self.trim else "xs:string"
        return f'<xs:restriction base="{base}"><xs:pattern value="{pattern}"/></xs:restriction>'

    def example(self) -> str:
        return self._example


# Shared pieces of patterns, in the common subset of Python and XSD syntax.
NOT_SPACE = "[^ \\t\\n\\r]"
NOT_NEWLINE = "[^\\n\\r]"
ANY = "[\\s\\S]"  # \s and \S are complementary in both syntaxes, so this is "any"

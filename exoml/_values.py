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

# Characters XML 1.0 cannot carry at all (even as character references).
_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Characters that need escaping in text content (">" for "]]>"; "\r" because parsers
# turn a literal CR into LF) or that are illegal: one search decides the fast path.
_TEXT_SPECIAL = re.compile("[&<>\r]|" + _ILLEGAL.pattern)
_ATTR_SPECIAL = re.compile('[&<>"\t\n\r]|' + _ILLEGAL.pattern)


class _Refused(Exception):
    """Internal: a Python value broke a rule; carries the rule's wording."""

    def __init__(self, rule: str) -> None:
        super().__init__(rule)
        self.rule = rule


def illegal_xml_char(text: str) -> str | None:
    """Describe the first character of ``text`` that XML 1.0 cannot carry, or None."""
    m = _ILLEGAL.search(text)
    if m is None:
        return None
    return f"contains U+{ord(m.group()):04X} at index {m.start()}, which XML 1.0 cannot carry"


def escape_text(text: str) -> str:
    """Escape ``text`` for element content (the caller has refused illegal characters)."""
    if _TEXT_SPECIAL.search(text) is None:
        return text
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


def escape_attr(text: str) -> str:
    """Escape ``text`` for a double-quoted attribute value, whitespace included.

    Tabs, newlines and carriage returns become character references so that attribute
    value normalisation cannot turn them into spaces on the way back.
    """
    if _ATTR_SPECIAL.search(text) is None:
        return text
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\t", "&#9;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
    )


def _type_name(value: object) -> str:
    return type(value).__name__


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


class IntRange(ValueKind):
    """A non-negative integer written with ASCII digits only, within ``[low, high]``."""

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
        if high is None:
            self.bounds_rule = f"must be at least {low}"
            self.rule = f"must be an integer of at least {low}"
            self.label = f"integer ≥ {low}"
        else:
            self.bounds_rule = f"must be between {low} and {high}"
            self.rule = f"must be an integer between {low} and {high}"
            self.label = f"integer {low}–{high}"
        self.pattern = self._pattern()
        self._re = re.compile(self.pattern)

    def _pattern(self) -> str:
        # XSD integer types collapse whitespace and accept signs: the pattern on a
        # string type is the only way to get "digits only" there, so the range is
        # spelled out as digits. Leading zeros are allowed (int() reads them).
        if self.high is None:
            return f"0*([{self.low}-9]|[1-9][0-9]+)" if self.low > 0 else "[0-9]+"
        return "0*(" + "|".join(str(i) for i in range(self.low, self.high + 1)) + ")"

    def check_python(self, value: object) -> str:
        if type(value) is not int:
            if isinstance(value, bool) or not isinstance(value, int):
                raise _Refused(f"must be an int, not {_type_name(value)}")
            value = int(value)
        if value < self.low or (self.high is not None and value > self.high):
            raise _Refused(self.bounds_rule)
        return str(value)

    def check_wire(self, text: str) -> str | None:
        return None if self._re.fullmatch(text) else self.rule

    def from_wire(self, text: str) -> int:
        return int(text)

    def xsd_type(self) -> str:
        restriction = '<xs:restriction base="xs:string">'
        return f'{restriction}<xs:pattern value="{self.pattern}"/></xs:restriction>'

    def example(self) -> int:
        return self.low if self.high is None else min(self.high, max(self.low, 2))


class Choice(ValueKind):
    """Exactly one of a few strings (case-sensitive, no surrounding spaces)."""

    def __init__(self, *values: str) -> None:
        if any(_ATTR_SPECIAL.search(v) for v in values):
            raise ValueError("choices are written unescaped: keep them plain")
        self.values = values
        self._set = frozenset(values)
        self.rule = "must be one of " + ", ".join(repr(v) for v in values)
        self.label = " | ".join(f"`{v}`" for v in values)

    def check_python(self, value: object) -> str:
        if not isinstance(value, str):
            raise _Refused(f"must be a str, not {_type_name(value)}")
        if value not in self._set:
            raise _Refused(self.rule)
        return str.__str__(value)

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
    ) -> None:
        self.pattern = pattern
        self.rule = rule
        self.label = label
        self._example = example
        self._re = re.compile(pattern)
        #: True when no matching value needs escaping or can hold an illegal character
        #: (tested), so the builder can skip that search
        self.safe = safe
        #: the check the builder runs: the regex, or an equivalent cheaper test (tested)
        self.fast_check: Callable[[str], object] = check or self._re.fullmatch
        #: an inline Python expression over ``{v}`` that the generated builder uses in
        #: place of ``fast_check``; it may only be true for valid values, given that
        #: ``{v}.isprintable()`` (tested)
        self.fast_expr = fast_expr
        self._fullmatch: Callable[[str], object] = self._re.fullmatch

    def check_python(self, value: object) -> str:
        if not isinstance(value, str):
            raise _Refused(f"must be a str, not {_type_name(value)}")
        value = str.__str__(value)
        if self._fullmatch(value) is None:
            raise _Refused(illegal_xml_char(value) or self.rule)
        if _ILLEGAL.search(value) is not None:
            raise _Refused(illegal_xml_char(value) or self.rule)
        return value

    def check_wire(self, text: str) -> str | None:
        return None if self._fullmatch(text) is not None else self.rule

    def xsd_type(self) -> str:
        pattern = self.pattern.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
        return f'<xs:restriction base="xs:string"><xs:pattern value="{pattern}"/></xs:restriction>'

    def example(self) -> str:
        return self._example


# Shared pieces of patterns, in the common subset of Python and XSD syntax.
NOT_SPACE = "[^ \\t\\n\\r]"
NOT_NEWLINE = "[^\\n\\r]"
ANY = "[\\s\\S]"  # \s and \S are complementary in both syntaxes, so this is "any"

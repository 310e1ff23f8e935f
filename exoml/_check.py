"""The check engine behind ``exoml.validate``, ``Flow.parse`` and the linter.

Input goes through three stages, each a set of rules from ``exoml._rules``:

1. the bytes (size, encoding, DOCTYPE): source rules, before any parsing;
2. a hardened lxml parse (no DTD, no entities, no network, bounded depth);
3. one walk over the tree that calls the document and element rules.

Positions: libxml2 reports lines but not columns for elements and attributes, so a
scanner (:class:`_Positions`) maps every start tag, attribute and end tag of the decoded
text to offsets. It runs only when a diagnostic needs a position, so a clean document
pays nothing for it.
"""

from __future__ import annotations

import re
from _thread import _local as _thread_local
from collections.abc import Callable, Collection, Iterator
from typing import TYPE_CHECKING, Literal, NamedTuple, TypeAlias

from lxml import etree

from ._schema import _FILES

if TYPE_CHECKING:
    from ._catalogue import Dialect, Names
    from ._diagnostics import Diagnostic, Fix
    from ._placeholders import Placeholders
    from ._rules._base import Rule
    from ._rules._walk import Checks

# The catalogue is not imported here: a document the quiet schema accepts needs no rule
# and no vocabulary (the linter's start-up is measured); the context loads them when a
# rule is to run (:func:`_enter`).

#: What a caller may name a dialect by: the value, its name, or None (the root decides).
DialectArg: TypeAlias = "Dialect | str | None"
#: Placeholder styles, as a comma-separated string or a collection of names.
StylesArg: TypeAlias = "str | Collection[str] | None"

__all__ = [
    "DEFAULT_MAX_BYTES",
    "Report",
    "check_bytes",
    "check_document",
    "has_errors",
    "validate",
]

#: The default size cap: the API wants small documents.
DEFAULT_MAX_BYTES = 64 * 1024

_BOM = b"\xef\xbb\xbf"


def _parser(schema: etree.XMLSchema | None = None) -> etree.XMLParser:
    # Nothing is loaded, expanded or fetched; depth stays at libxml2's safe default
    # (huge_tree off); CDATA is merged into text, as XML's data model says it is. With
    # ``schema``, the parse validates against it as it goes (and refuses what it refuses).
    return etree.XMLParser(
        schema=schema,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        strip_cdata=True,
        remove_blank_text=False,
        collect_ids=False,
    )


_PARSER = _parser()


class Report(NamedTuple):
    """What the engine found: diagnostics sorted by position, and what it read.

    ``text`` is the decoded document (None when the bytes were not UTF-8); ``root`` the
    parsed root element (None when parsing failed or was refused).
    """

    diagnostics: list[Diagnostic]
    text: str | None
    root: etree._Element | None = None

    @property
    def ok(self) -> bool:
        """True when no error was found (warnings allowed)."""
        return not any(d.severity == "error" for d in self.diagnostics)

    @staticmethod
    def elements(parent: etree._Element) -> Iterator[etree._Element]:
        """The child elements of ``parent``, without comments and processing instructions."""
        return (c for c in parent if isinstance(c.tag, str))


_new_report: Callable[[type[Report], tuple[object, ...]], Report] = tuple.__new__


def element_text(el: etree._Element) -> str:
    """The character data of ``el`` with comments and processing instructions left out."""
    if len(el) == 0:
        return el.text or ""
    parts = [el.text or ""]
    parts.extend(c.tail or "" for c in el)
    return "".join(parts)


# --- positions --------------------------------------------------------------------------

# XML's white space (the S production) is space, tab, CR and LF only. Python's ``\s``
# also takes U+0085, U+00A0, U+1680, U+2028... and XML allows U+1680 (and others) inside
# names: with ``\s`` the scan would cut such a name in two, lose step with the parser,
# and put every later position (and fix) on the wrong tag.
_S = "[ \t\r\n]"
_NAME = "[^ \t\r\n/>=\"'<]+"
_TOKEN = (
    r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<!.*?>"
    rf"|</(?P<end>{_NAME}){_S}*>"
    rf"|<(?P<start>[^ \t\r\n/>!?=\"'<]+)"
    rf"(?P<attrs>(?:{_S}+{_NAME}{_S}*={_S}*(?:\"[^\"]*\"|'[^']*'))*){_S}*(?P<slash>/?)>"
)
# The value is consumed with its quotes so that the scan never resumes inside it: from
# there, each space of a long blank value started a match that failed at the far end.
_ATTR = rf"{_S}+(?P<name>{_NAME}){_S}*={_S}*(?P<q>\"[^\"]*\"|'[^']*')"
_NEWLINE = r"\r\n|\r|\n"


class _Tag:
    """Where one element's tags are. A plain class: the scan fills in the end tag
    later, and a NamedTuple would cost an exec at import and a copy per end tag."""

    __slots__ = ("after", "attrs", "content", "end_name", "lt", "name", "qname")

    def __init__(
        self, lt: int, name: int, qname: str, attrs: dict[str, tuple[int, int]], end: int
    ) -> None:
        self.lt = lt  # offset of "<"
        self.name = name  # offset of the element name
        self.qname = qname  # the element name as written (prefix:local)
        self.attrs = attrs  # qname -> (name offset, value offset)
        self.end_name: int | None = None  # offset of the end tag's name; None: self-closing
        self.content = end  # offset just after the start tag's ">"
        self.after = end  # offset just after the element (its end tag, or the "/>")


#: The scanner's patterns, compiled on the first diagnostic that needs a position, not
#: when the module is imported (the linter's start-up is measured).
_POSITION_PATTERNS: tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]] | None = None


def _position_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    global _POSITION_PATTERNS
    _POSITION_PATTERNS = (re.compile(_NEWLINE), re.compile(_TOKEN, re.DOTALL), re.compile(_ATTR))
    return _POSITION_PATTERNS


class _Positions:
    """Offsets of every element's tags in the decoded text, in document order."""

    def __init__(self, text: str) -> None:
        self.text = text
        newline_re, token_re, attr_re = _POSITION_PATTERNS or _position_patterns()
        self.line_starts = [0] + [m.end() for m in newline_re.finditer(text)]
        self.tags: list[_Tag] = []
        stack: list[int] = []
        for m in token_re.finditer(text):
            if m.group("start") is not None:
                attrs: dict[str, tuple[int, int]] = {}
                base = m.start("attrs")
                for a in attr_re.finditer(m.group("attrs")):
                    attrs[a.group("name")] = (base + a.start("name"), base + a.start("q") + 1)
                closed = bool(m.group("slash"))
                self.tags.append(
                    _Tag(m.start(), m.start("start"), m.group("start"), attrs, m.end())
                )
                if not closed:
                    stack.append(len(self.tags) - 1)
            elif m.group("end") is not None and stack:
                tag = self.tags[stack.pop()]
                tag.end_name, tag.after = m.start("end"), m.end()

    def line_col(self, offset: int) -> tuple[int, int]:
        from bisect import bisect_right  # here: a clean run never needs it

        line = bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1] + 1


#: The Diagnostic class, imported on the first diagnostic: a clean document never needs it.
_Diagnostic: type[Diagnostic] | None = None


def _diagnostic_class() -> type[Diagnostic]:
    global _Diagnostic
    from ._diagnostics import Diagnostic

    _Diagnostic = Diagnostic
    return Diagnostic


def _same_tag(el: etree._Element, tag: _Tag) -> bool:
    """Whether the scanned ``tag`` has the name and the attributes of the parsed ``el``."""
    name: str = el.tag  # type: ignore[assignment]
    if name[:1] == "{":  # {uri}local: written prefix:local, or local (a default namespace)
        local = name[name.index("}") + 1 :]
        name = f"{el.prefix}:{local}" if el.prefix else local
    if tag.qname != name:
        return False
    names = [n for n in tag.attrs if n != "xmlns" and not n.startswith("xmlns:")]
    attrib = el.attrib  # lxml makes a new proxy on each access: once per element
    if len(names) != len(attrib):
        return False
    # Unprefixed names are keys of ``attrib`` as written; prefixed ones are {uri}local.
    return all(":" in n or n in attrib for n in names)


class Context:
    """The state of one check: the dialect, the text, the tree, the diagnostics so far.

    ``dialect`` decides the vocabulary (root, verbs, children): every rule reads it from
    here, never from a module-level table; ``names`` are its lookups.
    """

    # Class-level defaults: a clean document's context sets three attributes, no more;
    # the dialect and its lookups are set (:func:`_enter`) before any rule runs.
    dialect: Dialect
    names: Names
    #: template placeholders allowed in values (None: plain ExoML)
    placeholders: Placeholders | None = None
    #: whether the caller named the dialect (else the root chose it)
    explicit: bool = False
    #: names a project prefers where a name has two spellings (rule EX520)
    prefer: frozenset[str] = frozenset()
    _positions: _Positions | None = None
    _index: dict[etree._Element, int] | None = None

    def __init__(
        self,
        text: str,
        root: etree._Element | None,
        dialect: Dialect | None = None,
        placeholders: Placeholders | None = None,
        *,
        explicit: bool = False,
    ) -> None:
        from ._catalogue import LEGS

        self.text = text
        self.root = root
        self.diagnostics: list[Diagnostic] = []
        _enter(self, dialect or LEGS)
        if placeholders is not None:
            self.placeholders = placeholders
        if explicit:
            self.explicit = True

    # Positions are computed on the first diagnostic that needs one.
    @property
    def positions(self) -> _Positions:
        if self._positions is None:
            self._positions = _Positions(self.text)
        return self._positions

    def tag(self, el: etree._Element) -> _Tag | None:
        """The scanned tag of ``el``; None for every element when the scanner and the
        parser disagree anywhere (then positions fall back to the parser's lines, and no
        fix is offered: a fix placed by a scan out of step would edit the wrong tag)."""
        if self._index is None:
            assert self.root is not None
            elements = list(self.root.iter(etree.Element))
            tags = self.positions.tags
            agree = len(elements) == len(tags) and all(map(_same_tag, elements, tags))
            self._index = {e: i for i, e in enumerate(elements)} if agree else {}
        i = self._index.get(el)
        return None if i is None else self.positions.tags[i]

    def element_offset(self, el: etree._Element) -> int | None:
        tag = self.tag(el)
        return None if tag is None else tag.lt

    def attribute_offset(self, el: etree._Element, qname: str) -> int | None:
        tag = self.tag(el)
        if tag is None:
            return None
        spot = tag.attrs.get(qname)
        return tag.lt if spot is None else spot[0]

    def text_offset(self, el: etree._Element) -> int | None:
        tag = self.tag(el)
        return None if tag is None else tag.content

    def tail_offset(self, el: etree._Element) -> int | None:
        """Where the text after ``el`` starts (elements only; else None)."""
        if not isinstance(el.tag, str):
            return None
        tag = self.tag(el)
        return None if tag is None else tag.after

    def add(
        self,
        rule: Rule,
        message: str,
        *,
        offset: int | None = None,
        line: int | None = None,
        column: int = 1,
        element: etree._Element | None = None,
        hint: str | None = None,
        fix: Fix | None = None,
    ) -> None:
        """Record a diagnostic at ``offset`` (or ``line``/``column``, or ``element``)."""
        if offset is None and element is not None:
            offset = self.element_offset(element)
            if offset is None:
                line = element.sourceline or 1
        if offset is not None:
            line, column = self.positions.line_col(offset)
        self.diagnostics.append(
            (_Diagnostic or _diagnostic_class())(
                rule.code, rule.severity, message, line or 1, column, hint, fix
            )
        )


# --- the entry points ---------------------------------------------------------------------
#
# Every entry point (validate, has_errors, check_document, check_bytes and through them
# Flow.parse, the clients and the linter) goes through one function, :func:`_run`:
# the byte screen, one hardened parse, the dialect's compiled schema, then one walk with
# the rules that can still speak. A document the screen or the parser refuses goes to the
# byte stage's rules; a document the schema refuses is walked by every rule, on the tree
# already parsed.


def check_bytes(
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    decoded: bool = False,
    full: bool = False,
    dialect: DialectArg = None,
    enabled: Collection[str] = (),
    placeholders: StylesArg = None,
    prefer: Collection[str] = (),
) -> Report:
    """Check one document given as bytes; never raises on any input.

    ``decoded`` says the bytes came from a ``str`` (so an XML declaration's encoding is
    not the bytes' encoding and is not checked). ``dialect`` is the vocabulary (a
    :class:`~exoml._catalogue.Dialect` or its name; None: the root decides,
    ``<Response>`` classic, else leg actions); ``enabled`` names the opt-in rules to run
    besides the default ones; ``placeholders`` names the template styles whose
    placeholders are allowed in values (see :mod:`exoml._placeholders`); ``prefer`` the
    spellings a project prefers where a name has two (rule EX520).

    The byte stage runs the source rules; a document that parses then goes through one
    walk that calls every enabled tree rule. For a document the compiled schema accepts,
    the rules that declare themselves covered by the schema are left out (the schema has
    already said they have nothing to report), and so are rules none of whose needles
    are in the text; every other rule runs. ``full=True`` runs every rule regardless
    (the differential tests use it to hold the rules and the schema to the same
    verdicts).
    """
    found = _run(
        data,
        max_bytes,
        dialect,
        False,
        decoded,
        _styles(placeholders) if placeholders else None,
        enabled,
        prefer,
        full,
    )
    return _report(found)


def _report(found: Context | Report) -> Report:
    """What :func:`_run` found, as a :class:`Report`."""
    if found.__class__ is Report:
        return found
    # (tuple.__new__: a NamedTuple's own __new__ is a Python function, costly per file)
    return _new_report(Report, (found.diagnostics, found.text, found.root))


def _run(
    source: str | bytes,
    max_bytes: int,
    dialect: DialectArg,
    errors_only: bool,
    decoded: bool = False,
    styles: Placeholders | None = None,
    enabled: Collection[str] = (),
    prefer: Collection[str] = (),
    full: bool = False,
) -> Context | Report:
    """Check ``source``: the context of the walk (its diagnostics, text and tree), or a
    :class:`Report` from the byte stage when the document was refused before a tree.

    ``errors_only`` (for :func:`has_errors`) runs on a schema-valid document only the
    rules that report errors (a document the schema refuses is walked by every rule).
    The defaults of the other arguments are the common case, which this function keeps
    short: a clean document costs a handful of tests besides the parse and the schema.
    """
    # The dialect: None (the root decides), a name, or a Dialect value (kept as given:
    # a caller may define one of its own).
    spec: Dialect | None = None
    if dialect is None:
        name = None
    elif dialect.__class__ is str:
        name = dialect
        if name not in _FILES:
            resolve_dialect(name)  # raises, naming the dialects
    else:
        spec = resolve_dialect(dialect)
        name = spec.name  # type: ignore[union-attr]
    kind = type(source)  # not source.__class__, which an object may fake
    if kind is bytes:
        data: bytes = source  # type: ignore[assignment]
        text: str | None
        # One-character slices, not startswith: they are cached objects, where the method
        # parses its arguments on every call.
        body = data[3:] if data[:1] == b"\xef" and data[:3] == _BOM else data
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            text = None
    elif kind is str:
        text = source  # type: ignore[assignment]
        try:
            data = text.encode("utf-8")  # type: ignore[union-attr]
        except UnicodeEncodeError as exc:
            # Lone surrogates: a str that no encoding can carry.
            from ._rules._source import surrogate_report

            return surrogate_report(source, exc.start)  # type: ignore[arg-type]
        body, decoded = data, True
    else:
        # A subclass of str or bytes, a bytearray or a memoryview: its characters or its
        # buffer's bytes, not what its methods say; anything else is not a document.
        return _run(
            _plain(source), max_bytes, dialect, errors_only, decoded, styles, enabled, prefer, full
        )
    # The byte screen: anything the byte stage could report sends the document there.
    # Only a document that starts with a prolog (a declaration, a comment, a processing
    # instruction, a DOCTYPE) is looked at further: its declaration may name another
    # encoding than UTF-8 (EX007; only for bytes: a str's declared encoding is not its
    # bytes'), and a DOCTYPE (EX004) can stand only there (anywhere else it is not
    # well-formed, which the parser says). A document that starts with its root's start
    # tag has no prolog.
    if (
        text is None
        or len(data) > max_bytes
        or text[:1] != "<"
        or (
            text[1:2] in "?!"
            and (
                "<!DOCTYPE" in text
                or (not decoded and text.startswith("<?xml") and not _utf8_declared(text))
            )
        )
    ):
        from ._rules._source import check_source

        early = check_source(data, max_bytes, decoded=decoded)
        if early.__class__ is Report:
            return early
        text, body = early  # type: ignore[misc]
    explicit = name is not None
    # The common case (no namespace declared, so no xsi:; no opt-in rule; no full walk):
    # the parse validates against the quiet schema of the dialect the first tag names,
    # in the same pass as libxml2 builds the tree, where a schema applied to the tree
    # afterwards would walk it again. A document that passes is finished but for the
    # rules the quiet schema leaves to speak; any other is parsed again, without a
    # schema, and goes the general way.
    #
    # Not with a prefixed name: libxml2, validating as it parses, lets an undeclared
    # prefix through without a word (the schema sees the local name). With no xmlns in
    # the text every prefix is undeclared; a text whose every colon is followed by "/"
    # or a digit (URLs, ports) has none, since a name's local part starts otherwise.
    tried = None  # the schema file of the quiet schema that refused the document
    root = None
    plan: _Plan | None = None  # (None: quiet)
    if (
        not full
        and not enabled
        and "xmlns" not in text
        and (":" not in text or _NAME_COLON.search(text) is None)
    ):
        # The dialect the root names, read from the text: a guess, which the parse
        # checks (a quiet schema accepts no other dialect's root).
        if name is not None:
            first = name
        elif text[1:2] in "?!":  # past a prolog: a <Response> anywhere (a comment?)
            first = "classic" if _CLASSIC_TAG in text else "legs"
        else:
            first = "classic" if text.startswith(_CLASSIC_ROOT, 1) else "legs"
        file = _FILES[first] if spec is None else spec.schema_file
        try:
            root = etree.fromstring(body, _QUIET_PARSERS.get(file) or _quiet_parser(file))
        except etree.XMLSyntaxError:
            tried = file
        else:
            # (each dialect's quiet schema accepts its own root only, and the roots the
            # guess tells apart differ: a test holds both)
            known = first
    if root is None:
        try:
            root = etree.fromstring(body, _PARSER)
        except etree.XMLSyntaxError as exc:
            from ._rules._source import parse_failure

            if styles is not None:
                from ._rules.ex008_placeholder_in_name import placeholder_failure

                found_in_name = placeholder_failure(text, styles)
                if found_in_name is not None:
                    return Report(found_in_name, text)
            return Report(parse_failure(text, body, exc), text)
        known = _root_dialect(root) if name is None else name
        file = _FILES[known] if spec is None else spec.schema_file
        if full or ("xmlns" in text and _declares_xsi(root, text)):
            ctx = _context(text, root, spec or known, explicit, styles, prefer)
            _full_walk(ctx, enabled)
            return ctx
        if enabled:
            # Opt-in rules: the published schema, then the rules it leaves to speak.
            from ._rules import checks
            from ._rules._walk import walk

            ctx = _context(text, root, spec or known, explicit, styles, prefer)
            if not _schema(file).validate(root):
                _full_walk(ctx, enabled)
            else:
                found = checks(enabled, schema_valid=True, dialect=known)
                if found.needles:
                    present = frozenset([n for n in found.needles if n in text])
                    found = checks(enabled, schema_valid=True, present=present, dialect=known)
                walk(ctx, found)
                if len(ctx.diagnostics) > 1:
                    ctx.diagnostics.sort(key=_position)
            return ctx
        # The quiet schema, unless it refused this document already in the parse.
        if tried == file or not _schema(file, quiet=True).validate(root):
            # Not quiet: the published schema, then the rules it leaves to speak.
            if not _schema(file).validate(root):
                ctx = _context(text, root, spec or known, explicit, styles, prefer)
                _full_walk(ctx, ())
                return ctx
            plans = _ERROR_PLANS if errors_only else _PLANS
            plan = plans.get(known) or _plan(plans, known, quiet=False, errors=errors_only)
    if plan is None:
        # Quiet. The quiet schemas hold any number of actions: where rule EX501 applies,
        # a root with more than one child (an action, a comment...) gets the plan of a
        # document the published schema accepts (as the quiet schema's acceptance
        # implies), in which that rule runs.
        plans = _QUIET_ERROR_PLANS if errors_only else _QUIET_PLANS
        plan = plans.get(known) or _plan(plans, known, quiet=True, errors=errors_only)
        if plan.one_action and len(root) > 1:
            plans = _PLANS  # (one_action: not for has_errors, whose rules exclude EX501)
            plan = plans.get(known) or _plan(plans, known, quiet=False, errors=False)
    # The needles (from the rule index) say which rules may still speak: a rule none of
    # whose needles is in the text is left out; every other one runs.
    needles: tuple[str, ...] = ()
    for needle in plan.needles:
        if needle in text:
            needles += (needle,)
    if needles and plan.needles_then:
        for needle in plan.needles_then:
            if needle in text:
                needles += (needle,)
    if needles or plan.rules:
        to_run = plan.by_present.get(needles)
        if to_run is None:
            to_run = plan.checks(needles)
        # (False: the needles found are not all a rule needs)
        if to_run:
            ctx = _context(text, root, spec or known, explicit, styles, prefer)
            for document_check in to_run.document:
                document_check(ctx)
            if to_run.element or to_run.attribute:
                (plan.walk_elements or plan.walker())(ctx, to_run)
            if len(ctx.diagnostics) > 1:
                ctx.diagnostics.sort(key=_position)
            return ctx
    # Nothing to run: the report, without a context (a tuple made in C).
    return _new_report(Report, ([], text, root))


#: A colon that may stand in a prefixed name (see :func:`_run`).
_NAME_COLON = re.compile(":[^/0-9]")


def _context(
    text: str,
    root: etree._Element,
    dialect: Dialect | str,
    explicit: bool,
    styles: Placeholders | None,
    prefer: Collection[str],
) -> Context:
    """The context of a walk, without the keyword handling of the constructor: the
    common case sets the text, the tree, the diagnostics and the dialect; the class
    gives the rest."""
    ctx = Context.__new__(Context)
    ctx.text, ctx.root, ctx.diagnostics = text, root, []
    _enter(ctx, dialect)
    if explicit:
        ctx.explicit = True
    if styles is not None:
        ctx.placeholders = styles
    if prefer:
        ctx.prefer = frozenset(prefer)
    return ctx


#: The catalogue's dialects and their lookups, by name (filled as rules first run).
_ENTERED: dict[str, tuple[Dialect, Names]] = {}


def _enter(ctx: Context, dialect: Dialect | str) -> None:
    """Set the context's dialect (a value, or a name in the catalogue) and its lookups:
    before any rule runs."""
    found = _ENTERED.get(dialect) if isinstance(dialect, str) else None
    if found is None:
        from ._catalogue import DIALECTS, names

        d = DIALECTS[dialect] if isinstance(dialect, str) else dialect
        found = (d, names(d))
        if isinstance(dialect, str):
            _ENTERED[dialect] = found
    ctx.dialect, ctx.names = found


def _full_walk(ctx: Context, enabled: Collection[str]) -> None:
    """Walk the document with every rule (of the dialect, default and ``enabled``)."""
    from ._rules import checks
    from ._rules._walk import walk

    walk(ctx, checks(enabled, dialect=ctx.dialect.name))
    if len(ctx.diagnostics) > 1:
        ctx.diagnostics.sort(key=_position)


def _plain(source: object) -> str | bytes:
    """The characters of a ``str`` subclass, the bytes of a buffer (bytes subclasses,
    bytearray, memoryview); TypeError for anything that is not a document."""
    kind = type(source)
    if issubclass(kind, str):
        return str.__str__(source)
    if issubclass(kind, (bytes, bytearray, memoryview)):
        return bytes(memoryview(source))  # type: ignore[arg-type]
    raise _not_a_document(source)


# Any XML Schema validator lets xsi:type and xsi:nil through (they steer validation, they
# cannot be forbidden), while the walk refuses them (EX203): a document that declares the
# namespace always takes the walk, so the schema's verdict is never the one used for it.
_XSI = "http://www.w3.org/2001/XMLSchema-instance"


def _declares_xsi(root: etree._Element, text: str) -> bool:
    """Whether any element of the parsed document has the XSI namespace in scope.

    Decided on the parsed namespaces: the URI may be written with character references
    (``XMLSchema&#45;instance``) that no test of the text would see. A namespace can only
    be declared by an attribute named ``xmlns...``, and names hold no references, so a
    text without ``xmlns`` declares none and the tree need not be looked at.
    """
    if "xmlns" not in text:
        return False
    return any(_XSI in el.nsmap.values() for el in root.iter(etree.Element))


def _utf8_declared(text: str) -> bool:
    """Whether an XML declaration names no encoding, or UTF-8 (conservatively)."""
    declaration = text[: text.find("?>")].lower()
    return "encoding" not in declaration or "utf-8" in declaration


def resolve_dialect(dialect: DialectArg) -> Dialect | None:
    """The dialect a caller named (a value or a name), or None (the root decides).

    Raises ValueError naming the dialects for an unknown name.
    """
    from ._catalogue import DIALECTS, Dialect

    if dialect is None or isinstance(dialect, Dialect):
        return dialect
    if isinstance(dialect, str):
        found = DIALECTS.get(dialect)
        if found is None:
            known = ", ".join(DIALECTS)
            raise ValueError(f"unknown dialect {dialect!r}: expected one of {known}")
        return found
    raise TypeError(f"dialect must be a name such as 'legs', not {type(dialect).__name__}")


def _styles(placeholders: StylesArg) -> Placeholders | None:
    """The placeholder matcher for some styles (None when none is given)."""
    if not placeholders:
        return None
    from ._placeholders import Placeholders, parse_styles

    styles = parse_styles(placeholders)
    return Placeholders(styles) if styles else None


def _position(d: Diagnostic) -> tuple[int, int]:
    return (d.line, d.column)


# threading.local is _thread._local; taken from _thread, it spares the linter's start-up
# the import of threading, which nothing else on its path needs.
_local = _thread_local()


def _schema(file: str, *, quiet: bool = False) -> etree.XMLSchema:
    """This thread's compiled copy of a schema (by its file name), or of the quiet
    schema of the same dialect (compiled on first use)."""
    try:
        schemas: dict[str, etree.XMLSchema] = _local.quiet if quiet else _local.schemas
    except AttributeError:
        _local.schemas, _local.quiet = {}, {}
        schemas = _local.quiet if quiet else _local.schemas
    schema = schemas.get(file)
    if schema is None:
        from ._schema import compile_schema

        schema = schemas[file] = compile_schema(file, quiet=quiet)
    return schema


#: The parsers that validate against a dialect's quiet schema while they parse, by the
#: schema's file name. Shared by every thread: lxml serialises the parses of one parser
#: (as it does those of ``_PARSER``), and each keeps its own validation state.
_QUIET_PARSERS: dict[str, etree.XMLParser] = {}


def _quiet_parser(file: str) -> etree.XMLParser:
    """The parser that validates against the quiet schema of a dialect (by its file
    name) while it parses (made on first use)."""
    from ._schema import compile_schema

    parser = _QUIET_PARSERS[file] = _parser(compile_schema(file, quiet=True))
    return parser


#: The classic dialect's root (as the catalogue says: a test holds the two equal), here
#: so that telling the dialect from a root does not import the catalogue.
_CLASSIC_ROOT = "Response"
_CLASSIC_TAG = f"<{_CLASSIC_ROOT}"
_CLASSIC_FOLDED = _CLASSIC_ROOT.lower()


def _root_dialect(root: etree._Element) -> str:
    """The dialect a root names when the caller names none: ``<Response>``, in any case,
    is classic; anything else leg actions."""
    tag: str = root.tag  # type: ignore[assignment]
    return "classic" if tag.lower() == _CLASSIC_FOLDED else "legs"


def check_document(
    source: str | bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    dialect: DialectArg = None,
    enabled: Collection[str] = (),
    placeholders: StylesArg = None,
) -> Report:
    """Check a document given as ``str`` (already decoded) or ``bytes`` (UTF-8)."""
    found = _run(
        source,
        max_bytes,
        dialect,
        False,
        False,
        _styles(placeholders) if placeholders else None,
        enabled,
    )
    return _report(found)


def _not_a_document(source: object) -> TypeError:
    """The error for a ``source`` that is not a document, in the caller's terms."""
    from ._flow import Flow
    from ._verb import Verb

    if issubclass(type(source), (Flow, Verb)):
        kind = "a Flow" if issubclass(type(source), Flow) else f"a {type(source).__name__} verb"
        return TypeError(
            f"expected an ExoML document as str or bytes, not {kind}: what exoml builds is "
            "valid by construction; to check its text, pass .to_xml()"
        )
    kind = "None" if source is None else type(source).__name__
    return TypeError(f"expected an ExoML document as str or bytes, not {kind}")


class _Plan:
    """What a schema-valid document of one dialect runs (default rules): the needles to
    look for, and the checks for each set of needles found. With ``quiet``, for a
    document the dialect's quiet schema accepts. Built on first use."""

    __slots__ = (
        "by_present",
        "dialect",
        "errors",
        "needles",
        "needles_then",
        "one_action",
        "quiet",
        "rules",
        "walk_elements",
    )

    def __init__(self, dialect: str, quiet: bool, errors: bool = False) -> None:
        from ._rules import always_runs, plan_needles, quiet_one_action

        # (from the rule index: the rules themselves load when a document needs them)
        self.dialect, self.quiet, self.errors = dialect, quiet, errors
        self.needles = plan_needles(dialect, quiet=quiet, errors=errors)
        # looked for only when one of the first is found (see plan_needles)
        self.needles_then = plan_needles(dialect, quiet=quiet, second=True, errors=errors)
        self.by_present: dict[tuple[str, ...], Checks | Literal[False]] = {}
        # Whether any rule may run when no needle is found (if none may, and there are
        # no needles, a document this plan is for is finished).
        self.rules = always_runs(dialect, quiet=quiet, errors=errors)
        # whether a root with several actions is not quiet: where the multiple-actions
        # warning applies (not among the rules that report errors)
        self.one_action = quiet and not errors and quiet_one_action(dialect)
        # The walk, loaded when a document first needs it (an import in the path of
        # every document costs as much as a rule).
        self.walk_elements: Callable[[Context, Checks], None] | None = None

    def walker(self) -> Callable[[Context, Checks], None]:
        from ._rules._walk import walk_elements

        self.walk_elements = walk_elements
        return walk_elements

    def checks(self, present: tuple[str, ...]) -> Checks | Literal[False]:
        """The checks to run when ``present`` are the needles found; False when no rule
        runs (decided from the rule index: a clean check loads no rule, nor the walk)."""
        from ._rules import checks, runs_any

        kept = frozenset(present)
        found: Checks | Literal[False] = False
        if runs_any(kept, self.dialect, quiet=self.quiet, errors=self.errors):
            found = checks(
                schema_valid=True,
                present=kept,
                dialect=self.dialect,
                quiet=self.quiet,
                errors=self.errors,
            )
        self.by_present[present] = found
        return found


#: Each dialect's plans, by name (cleared when a rule is registered): for documents the
#: published schema accepts, and for those the quiet schema accepts; and the same with
#: the rules that report errors only (for has_errors).
_PLANS: dict[str, _Plan] = {}
_QUIET_PLANS: dict[str, _Plan] = {}
_ERROR_PLANS: dict[str, _Plan] = {}
_QUIET_ERROR_PLANS: dict[str, _Plan] = {}


def _plan(plans: dict[str, _Plan], dialect: str, *, quiet: bool, errors: bool) -> _Plan:
    """A new plan, kept in ``plans`` (the table the caller looked it up in)."""
    found = plans[dialect] = _Plan(dialect, quiet, errors)
    return found


def has_errors(
    source: str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    dialect: DialectArg = None,
    placeholders: StylesArg = None,
) -> bool:
    """Whether :func:`validate` would report an error in ``source`` (warnings aside).

    For callers that only refuse invalid documents, such as the clients before sending:
    a document with no error is accepted without locating the warnings it may have
    (which costs several times the check itself).
    """
    found = _run(
        source,
        max_bytes,
        dialect,
        True,
        False,
        _styles(placeholders) if placeholders else None,
    ).diagnostics
    return any(d.severity == "error" for d in found)


def validate(
    source: str | bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    dialect: DialectArg = None,
    placeholders: StylesArg = None,
) -> list[Diagnostic]:
    """Check an ExoML document against every catalogue rule; return what was found.

    Parsing is hardened (no DTD, no entities, no network, a size cap of ``max_bytes``).
    An empty list, or warnings only, means the document is valid.

    ``dialect`` is the vocabulary: ``"legs"`` (the Leg Actions API), ``"bridge"`` (the
    Bridge Actions API) or ``"classic"`` (the ``<Response>`` of classic call flows).
    ``None`` lets the root decide: ``<Response>`` is classic, ``<Flow>`` leg actions.
    A named dialect makes any other root an error that names the dialect expected.

    ``placeholders`` (``"jinja"``, ``"dollar"``, ``"format"``, or several) checks a
    template: values that hold placeholders of those styles are not checked against
    their rules, or only where the rest of the value can be (see the templates guide).
    An unknown dialect or style raises ValueError.

    >>> from exoml import validate
    >>> validate("<Flow><Answer/></Flow>")
    []
    >>> [d.code for d in validate("<flow><answer/></flow>")]
    ['EX202', 'EX202']
    """
    if placeholders:
        return _run(source, max_bytes, dialect, False, False, _styles(placeholders)).diagnostics
    return _run(source, max_bytes, dialect, False).diagnostics

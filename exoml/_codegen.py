"""Generate a dialect's builder module: its typed verb classes and document methods.

``exoml/_verbs.py`` (the ``<Flow>`` of the legs dialect) and one module per other
dialect are written by :func:`generate_verbs` from the dialect's catalogue rows, then
committed, typed for mypy and editors, and checked for drift like the XSD.

Building a document is a hot path (one per live call), so every verb gets straight-line
code specialised from its row:

* the document holds its **rendered body**: each chained call checks its arguments and
  appends one ready fragment, written by **one f-string per element**; verb objects are
  made only when someone reads them (see ``_flow.py``);
* a choice or a small integer range is a **fragment table**: one dict lookup, after an
  exact type test (``type(v) is str``, which no subclass or fake ``__class__`` passes),
  both checks the value and returns the ready `` name="value"`` text;
* other values take a fast inline test that may only accept valid values (tested), and
  escaping is inlined for the values that need it;
* anything else takes the slow path (:func:`exoml._verb._fix`), which converts a value
  with the base type's own methods, re-checks it through the catalogue's value kind and
  either raises the :class:`~exoml.FlowError` that names the verb, the attribute, the
  value and the rule, or returns the plain value (an ``IntEnum`` becomes its ``int``).

No check is cached across calls: every value is checked at the call that supplies it.
"""

from __future__ import annotations

from ._catalogue import LEGS, Attr, Dialect, VerbSpec
from ._examples import example_call, example_xml
from ._values import Bool, Choice, IntRange, Pattern, ValueKind

__all__ = ["BUILDERS", "document_class_name", "generate_verbs", "module_name"]

#: The dialects that have a builder (a generated module and a document class).
BUILDERS = ("legs", "classic")

#: Integers with a ready fragment per attribute: the first values of each range.
TABLE_SIZE = 256

_DOCUMENT_CLASS = {"legs": "Flow", "bridge": "BridgeFlow", "classic": "Response"}


def document_class_name(dialect: Dialect) -> str:
    """The public class that builds a document of ``dialect`` (``Flow``, ``Response``)."""
    return _DOCUMENT_CLASS.get(dialect.name, dialect.root)


def module_name(dialect: Dialect) -> str:
    """The generated module of ``dialect``, under ``exoml/`` (``_verbs``, ``_verbs_classic``)."""
    return "_verbs" if dialect.name == LEGS.name else f"_verbs_{dialect.name}"


def _alias_name(attr: Attr) -> str:
    return "".join(part.capitalize() for part in attr.py.split("_"))


def _annotation(attr: Attr, aliases: dict[int, str]) -> str:
    kind = attr.kind
    if isinstance(kind, IntRange):
        return "int"
    if isinstance(kind, Bool):
        return "bool"
    if isinstance(kind, Choice):
        return aliases[id(kind)]
    return "str"


def _groups(spec: VerbSpec) -> tuple[tuple[str, ...], ...]:
    """The verb's exactly-one-of groups of attribute names (the catalogue's ``one_of``)."""
    groups: tuple[tuple[str, ...], ...] = getattr(spec, "one_of", ())
    return groups


def _either(spec: VerbSpec) -> bool:
    """Whether the verb takes text *or* children (the classic ``Dial``: one number as
    text, or ``Number`` elements): one positional parameter takes either."""
    return spec.text is not None and bool(spec.children)


def _params(spec: VerbSpec, aliases: dict[int, str]) -> list[str]:
    """The parameters of a verb's constructor and of its document method."""
    params: list[str] = []
    if _either(spec):
        params.append(f"*{spec.children_py}: {' | '.join(spec.children)} | str")
    elif spec.text is not None:
        params.append(f"{spec.text.py}: str")
    if spec.children and not _either(spec):
        union = " | ".join(spec.children)
        if spec.max_children == 1:
            params.append(f"{spec.children_py}: {union} | None = None")
        else:
            params.append(f"*{spec.children_py}: {union}")
    required = [a for a in spec.attrs if a.required]
    optional = [a for a in spec.attrs if not a.required]
    params.extend(f"{a.py}: {_annotation(a, aliases)}" for a in required)
    # The first attribute of an exactly-one-of group stays positional, as a required one
    # is (``start_stream("wss://...")``), with a default: another may be given instead.
    leaders = {group[0] for group in _groups(spec)}
    lead = [a for a in optional if a.name in leaders]
    optional = [a for a in optional if a.name not in leaders]
    params.extend(f"{a.py}: {_annotation(a, aliases)} | None = None" for a in lead)
    if optional and not (spec.children and spec.max_children != 1) and not _either(spec):
        params.append("*")
    params.extend(f"{a.py}: {_annotation(a, aliases)} | None = None" for a in optional)
    return params


def _replace_params(spec: VerbSpec, aliases: dict[int, str]) -> list[str]:
    """Keyword-only parameters of the typed ``replace``; one not given is left unchanged.

    The signature is for type checkers only (``...`` marks "not given"); at run time
    :meth:`exoml.Verb.replace` takes the same names and words the same errors.
    """
    params: list[str] = []
    if spec.text is not None:
        params.append(f"{spec.text.py}: str = ...")
    if _either(spec):
        params.append(f"{spec.children_py}: Iterable[{' | '.join(spec.children)}] = ...")
    elif spec.children:
        union = " | ".join(spec.children)
        if spec.max_children == 1:
            params.append(f"{spec.children_py}: {union} | None = ...")
        else:
            params.append(f"{spec.children_py}: Iterable[{union}] = ...")
    for a in spec.attrs:
        none = "" if a.required else " | None"
        params.append(f"{a.py}: {_annotation(a, aliases)}{none} = ...")
    return ["*", *params] if params else []


def _attr_escape(v: str) -> str:
    # Printable values hold no tab, CR or LF, so these four are all the escaping left.
    return (
        f'{v}.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")'
        f""".replace('"', "&quot;")"""
    )


def _text_escape(v: str) -> str:
    return f'{v}.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")'


class _Module:
    """What the generated module needs besides the classes: tables and checks."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.consts: dict[str, str] = {}

    def table(self, spec: VerbSpec, attr: Attr, values: list[object]) -> str:
        name = f"_F_{spec.element}_{attr.py}"
        if name not in self.consts:
            items = ", ".join(f"{v!r}: {f' {attr.name}={chr(34)}{v}{chr(34)}'!r}" for v in values)
            self.consts[name] = "{" + items + "}"
        return name

    def check(self, spec: VerbSpec, attr: Attr | None) -> str:
        name = f"_P_{spec.element}_{attr.py if attr else 'text'}"
        wire = repr(attr.name) if attr else "None"
        self.consts[name] = f"_fast_check({self.dialect.name!r}, {spec.element!r}, {wire})"
        return name


def _attr_code(mod: _Module, spec: VerbSpec, index: int, attr: Attr, out: str) -> list[str]:
    """Code that checks argument ``attr`` and sets ``out`` to its fragment ('' when unset)."""
    v = attr.py
    kind: ValueKind = attr.kind
    cls = spec.element
    head = f" {attr.name}="
    fix = f"{v} = _fix({cls}, {index}, {v})"
    lines: list[str]
    if isinstance(kind, Choice):
        table = mod.table(spec, attr, list(kind.values))
        lines = [
            f"elif type({v}) is str:",
            "    try:",
            f"        {out} = {table}[{v}]",
            "    except KeyError:",  # an exact str not in the table is refused by _fix
            f"        {out} = {table}[_fix({cls}, {index}, {v})]",
            "else:",
            f"    {fix}",
            f"    {out} = {table}[{v}]",
        ]
    elif isinstance(kind, IntRange):
        last = min(kind.max, kind.low + TABLE_SIZE - 1)
        table = mod.table(spec, attr, list(range(kind.low, last + 1)))
        if last == kind.max:
            miss = [f"        {out} = {table}[_fix({cls}, {index}, {v})]"]
        else:
            miss = [
                f"        if not {kind.low} <= {v} <= {kind.max}:",
                f"            {fix}",
                f"        {out} = f'{head}\"{{{v}}}\"'",
            ]
        lines = [
            f"elif type({v}) is int:",
            "    try:",
            f"        {out} = {table}[{v}]",
            "    except KeyError:",
            *miss,
            "else:",
            f"    {fix}",
            f"    {out} = f'{head}\"{{{v}}}\"'",
        ]
    elif isinstance(kind, Bool):
        lines = [
            f"elif {v} is True:",
            f"    {out} = '{head}\"true\"'",
            f"elif {v} is False:",
            f"    {out} = '{head}\"false\"'",
            "else:",
            f"    {fix}",
            f"    {out} = '{head}\"true\"' if {v} else '{head}\"false\"'",
        ]
    elif isinstance(kind, Pattern):
        if kind.fast_expr:
            fast = f"({kind.fast_expr.format(v=v)})"
            if kind.safe:  # the expression is a shortcut only: the pattern decides
                fast = f"({fast} or {mod.check(spec, attr)}({v}))"
        else:
            fast = f"{mod.check(spec, attr)}({v})"
        if kind.safe:
            # no valid value needs escaping or holds a character XML cannot carry
            lines = [
                f"elif type({v}) is str and {fast}:",
                f"    {out} = f'{head}\"{{{v}}}\"'",
                "else:",
                f"    {fix}",
                f"    {out} = f'{head}\"{{_escape_attr({v})}}\"'",
            ]
        else:
            specials = " or ".join(f"{c!r} in {v}" for c in ("&", "<", ">", '"'))
            # a word (letters and digits only) is printable and needs no escaping
            slow = [f"    {fix}", f"    {out} = f'{head}\"{{_escape_attr({v})}}\"'"]
            words = []
            if kind.words:  # every word is valid: no other test
                words = [
                    f"elif type({v}) is str and {v}.isalnum():",
                    f"    {out} = f'{head}\"{{{v}}}\"'",
                ]
            lines = [
                *words,
                f"elif type({v}) is str and {fast}:",
                f"    if {v}.isalnum():",
                f"        {out} = f'{head}\"{{{v}}}\"'",
                f"    elif not {v}.isprintable():",
                *("    " + line for line in slow),
                f"    elif {specials}:",
                f"        s = {_attr_escape(v)}",
                f"        {out} = f'{head}\"{{s}}\"'",
                "    else:",
                f"        {out} = f'{head}\"{{{v}}}\"'",
                "else:",
                *slow,
            ]
    else:  # pragma: no cover - a new kind needs its fast path here
        raise TypeError(f"no fast path for {type(kind).__name__}")
    if attr.required:
        # _fix words "is required" for None
        first = lines[0].removeprefix("el")
        return [first, *lines[1:]]
    return [f"if {v} is None:", f'    {out} = ""', *lines]


def _text_code(mod: _Module, spec: VerbSpec) -> list[str]:
    """Code that checks the text argument and sets ``e`` to its escaped form."""
    assert spec.text is not None
    t = spec.text.py
    kind = spec.text.kind
    assert isinstance(kind, Pattern)
    cls = spec.element
    if kind.fast_expr:
        fast = f"({kind.fast_expr.format(v=t)})"
        if kind.safe:
            fast = f"({fast} or {mod.check(spec, None)}({t}))"
    else:
        fast = f"{mod.check(spec, None)}({t})"
    if kind.safe:
        return [
            f"if type({t}) is str and {fast}:",
            f"    e = {t}",
            "else:",
            f"    {t} = _fix_text({cls}, {t})",
            f"    e = _escape_text({t})",
        ]
    specials = " or ".join(f"{c!r} in {t}" for c in ("&", "<", ">"))
    # Text that may hold markup (the classic Say's SSML): an SSML value is checked and
    # canonical already, and written as it is; a str is text, escaped.
    markup = [f"if type({t}) is _SSML:", f"    e: str = {t}"] if spec.markup else []
    return [
        *markup,
        f"{'el' if markup else ''}if type({t}) is str and {fast} and {t}.isprintable():",
        f"    if {specials}:",
        f"        e = {_text_escape(t)}",
        "    else:",
        f"        e = {t}",
        "else:",
        f"    {t} = _fix_text({cls}, {t})",
        f"    e = _escape_text({t})",
    ]


def _children_code(spec: VerbSpec) -> list[str]:
    """Code that checks the nested verbs, sets ``k`` to the element's end and ``kids``."""
    c = spec.children_py
    cls = spec.element
    if spec.max_children == 1:
        tests = " or ".join(f"type({c}) is {name}" for name in spec.children)
        return [
            f"if {c} is None:",
            '    k = "/>"',
            "    kids: tuple[Verb, ...] = ()",
            f"elif {tests}:",
            f'    k = f">{{{c}._xml}}</{cls}>"',
            f"    kids = ({c},)",
            "else:",
            f"    _bad_child({cls}, ({c},), {c})",
        ]
    tests = " and ".join(f"type(p) is not {name}" for name in spec.children)
    return [
        f"if len({c}) == 1:",  # the common case, without a loop
        f"    p = {c}[0]",
        f"    if {tests}:",
        f"        _bad_child({cls}, {c}, p)",
        f'    k = f">{{p._xml}}</{cls}>"',
        f"elif {c}:",
        '    k = ""',
        f"    for p in {c}:",
        f"        if {tests}:",
        f"            _bad_child({cls}, {c}, p)",
        "        k += p._xml",
        f'    k = f">{{k}}</{cls}>"',
        "else:",
        '    k = "/>"',
        f"kids = {c}",
    ]


def _either_code(mod: _Module, spec: VerbSpec) -> list[str]:
    """Text or children: one string (of any ``str`` type) is the text, else children."""
    assert spec.text is not None
    c = spec.children_py
    cls = spec.element
    tests = " and ".join(f"type(p) is not {name}" for name in spec.children)
    return [
        f"if len({c}) == 1 and issubclass(type({c}[0]), str):",
        f"    {spec.text.py} = {c}[0]",
        *("    " + line for line in _text_code(mod, spec)),
        f'    k = f">{{e}}</{cls}>"',
        "    kids: tuple[Verb, ...] = ()",
        "else:",
        f"    if not {c}:",
        f"        _no_content({cls})",
        f'    kids = cast("tuple[Verb, ...]", {c})',
        '    k = ""',
        "    for p in kids:",
        f"        if {tests}:",
        f"            _bad_child({cls}, {c}, p)",
        "        k += p._xml",
        f'    k = f">{{k}}</{cls}>"',
    ]


def _checks(mod: _Module, spec: VerbSpec) -> tuple[list[str], str]:
    """Straight-line checks of every argument, and the element's f-string body.

    Attributes are checked and written in catalogue order, then the text or children.
    """
    lines: list[str] = []
    parts: list[str] = []
    for index, attr in enumerate(spec.attrs):
        out = f"a{index}"
        lines += _attr_code(mod, spec, index, attr, out)
        parts.append(f"{{{out}}}")
    attrs = "".join(parts)
    cls = spec.element
    for number, group in enumerate(_groups(spec)):
        # exactly one of the group's attributes
        pys = [next(a.py for a in spec.attrs if a.name == name) for name in group]
        if len(pys) == 2:
            test = f"({pys[0]} is None) == ({pys[1]} is None)"
        else:
            test = f"[{', '.join(pys)}].count(None) != {len(pys) - 1}"
        lines += [f"if {test}:", f"    _one_of({cls}, {number}, {', '.join(pys)})"]
    if _either(spec):
        lines += _either_code(mod, spec)
        return lines, f"<{cls}{attrs}{{k}}"
    if spec.text is not None:
        lines += _text_code(mod, spec)
        return lines, f"<{cls}{attrs}>{{e}}</{cls}>"
    if spec.children:
        lines += _children_code(spec)
        return lines, f"<{cls}{attrs}{{k}}"
    return lines, f"<{cls}{attrs}/>"


def _class_code(mod: _Module, spec: VerbSpec, aliases: dict[int, str], doc_cls: str) -> list[str]:
    cls = spec.element
    out = [f"class {cls}(Verb, dialect={mod.dialect.name!r}):", f'    """{spec.summary}', ""]
    if spec.method:
        out.append(f"    ExoML ``<{cls}>``; the same arguments as :meth:`{doc_cls}.{spec.method}`.")
    else:
        parents = [v.element for v in mod.dialect.verbs if cls in v.children]
        out.append(f"    ExoML ``<{cls}>``, inside {' or '.join(parents)} only.")
    out += ["", f"    >>> print({example_call(spec)})", f"    {example_xml(spec)}"]
    slots = ("_kids",) if spec.children else ()
    out += ['    """', "", f"    __slots__ = {slots!r}", ""]
    init = ", ".join(["self", *_params(spec, aliases)])
    out.append(f"    def __init__({init}) -> None:")
    checks, element = _checks(mod, spec)
    out += ["        " + line for line in checks]
    fstring = "f" if "{" in element else ""
    out.append(f'        self._xml = {fstring}"{element}"')
    if spec.children:
        out.append("        self._kids = kids")
    out += _accessors(spec, aliases)
    replace = _replace_params(spec, aliases)
    if replace:
        out += [
            "",
            "    if TYPE_CHECKING:",
            "",
            # narrower than Verb.replace(**changes) on purpose: a type checker then knows
            # every argument of this verb
            f"        def replace({', '.join(['self', *replace])}) -> {cls}:"
            "  # type: ignore[override]",
            '            """A checked copy with some arguments changed (``None`` removes one)."""',
            "            ...",
        ]
    out += ["", ""]
    return out


def _accessors(spec: VerbSpec, aliases: dict[int, str]) -> list[str]:
    """Typed read-only properties, one per argument, named as the argument."""
    out: list[str] = []
    for index, attr in enumerate(spec.attrs):
        kind = _annotation(attr, aliases) + ("" if attr.required else " | None")
        out += [
            "",
            "    @property",
            f"    def {attr.py}(self) -> {kind}:",
            f'        """``{attr.name}``: {attr.doc}"""',
            f'        return cast("{kind}", self._read()[0][{index}])',
        ]
    if _either(spec):
        assert spec.text is not None
        union = " | ".join(spec.children)
        return [
            *out,
            "",
            "    @property",
            f"    def {spec.text.py}(self) -> str | None:",
            f'        """{spec.text.doc} (the text content), or None with children."""',
            "        return self._read()[1]",
            "",
            "    @property",
            f"    def {spec.children_py}(self) -> tuple[{union}, ...]:",
            f'        """The nested {" or ".join(spec.children)} elements, in order."""',
            f'        return cast("tuple[{union}, ...]", self._kids)',
        ]
    if spec.text is not None and spec.text.py != "text":
        out += [
            "",
            "    @property",
            f"    def {spec.text.py}(self) -> str:",
            f'        """{spec.text.doc} (the text content)."""',
            '        return cast("str", self._read()[1])',
        ]
    if spec.children:
        union = " | ".join(spec.children)
        children_doc: str = getattr(spec, "children_doc", "")
        if spec.max_children == 1:
            out += [
                "",
                "    @property",
                f"    def {spec.children_py}(self) -> {union} | None:",
                f'        """{children_doc or f"The {spec.children_py}, or None."}"""',
                f'        return cast("{union} | None", self._kids[0] if self._kids else None)',
            ]
        else:
            out += [
                "",
                "    @property",
                f"    def {spec.children_py}(self) -> tuple[{union}, ...]:",
                f'        """{children_doc or f"The nested {spec.children_py}, in order."}"""',
                f'        return cast("tuple[{union}, ...]", self._kids)',
            ]
    return out


def _method_code(mod: _Module, spec: VerbSpec, aliases: dict[int, str]) -> list[str]:
    params = ", ".join(["self", *_params(spec, aliases)])
    summary = spec.summary[0].lower() + spec.summary[1:]
    checks, element = _checks(mod, spec)
    out = [
        f"    def {spec.method}({params}) -> Self:",
        f'        """Append ``{spec.element}``: {summary}',
        "",
        f"        Takes the same arguments as :class:`{spec.element}`; returns a new document.",
        '        """',
        *("        " + line for line in checks),
        "        f = _new(type(self))",
        f'        f._body = x = f"{{self._body}}{element}"',
        "        f._prev = self",
    ]
    if spec.children:
        out.append("        f._kids = kids")
    out += [
        "        if len(x) > _ROOM:",
        "            f._check_size()",
        "        return f",
        "",
    ]
    return out


def generate_verbs(dialect: Dialect = LEGS) -> str:
    """The source of the builder module of ``dialect`` (``exoml/_verbs.py`` for legs)."""
    doc_cls = document_class_name(dialect)
    aliases: dict[int, str] = {}
    alias_defs: list[str] = []
    for spec in dialect.verbs:
        for attr in spec.attrs:
            if isinstance(attr.kind, Choice) and id(attr.kind) not in aliases:
                name = _alias_name(attr)
                aliases[id(attr.kind)] = name
                values = ", ".join(repr(v) for v in attr.kind.values)
                alias_defs.append(f"{name} = Literal[{values}]")
    mod = _Module(dialect)
    classes: list[str] = []
    for spec in dialect.verbs:
        classes += _class_code(mod, spec, aliases, doc_cls)
    methods: list[str] = []
    for spec in dialect.verbs:
        if spec.method:  # a verb without one stands only inside another
            methods += _method_code(mod, spec, aliases)
    names = sorted([*(s.element for s in dialect.verbs), *(n.split(" = ")[0] for n in alias_defs)])
    body = "\n".join([*classes, *methods, *mod.consts.values()])
    helpers = ["Verb"] + [
        h
        for h in ("_bad_child", "_fast_check", "_fix", "_fix_text", "_no_content", "_one_of")
        if h in body
    ]
    count = len(dialect.verbs)
    out = [
        f'"""The {count} verb classes and the {doc_cls} methods of the {dialect.name} dialect.',
        "",
        "Generated by ``make schema`` (``python -m exoml._generate``) from",
        "``exoml/_catalogue.py``; do not edit by hand. See ``exoml/_codegen.py`` for why.",
        '"""',
        "",
        "# ruff: noqa: E501",
        "# mypy: disable-error-code=unreachable",
        "# (the fast paths test the exact type of values typed str or int: a caller that",
        "# ignores the types must still reach the slow path's error)",
        "from __future__ import annotations",
        "",
        "from typing import TYPE_CHECKING, Any, Literal, cast",
        "",
        *(["from ._ssml import SSML as _SSML"] if any(v.markup for v in dialect.verbs) else []),
        "from ._values import escape_attr as _escape_attr",
        "from ._values import escape_text as _escape_text",
        "from ._verb import ROOM as _ROOM",
        f"from ._verb import {', '.join(helpers)}",
        "",
        "if TYPE_CHECKING:",
        "    from collections.abc import Iterable",
        "",
        "    from typing_extensions import Self",
        "",
        "__all__ = [",
        *(f'    "{n}",' for n in names),
        "]",
        "",
        "_new = object.__new__",
        '_NO_HOST = ("", "/", "?", "#")  # what cannot start the host of a URL',
        "",
        *alias_defs,
        "",
        *(f"{k} = {v}" for k, v in mod.consts.items()),
        "",
        "",
        *classes,
        "#: Every verb class of the dialect, by element name.",
        "CLASSES: dict[str, type[Verb]] = {",
        *(f"    {s.element!r}: {s.element}," for s in dialect.verbs),
        "}",
        "#: The verb classes a document holds directly (those with a document method).",
        "TOP_LEVEL: dict[str, type[Verb]] = {",
        *(f"    {s.element!r}: {s.element}," for s in dialect.verbs if s.method),
        "}",
        "",
        "",
        f"class {doc_cls}:",
        f'    """The verb methods of :class:`~exoml.{doc_cls}`: each appends one verb."""',
        "",
        "    if not TYPE_CHECKING:  # the document class (the next base) has the slots",
        "        __slots__ = ()",
        "",
        "    _body: str",
        "    _prev: Any",
        "    _kids: tuple[Verb, ...]",
        "",
        "    if TYPE_CHECKING:  # the document class (the next base) defines them",
        "",
        "        def _check_size(self) -> None: ...",
        "",
        "        def _render(self, pretty: bool, xml_declaration: bool) -> str: ...",
        "",
        "    def to_xml(self, *, pretty: bool = False, xml_declaration: bool = False) -> str:",
        '        """The ExoML document.',
        "",
        "        ``pretty`` indents nested elements by two spaces (text content is never",
        f"        touched, so both forms parse back to the same {doc_cls}); ``xml_declaration``",
        """        prefixes ``<?xml version="1.0" encoding="UTF-8"?>``.""",
        '        """',
        "        if pretty or xml_declaration or not self._body:",
        "            return self._render(pretty, xml_declaration)",
        f'        return f"<{dialect.root}>{{self._body}}</{dialect.root}>"',
        "",
        *methods,
    ]
    return "\n".join(out).rstrip() + "\n"

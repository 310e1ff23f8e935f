"""Generate ``exoml/_verbs.py``: the typed verb classes and Flow methods.

Building a flow is a hot path (one per live call), so each verb gets straight-line code
specialised from its catalogue row: a type-and-rule test per argument that costs a few
dozen nanoseconds when the value is good, and a slow path (:func:`exoml._verb._fix`)
that re-checks through the generic value kinds to word the error or normalise an
``IntEnum``/``StrEnum``. The output is committed, typed for mypy and editors, and
checked for drift like the XSD.
"""

from __future__ import annotations

from ._catalogue import LEGS, Attr, Dialect, VerbSpec
from ._examples import example_call, example_xml
from ._values import Bool, Choice, IntRange, Pattern, ValueKind

__all__ = ["generate_verbs"]


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


def _either(spec: VerbSpec) -> bool:
    """Whether the verb takes text or children (the classic ``Dial``: a number, or
    ``Number`` elements): one positional parameter takes either."""
    return spec.text is not None and bool(spec.children)


def _params(spec: VerbSpec, aliases: dict[int, str], *, build: bool) -> list[str]:
    """Parameters of ``__init__`` (or, with ``build``, of the positional ``_build``)."""
    params: list[str] = []
    if _either(spec):
        union = " | ".join([*spec.children, "str"])
        c = spec.children_py
        params.append(f"{c}: tuple[{union}, ...]" if build else f"*{c}: {union}")
    elif spec.text is not None:
        params.append(f"{spec.text.py}: str")
    if spec.children and not _either(spec):
        union = " | ".join(spec.children)
        if spec.max_children == 1:
            params.append(f"{spec.children_py}: {union} | None = None")
        elif build:
            params.append(f"{spec.children_py}: tuple[{union}, ...]")
        else:
            params.append(f"*{spec.children_py}: {union}")
    required = [a for a in spec.attrs if a.required]
    optional = [a for a in spec.attrs if not a.required]
    params.extend(f"{a.py}: {_annotation(a, aliases)}" for a in required)
    if not build:
        # The first attribute of an exactly-one-of group stays positional, as a required
        # attribute is (``start_stream("wss://...")``), with a default: the other may be
        # given instead.
        leaders = {group[0] for group in spec.one_of}
        lead = [a for a in optional if a.name in leaders]
        optional = [a for a in optional if a.name not in leaders]
        params.extend(f"{a.py}: {_annotation(a, aliases)} | None = None" for a in lead)
    if optional and not build and not (spec.children and spec.max_children != 1):
        params.append("*")
    params.extend(f"{a.py}: {_annotation(a, aliases)} | None = None" for a in optional)
    if build:
        # _build takes every argument positionally, in catalogue order
        params = [p.split(" = ")[0] for p in params]
        params = [p for p in params if p != "*"]
    return params


def _build_args(spec: VerbSpec) -> list[str]:
    args: list[str] = []
    if spec.text is not None and not spec.children:
        args.append(spec.text.py)
    if spec.children:
        args.append(spec.children_py)
    args.extend(a.py for a in spec.attrs if a.required)
    args.extend(a.py for a in spec.attrs if not a.required)
    return args


def _specials(v: str, *, attr: bool) -> str:
    # The characters that need escaping in a printable string. ``isprintable()`` runs
    # first: it is False for every character XML 1.0 cannot carry (controls, surrogates,
    # U+FFFE/U+FFFF) and for tab, CR and LF, so those take the slow path, which checks
    # and escapes them exactly; it is far cheaper than a regular expression.
    specials = ["&", "<", ">", '"'] if attr else ["&", "<", ">"]
    return " or ".join(f"{c!r} in {v}" for c in specials)


def _append(head: str, value: str) -> str:
    """Code that appends ``head`` + ``value`` + ``"`` to ``x`` with one f-string."""
    return f"x = f'{{x}}{head}{{{value}}}\"'"


def _check_ref(spec: VerbSpec, attr: Attr | None, dialect: Dialect) -> str:
    """The expression that fetches the builder's quick test of an attribute (or text)."""
    args = [repr(spec.element)]
    if attr is not None:
        args.append(repr(attr.name))
    if dialect is not LEGS:
        args += ["None"] if attr is None else []
        args.append(repr(dialect.name))
    return f"_catalogue.fast_check({', '.join(args)})"


def _attr_code(
    spec: VerbSpec, index: int, attr: Attr, consts: dict[str, str], dialect: Dialect
) -> list[str]:
    v = attr.py
    kind: ValueKind = attr.kind
    cls = spec.element
    head = f' {attr.name}="'
    lines: list[str] = []
    if isinstance(kind, IntRange):
        if kind.high is None:
            test = f"{v}.__class__ is not int or not {kind.low} <= {v} <= {kind.max}"
        else:
            test = f"{v}.__class__ is not int or not {kind.low} <= {v} <= {kind.high}"
        lines = [
            f"if {test}:",
            f"    {v} = _fix({cls}, {index}, {v})",
            _append(head, v),
        ]
    elif isinstance(kind, Choice):
        name = f"_C_{cls}_{v}"
        consts[name] = f"frozenset({kind.values!r})"
        lines = [
            f"if {v}.__class__ is not str or {v} not in {name}:",
            f"    {v} = _fix({cls}, {index}, {v})",
            _append(head, v),
        ]
    elif isinstance(kind, Bool):
        lines = [
            f"if {v}.__class__ is not bool:",
            f"    {v} = _fix({cls}, {index}, {v})",
            f"x += '{head}true\"' if {v} else '{head}false\"'",
        ]
    elif isinstance(kind, Pattern):
        name = f"_P_{cls}_{v}"
        consts[name] = _check_ref(spec, attr, dialect)
        fast = f"({kind.fast_expr.format(v=v)})" if kind.fast_expr else f"{name}({v})"
        if kind.safe:
            # a safe kind's fast_expr is only a shortcut: the pattern still decides
            test = (
                f"not (({kind.fast_expr.format(v=v)}) or {name}({v}))"
                if kind.fast_expr
                else f"not {name}({v})"
            )
            lines = [
                f"if {v}.__class__ is not str or {test}:",
                f"    {v} = _fix({cls}, {index}, {v})",
                _append(head, v),
            ]
        else:
            lines = [
                f"if {v}.__class__ is not str or not {fast} or not {v}.isprintable():",
                f"    {v} = _fix({cls}, {index}, {v})",
                f"    e = _escape_attr({v})",
                f"elif {_specials(v, attr=True)}:",
                f"    e = _escape_attr({v})",
                "else:",
                f"    e = {v}",
                _append(head, "e"),
            ]
    else:  # pragma: no cover - a new kind needs its fast path here
        raise TypeError(f"no fast path for {type(kind).__name__}")
    if attr.required:
        return lines
    return [f"if {v} is not None:", *("    " + line for line in lines)]


def _text_code(spec: VerbSpec, consts: dict[str, str], dialect: Dialect) -> list[str]:
    """Code that checks the text argument and closes the element with it."""
    assert spec.text is not None
    cls = spec.element
    t = spec.text.py
    tkind = spec.text.kind
    assert isinstance(tkind, Pattern)
    if tkind.fast_expr:
        fast = f"({tkind.fast_expr.format(v=t)})"
    else:
        fast = f"_T_{cls}({t})"
        consts[f"_T_{cls}"] = _check_ref(spec, None, dialect)
    return [
        f"if {t}.__class__ is not str or not {fast} or not {t}.isprintable():",
        f"    {t} = _fix_text({cls}, {t})",
        f"    e = _escape_text({t})",
        f"elif {_specials(t, attr=False)}:",
        f"    e = _escape_text({t})",
        "else:",
        f"    e = {t}",
        f'x = f"{{x}}>{{e}}</{cls}>"',
        f"SELF._text = {t}",
    ]


def _body(spec: VerbSpec, consts: dict[str, str], target: str, dialect: Dialect) -> list[str]:
    """Straight-line code that checks the arguments and sets ``target``'s slots."""
    cls = spec.element
    body: list[str] = [f'x = "<{cls}"']
    # Attributes are written in catalogue order; required ones come first in signatures.
    for index, attr in enumerate(spec.attrs):
        body += _attr_code(spec, index, attr, consts, dialect)
    for number, group in enumerate(spec.one_of):
        # exactly one of the group's attributes (the catalogue's one_of)
        pys = [next(a.py for a in spec.attrs if a.name == name) for name in group]
        if len(pys) == 2:
            test = f"({pys[0]} is None) == ({pys[1]} is None)"
        else:
            test = f"[{', '.join(pys)}].count(None) != {len(pys) - 1}"
        body += [f"if {test}:", f"    _one_of({cls}, {number}, {', '.join(pys)})"]
    values = ", ".join(a.py for a in spec.attrs)
    values_tuple = f"({values},)" if len(spec.attrs) == 1 else f"({values})"
    if _either(spec):
        assert spec.text is not None
        c = spec.children_py
        tests = " and ".join(f"p.__class__ is not {name}" for name in spec.children)
        body += [
            f"if len({c}) == 1 and {c}[0].__class__ is str:",
            f"    {spec.text.py} = {c}[0]",
            *("    " + line for line in _text_code(spec, consts, dialect)),
            "    SELF._children = ()",
            "else:",
            f"    if not {c}:",
            f"        _no_content({cls})",
            f"    for p in {c}:",
            f"        if {tests}:",
            f"            _bad_child({cls}, {c}.index(p), p)",
            f'    k = cast("tuple[_Verb, ...]", {c})',
            f"    x = f'{{x}}>{{\"\".join([p._xml for p in k])}}</{cls}>'",
            "    SELF._children = k",
            "    SELF._text = None",
        ]
    elif spec.text is not None:
        body += _text_code(spec, consts, dialect)
    elif spec.children:
        c = spec.children_py
        tests = " and ".join(f"p.__class__ is not {name}" for name in spec.children)
        if spec.max_children == 1:
            body += [
                f"if {c} is None:",
                '    x += "/>"',
                "    SELF._children = ()",
                "else:",
                f"    if {' and '.join(f'{c}.__class__ is not {n}' for n in spec.children)}:",
                f"        _bad_child({cls}, 0, {c})",
                f'    x += ">" + {c}._xml + "</{cls}>"',
                f"    SELF._children = ({c},)",
            ]
        else:
            body += [
                f"if {c}:",
                f"    for p in {c}:",
                f"        if {tests}:",
                f"            _bad_child({cls}, {c}.index(p), p)",
                f"    x = f'{{x}}>{{\"\".join([p._xml for p in {c}])}}</{cls}>'",
                "else:",
                '    x += "/>"',
                f"SELF._children = {c}",
            ]
    else:
        body.append('x += "/>"')
    if spec.attrs:
        body.append(f"SELF._values = {values_tuple}")
    body.append("SELF._xml = x")
    return [line.replace("SELF.", target + ".") for line in body]


def _class_code(
    spec: VerbSpec, aliases: dict[int, str], consts: dict[str, str], dialect: Dialect
) -> list[str]:
    cls = spec.element
    base = "Verb" if dialect is LEGS else f"Verb, dialect={dialect.name!r}"
    out = [f"class {cls}(Verb):".replace("(Verb)", f"({base})"), f'    """{spec.summary}', ""]
    if spec.method:
        out.append(
            f"    ExoML ``<{cls}>``; the same arguments as :meth:`{dialect.root}.{spec.method}`."
        )
    else:
        parents = [v.element for v in dialect.verbs if cls in v.children]
        out.append(f"    ExoML ``<{cls}>``, inside {' or '.join(parents)} only.")
    out += ["", f"    >>> print({example_call(spec)})", f"    {example_xml(spec)}"]
    # Only the slots this verb fills; the others fall back to Verb's class defaults.
    slots = [
        name
        for name, used in (
            ("_children", spec.children),
            ("_text", spec.text is not None),
            ("_values", spec.attrs),
        )
        if used
    ]
    out += ['    """', "", f"    __slots__ = {tuple(slots)!r}", ""]
    init = ", ".join(["self", *_params(spec, aliases, build=False)])
    out.append(f"    def __init__({init}) -> None:")
    out += ["        " + line if line else "" for line in _body(spec, consts, "self", dialect)]
    out.append("")
    build = ", ".join(["self", *_params(spec, aliases, build=True)])
    out.append(f"    def _build({build}) -> None:")
    body = _body(spec, consts, "self", dialect)
    out += ["        " + line if line else "" for line in body]
    out += _accessors(spec, aliases)
    out.append("")
    out.append("")
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
            f'        return cast("{kind}", self._values[{index}])',
        ]
    if _either(spec):
        assert spec.text is not None
        union = " | ".join(spec.children)
        out += [
            "",
            "    @property",
            f"    def {spec.text.py}(self) -> str | None:",
            f'        """{spec.text.doc} (the text content), or None with children."""',
            "        return self._text",
            "",
            "    @property",
            f"    def {spec.children_py}(self) -> tuple[{union}, ...]:",
            f'        """The nested {" or ".join(spec.children)} elements, in order."""',
            f'        return cast("tuple[{union}, ...]", self._children)',
        ]
    elif spec.text is not None and spec.text.py != "text":
        out += [
            "",
            "    @property",
            f"    def {spec.text.py}(self) -> str:",
            f'        """{spec.text.doc} (the text content)."""',
            '        return cast("str", self._text)',
        ]
    if spec.children and not _either(spec):
        # one property named as the children's parameter, documented by the catalogue
        union = " | ".join(spec.children)
        name = spec.children_py
        first = "self._children[0] if self._children else None"
        if spec.max_children == 1:
            doc = spec.children_doc or f"The {name}, or None."
            out += [
                "",
                "    @property",
                f"    def {name}(self) -> {union} | None:",
                f'        """{doc}"""',
                f'        return cast("{union} | None", {first})',
            ]
        else:
            doc = spec.children_doc or f"The nested {name}, in order."
            out += [
                "",
                "    @property",
                f"    def {name}(self) -> tuple[{union}, ...]:",
                f'        """{doc}"""',
                f'        return cast("tuple[{union}, ...]", self._children)',
            ]
    return out


def _method_code(
    spec: VerbSpec, aliases: dict[int, str], consts: dict[str, str], dialect: Dialect
) -> list[str]:
    params = ", ".join(["self", *_params(spec, aliases, build=False)])
    summary = spec.summary[0].lower() + spec.summary[1:]
    return [
        f"    def {spec.method}({params}) -> Self:",
        f'        """Append ``{spec.element}``: {summary}',
        "",
        f"        Takes the same arguments as :class:`{spec.element}`; returns a new "
        f"{dialect.root}.",
        '        """',
        f"        v = _new({spec.element})",
        *("        " + line if line else "" for line in _body(spec, consts, "v", dialect)),
        "        f = _new(self.__class__)",
        "        f._verbs = self._verbs + (v,)",
        "        return f",
        "",
    ]


def _public(dialect: Dialect) -> str:
    return dialect.root if dialect is LEGS else f"{dialect.name}.{dialect.root}"


def generate_verbs(dialect: Dialect = LEGS) -> str:
    """The source of ``exoml/_verbs.py`` (or, for another dialect, of its module)."""
    verbs = dialect.verbs
    holder = f"{dialect.root}Verbs"
    aliases: dict[int, str] = {}
    alias_defs: list[str] = []
    for spec in verbs:
        for attr in spec.attrs:
            if isinstance(attr.kind, Choice) and id(attr.kind) not in aliases:
                name = _alias_name(attr)
                aliases[id(attr.kind)] = name
                values = ", ".join(repr(v) for v in attr.kind.values)
                alias_defs.append(f"{name} = Literal[{values}]")
    consts: dict[str, str] = {}
    classes: list[str] = []
    for spec in verbs:
        classes += _class_code(spec, aliases, consts, dialect)
    methods: list[str] = []
    for spec in verbs:
        if spec.method:
            methods += _method_code(spec, aliases, consts, dialect)
    names = sorted([*(s.element for s in verbs), *(n.split(" = ")[0] for n in alias_defs), holder])
    if dialect is LEGS:
        title = "The twenty verb classes and the Flow methods, generated from the catalogue."
        source = "``exoml/_catalogue.py``"
    else:
        title = f"The {dialect.name} verb classes and the {dialect.root} methods, generated."
        source = f"``exoml/_catalogue_{dialect.name}.py``"
    out = [
        f'"""{title}',
        "",
        "Generated by ``make schema`` (``python -m exoml._generate``) from",
        f"{source}; do not edit by hand. See ``exoml/_codegen.py`` for why.",
        '"""',
        "",
        "# ruff: noqa: E501, RUF005",
        "# mypy: disable-error-code=unreachable",
        "# (the fast paths test __class__ on values typed str or int: a caller that ignores",
        "# the types must still reach the slow path's error)",
        "from __future__ import annotations",
        "",
        "from typing import TYPE_CHECKING, Literal, cast",
        "",
        "from . import _catalogue",
        "from ._values import escape_attr as _escape_attr",
        "from ._values import escape_text as _escape_text",
        "from ._verb import Verb, _bad_child, _fix, _fix_text"
        + (", _no_content" if any(_either(v) for v in verbs) else "")
        + (", _one_of" if any(v.one_of for v in verbs) else ""),
        "",
        "if TYPE_CHECKING:",
        "    from typing_extensions import Self",
        "",
        "    from ._verb import Verb as _Verb",
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
        *(f"{k} = {v}" for k, v in consts.items()),
        "",
        "",
        *classes,
        f"class {holder}:",
        f'    """The verb methods of :class:`~exoml.{_public(dialect)}`: each appends one verb."""',
        "",
        '    __slots__ = ("_verbs",)',
        "",
        "    _verbs: tuple[_Verb, ...]",
        "",
        *methods,
    ]
    return "\n".join(out).rstrip() + "\n"

"""Generate the verb reference (``docs/verbs.md``) and rule reference (``docs/rules.md``)."""

from __future__ import annotations

import re

from ._catalogue import (
    SOURCE_NAMES,
    VERBS,
    Dialect,
    Evidence,
    VerbSpec,
    casing_confirmed,
    documented,
)
from ._examples import example_call
from ._rules import RULES

__all__ = [
    "dialect_verb_reference",
    "public_names",
    "rule_index",
    "rule_reference",
    "verb_reference",
]

_MARK = "⚠"


def _cell(text: str) -> str:
    """Text for a Markdown table cell: a literal ``|`` would end the cell."""
    return text.replace("|", "\\|")


_THIRD = "†"


def _marks(evidence: Evidence) -> str:
    """The marks a name's evidence earns: ⚠ casing inferred, † third-party only."""
    marks = ""
    if not casing_confirmed(evidence):
        marks += f" {_MARK}"
    if not documented(evidence):
        marks += f" {_THIRD}"
    return marks


def _child_marks(spec: VerbSpec, child: str) -> str:
    """A nesting's mark: † when only third-party code shows it (a child's casing is
    the child verb's own)."""
    return "" if documented(spec.child_sources(child)) else f" {_THIRD}"


def _sources(evidence: Evidence) -> str:
    return ", ".join(evidence)


def verb_reference() -> str:
    """The Markdown verb reference, generated from the catalogue."""
    from ._flow import VERB_CLASSES, Flow

    namespace: dict[str, object] = {"__builtins__": {}, **VERB_CLASSES}
    out = [
        "# Verb reference\n\n",
        "<!-- Generated from the catalogue by `make schema`; do not edit by hand. -->\n\n",
        "Every ExoML verb of the Leg Actions API, with its Python method, attributes, types "
        "and bounds. Element names are PascalCase and attribute names lowerCamelCase; both "
        "are case-sensitive.\n\n",
        "**Evidence.** Each name lists the sources that show it, strongest first: "
        + "; ".join(f"`{key}`: {name}" for key, name in SOURCE_NAMES.items())
        + ". See [which names are valid](guide/sources.md) for the policy.\n\n",
        f"- {_MARK} **unconfirmed casing**: only lowercase sources show the name; its casing "
        "is inferred from the convention. If the API rejects one, the correction is a "
        "one-line change in the catalogue.\n",
        f"- {_THIRD} **third-party only**: no Exotel source shows the name, only third-party "
        "code; it is accepted with warning EX510.\n\n",
        "| Element | Flow method | Evidence | Attributes | Content |\n|---|---|---|---|---|\n",
    ]
    for spec in VERBS:
        mark = _marks(spec.evidence)
        attrs = ", ".join(f"`{a.name}`{_marks(a.sources(spec))}" for a in spec.attrs) or "none"
        if spec.text is not None:
            content = _cell(spec.text.kind.label)
        elif spec.children:
            limit = "any number of" if spec.max_children is None else f"at most {spec.max_children}"
            content = f"{limit} " + " / ".join(
                f"`{c}`{_child_marks(spec, c)}" for c in spec.children
            )
        else:
            content = "empty"
        anchor = spec.element.lower()
        out.append(
            f"| [`{spec.element}`](#{anchor}){mark} | `{spec.method}()` | "
            f"{_sources(spec.evidence)} | {attrs} | {content} |\n"
        )
    for spec in VERBS:
        mark = _marks(spec.evidence)
        out.append(f"\n## {spec.element}\n\n")
        notes = []
        if not casing_confirmed(spec.evidence):
            notes.append("casing unconfirmed")
        if not documented(spec.evidence):
            notes.append("third-party only")
        out.append(f"{spec.summary}{' *(' + ', '.join(notes) + ')*' if notes else ''}\n\n")
        out.append(f"- Python: `Flow().{spec.method}(...)` or `{spec.element}(...)`\n")
        out.append(f"- Evidence: {_sources(spec.evidence)}{mark}\n")
        if spec.spelling_of is not None:
            out.append(
                f"- Another spelling of [`{spec.spelling_of}`](#{spec.spelling_of.lower()}): "
                "both are valid; the opt-in rule EX520 can hold a project to one.\n"
            )
        twins = [v.element for v in VERBS if v.spelling_of == spec.element]
        if twins:
            names = ", ".join(f"[`{t}`](#{t.lower()})" for t in twins)
            out.append(f"- Also spelt {names} (same meaning, both valid).\n")
        if spec.text is not None:
            trimmed = getattr(spec.text.kind, "trim", False)
            trim = " White space around it is allowed." if trimmed else ""
            out.append(
                f"- Text (`{spec.text.py}`, positional): {spec.text.doc} "
                f"{spec.text.kind.rule[0].upper()}{spec.text.kind.rule[1:]}.{trim}\n"
            )
        if spec.children:
            limit = "any number" if spec.max_children is None else f"at most {spec.max_children}"
            names = ", ".join(f"`{c}`{_child_marks(spec, c)}" for c in spec.children)
            out.append(f"- Children (`{spec.children_py}`): {limit} of {names}.\n")
        for group in spec.one_of:
            spelt = " and ".join(f"`{n}`" for n in group)
            out.append(f"- Exactly one of {spelt} is required.\n")
        if spec.events:
            out.append(f"- Events: {', '.join(f'`{e}`' for e in spec.events)}\n")
        if spec.attrs:
            out.append(
                "\n| Attribute | Python | Type | Required | Default | Evidence | Description |\n"
                "|---|---|---|---|---|---|---|\n"
            )
            for a in spec.attrs:
                evidence = a.sources(spec)
                amark = _marks(evidence)
                required = "yes" if a.required else "no"
                if any(a.name in g for g in spec.one_of):
                    required = "one of " + " / ".join(next(g for g in spec.one_of if a.name in g))
                default = f"`{a.default}`" if a.default is not None else "—"
                extra = ""
                if a.spelling_of is not None:
                    extra += f" Another spelling of `{a.spelling_of}`."
                if a.secret:
                    extra += " Secret: never shown in a repr or a message."
                out.append(
                    f"| `{a.name}`{amark} | `{a.py}` | {_cell(a.kind.label)} | {required} | "
                    f"{default} | {_sources(evidence)} | {_cell(a.doc)} "
                    f"{_cell(a.kind.rule[0].upper() + a.kind.rule[1:])}.{extra} |\n"
                )
        call = example_call(spec)
        verb = eval(call, namespace)  # our own generated call, checked by the builder
        out.append("\n```python\n")
        names = ", ".join(sorted({spec.element, "Flow", *_used(call)}))
        out.append(f"from exoml import {names}\n\n")
        out.append(f"print(Flow({call}))\n```\n\n")
        out.append(f"```{_fence(spec)}\n{Flow(verb).to_xml()}\n```\n")
    return "".join(out)


def _fence(spec: VerbSpec) -> str:
    """The docs' checker lints every ExoML block: an example that uses a third-party-only
    name is valid with a warning."""
    if not documented(spec.evidence):
        return "xml warning"
    unconfirmed = [a for a in spec.attrs if not documented(a.sources(spec))]
    unconfirmed_child = spec.children and not documented(spec.child_sources(spec.children[0]))
    return "xml warning" if unconfirmed or unconfirmed_child else "xml"


def _used(call: str) -> set[str]:
    """The prompt classes a generated call uses (``StopSay(`` is not a use of ``Say``)."""
    return set(re.findall(r"\b(Say|StartPlay)\(", call))


def rule_reference() -> str:
    """The Markdown rule reference, generated from the rule modules' docstrings."""
    out = [
        "# Lint rules\n\n",
        "<!-- Generated from the rule modules by `make schema`; do not edit by hand. -->\n\n",
        "Every diagnostic `exoml.validate` and `python -m exoml.lint` report. Codes are "
        "stable and never reused: `EX0xx` input, `EX1xx` structure, `EX2xx` names, "
        "`EX3xx` values, `EX4xx` children, `EX5xx` warnings. `python -m exoml.lint "
        "--explain CODE` prints the same text. Every rule runs on every document but "
        "those marked *opt-in*, which run only when `--select` (or `select` in the "
        "configuration) names their code.\n\n",
        "The *Dialects* column says which dialects a rule applies to: `legs` (leg actions), "
        "`bridge` (bridge actions), `classic` (the `<Response>` of classic call flows); see "
        "[Dialects](dialects/index.md).\n\n",
        "| Code | Name | Severity | Fixable | Dialects | Summary |\n|---|---|---|---|---|---|\n",
    ]
    for r in RULES:
        fix = "yes" if r.fixable else "no"
        severity = r.severity if r.default else f"{r.severity}, opt-in"
        dialects = "all" if len(r.dialects) == 3 else ", ".join(r.dialects)
        out.append(
            f"| [{r.code}](#{r.code.lower()}) | `{r.name}` | {severity} | {fix} | "
            f"{dialects} | {_cell(r.summary)} |\n"
        )
    for r in RULES:
        _, _, body = r.doc.strip().partition("\n")
        applies = "" if len(r.dialects) == 3 else f" · {', '.join(r.dialects)} only"
        out.append(f"\n## {r.code}\n\n**{r.name}** · {r.severity}{applies}")
        out.append("" if r.default else " · opt-in (off by default)")
        out.append(" · fixable with `--fix`\n\n" if r.fixable else "\n\n")
        out.append(body.strip() + "\n\n")
        # The fence says what the docs' example checker must find: errors, or warnings only
        # (an opt-in rule's bad example is clean to the default rules).
        fence = "xml invalid" if r.severity == "error" else "xml warning"
        # the dialect the examples are checked as, when the root alone would not say it
        as_dialect = f" {r.example_dialect}" if r.example_dialect else ""
        if not r.default:
            out.append(f"Bad (with `--select {r.code}`):\n\n```xml{as_dialect}\n{r.bad}\n```\n\n")
        else:
            out.append(f"Bad:\n\n```{fence}{as_dialect}\n{r.bad}\n```\n\n")
        out.append(f"Good:\n\n```xml{as_dialect}\n{r.good}\n```\n")
    return "".join(out)


def rule_index() -> str:
    """The source of ``exoml/_rules/_index.py``: each rule module's flags, so that the
    engine can choose the rules to run without importing every module."""
    import importlib

    from ._rules import MODULE_NAMES, flags

    def literal(value: object, indent: str) -> list[str]:
        # Exploded, with trailing commas, as the formatter leaves it.
        if isinstance(value, tuple):
            if not value:
                return [f"{indent}(),"]
            if len(value) == 1 and isinstance(value[0], str):  # one item: on one line
                return [f'{indent}("{value[0]}",),']
            inner = [line for item in value for line in literal(item, indent + "    ")]
            return [f"{indent}(", *inner, f"{indent}),"]
        text = f'"{value}"' if isinstance(value, str) else repr(value)
        return [f"{indent}{text},"]

    rows: list[str] = []
    for name in MODULE_NAMES:
        module = importlib.import_module(f"exoml._rules.{name}")
        rows += literal((name, flags(module.RULE)), "    ")
    return "\n".join(
        [
            '"""Each rule module\'s flags: generated by ``make schema``; do not edit by hand.',
            "",
            "(module, (code, severity, stage, schema_covered, default, needles, dialects,",
            "schema_gaps, quiet_covered, dialect_needles, needles_too)), from each",
            "module's ``RULE``: the engine chooses the rules to run from here and loads only",
            'those (see ``exoml/_rules/__init__.py``)."""',
            "",
            "from __future__ import annotations",
            "",
            "from typing import Any",
            "",
            "INDEX: tuple[tuple[str, tuple[Any, ...]], ...] = (",
            *rows,
            ")",
            "",
        ]
    )


def public_names() -> str:
    """The source of ``exoml/_public.py``: the public verb classes, one per catalogue row,
    for ``exoml.__all__`` (so that ``import exoml`` need not load the catalogue)."""
    lines = [f'    "{v.element}",' for v in VERBS]
    return "\n".join(
        [
            '"""The public verb classes, one per catalogue row: generated by ``make schema``."""',
            "",
            "from __future__ import annotations",
            "",
            "VERB_NAMES: tuple[str, ...] = (",
            *lines,
            ")",
            "",
        ]
    )


def dialect_verb_reference(name: str) -> str:
    """The Markdown verb reference of the ``bridge`` or ``classic`` dialect."""
    from ._catalogue import dialect

    d = dialect(name)
    classic = d.name == "classic"
    builder = "exoml.classic.Response" if classic else "Flow"
    out = [
        f"# Verb reference: {d.title.lower()}\n\n",
        "<!-- Generated from the catalogue by `make schema`; do not edit by hand. -->\n\n",
        f"{d.summary} The root is `<{d.root}>`; see [the {d.name} dialect]"
        f"(dialects/{d.name}.md) for what it is for. Names are case-sensitive, spelt as "
        "Exotel's sources spell them; *Evidence* lists the sources that show each one "
        "(`cased-docs`: Exotel's developer portal; `docs`: Exotel's other pages, whose "
        "capitals were lost; `go-sdk`: Exotel's Go library for this dialect"
        + _more_sources(d)
        + ").\n\n",
    ]
    if d.name == "bridge":
        out.append(
            "Exotel's page for bridge actions is cut after `StopPlay`: the list may be "
            "longer. A verb missing here is one no source shows for bridges yet.\n\n"
        )
    out.append(f"| Element | `{builder}` method | Attributes | Content | Evidence |\n")
    out.append("|---|---|---|---|---|\n")
    for spec in d.verbs:
        attrs = ", ".join(f"`{a.name}`" for a in spec.attrs) or "none"
        out.append(
            f"| [`{spec.element}`](#{spec.element.lower()}) | "
            f"{_method_cell(spec, d.name)} | {attrs} | {_content(spec)} | "
            f"{', '.join(spec.evidence)} |\n"
        )
    for spec in d.verbs:
        out.append(f"\n## {spec.element}\n\n{spec.summary}\n\n")
        out.append(f"- Evidence: {', '.join(spec.evidence)}\n")
        if not spec.method:
            parents = [v.element for v in d.verbs if spec.element in v.children]
            out.append(f"- Stands only inside {', '.join(f'`{p}`' for p in parents)}.\n")
        if spec.text is not None:
            rule = spec.text.kind.rule
            either = " (or, instead, the children below)" if spec.children else ""
            out.append(
                f"- Text (`{spec.text.py}`){either}: {spec.text.doc} {rule[0].upper()}{rule[1:]}.\n"
            )
        if spec.children:
            names = ", ".join(f"`{c}`" for c in spec.children)
            out.append(f"- Children: any number of {names}.\n")
        if spec.attrs:
            out.append(
                "\n| Attribute | Python | Type | Required | Default | Evidence | Description |\n"
                "|---|---|---|---|---|---|---|\n"
            )
            for a in spec.attrs:
                required = "yes" if a.required else "no"
                default = f"`{a.default}`" if a.default is not None else "—"
                evidence = ", ".join(a.evidence or spec.evidence)
                if a.borrowed_from is not None:
                    other = dialect(a.borrowed_from).title.lower()
                    evidence += f", on `{spec.element}` of {other} only (warning EX510)"
                rule = a.kind.rule
                out.append(
                    f"| `{a.name}` | `{a.py}` | {_cell(a.kind.label)} | {required} | "
                    f"{default} | {evidence} | {_cell(a.doc)} "
                    f"{_cell(rule[0].upper() + rule[1:])}. |\n"
                )
        # the example sets every attribute: one no source shows here gets warning EX510
        warns = " warning" if any(not a.confirmed(spec) for a in spec.attrs) else ""
        out.append(f"\n```xml{warns} {d.name}\n{_example_document(spec, d.name)}\n```\n")
    return "".join(out)


def _more_sources(d: Dialect) -> str:
    """The legend of the sources a dialect's rows cite beyond the three named above."""
    used = {s for v in d.verbs for a in v.attrs for s in a.sources(v)}
    return "".join(
        f"; `{s}`: {SOURCE_NAMES[s]}"
        for s in SOURCE_NAMES
        if s in used - {"cased-docs", "docs", "go-sdk"}
    )


def _method_cell(spec: VerbSpec, dialect_name: str) -> str:
    if not spec.method:
        return "— (a child only)"
    if dialect_name == "classic" or spec.element in ("StartPlay", "StopPlay"):
        return f"`{spec.method}()`"
    return "— (write the XML)"


def _content(spec: VerbSpec) -> str:
    if spec.text is not None and spec.children:
        return f"{_cell(spec.text.kind.label)}, or " + " / ".join(f"`{c}`" for c in spec.children)
    if spec.text is not None:
        return _cell(spec.text.kind.label)
    if spec.children:
        return "any number of " + " / ".join(f"`{c}`" for c in spec.children)
    return "empty"


def _example_document(spec: VerbSpec, dialect_name: str) -> str:
    """An example document holding ``spec`` with every attribute set."""
    from ._catalogue import dialect
    from ._values import escape_attr, escape_text

    d = dialect(dialect_name)

    def element(s: VerbSpec) -> str:
        attrs = "".join(
            f' {a.name}="{escape_attr(a.kind.check_python(a.kind.example()))}"' for a in s.attrs
        )
        if s.children and s.text is None:
            inner = "".join(element(d.verb(c)) for c in s.children)
        elif s.text is not None:
            inner = escape_text(s.text.kind.check_python(s.text.kind.example()))
        else:
            return f"<{s.element}{attrs}/>"
        return f"<{s.element}{attrs}>{inner}</{s.element}>"

    body = element(spec)
    if not spec.method:
        parent = next(v for v in d.verbs if spec.element in v.children)
        body = f"<{parent.element}>{body}</{parent.element}>"
    return f"<{d.root}>{body}</{d.root}>"

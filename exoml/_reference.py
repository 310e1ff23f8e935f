"""Generate the verb reference (``docs/verbs.md``) and rule reference (``docs/rules.md``)."""

from __future__ import annotations

import re

from ._catalogue import VERBS, VerbSpec
from ._examples import example_call
from ._rules import RULES

__all__ = ["dialect_verb_reference", "rule_reference", "verb_reference"]

_MARK = "⚠"


def _cell(text: str) -> str:
    """Text for a Markdown table cell: a literal ``|`` would end the cell."""
    return text.replace("|", "\\|")


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
        f"Names marked {_MARK} have **unconfirmed casing**: Exotel's documentation only shows "
        "them in lowercase, and their casing is inferred from the convention. If the API "
        "rejects one, the correction is a one-line change in the catalogue.\n\n",
        "| Element | Flow method | Attributes | Content |\n|---|---|---|---|\n",
    ]
    for spec in VERBS:
        mark = f" {_MARK}" if not spec.casing_confirmed else ""
        attrs = ", ".join(f"`{a.name}`" for a in spec.attrs) or "none"
        if spec.text is not None:
            content = _cell(spec.text.kind.label)
        elif spec.children:
            limit = "any number of" if spec.max_children is None else f"at most {spec.max_children}"
            content = f"{limit} " + " / ".join(f"`{c}`" for c in spec.children)
        else:
            content = "empty"
        anchor = spec.element.lower()
        out.append(
            f"| [`{spec.element}`](#{anchor}){mark} | `{spec.method}()` | {attrs} | {content} |\n"
        )
    for spec in VERBS:
        mark = f" {_MARK}" if not spec.casing_confirmed else ""
        out.append(f"\n## {spec.element}\n\n")
        out.append(f"{spec.summary}{mark and ' *(casing unconfirmed)*'}\n\n")
        out.append(f"- Python: `Flow().{spec.method}(...)` or `{spec.element}(...)`\n")
        out.append(f"- Evidence: {', '.join(spec.evidence)}\n")
        if spec.aliases:
            out.append(f"- Also spelt in some documentation: {', '.join(spec.aliases)}\n")
        if spec.text is not None:
            out.append(
                f"- Text (`{spec.text.py}`, positional): {spec.text.doc} "
                f"{spec.text.kind.rule[0].upper()}{spec.text.kind.rule[1:]}.\n"
            )
        if spec.children:
            limit = "any number" if spec.max_children is None else f"at most {spec.max_children}"
            names = ", ".join(f"`{c}`" for c in spec.children)
            out.append(f"- Children: {limit} of {names}.\n")
        if spec.attrs:
            out.append(
                "\n| Attribute | Python | Type | Required | Default | Description |\n"
                "|---|---|---|---|---|---|\n"
            )
            for a in spec.attrs:
                amark = f" {_MARK}" if not spec.casing_confirmed else ""
                required = "yes" if a.required else "no"
                default = f"`{a.default}`" if a.default is not None else "—"
                aliases = f" (also spelt `{'`, `'.join(a.aliases)}`)" if a.aliases else ""
                out.append(
                    f"| `{a.name}`{amark} | `{a.py}` | {_cell(a.kind.label)} | {required} | "
                    f"{default} | {_cell(a.doc)} {_cell(a.kind.rule[0].upper() + a.kind.rule[1:])}."
                    f"{aliases} |\n"
                )
        call = example_call(spec)
        verb = eval(call, namespace)  # our own generated call, checked by the builder
        out.append("\n```python\n")
        names = ", ".join(sorted({spec.element, "Flow", *_used(call)}))
        out.append(f"from exoml import {names}\n\n")
        out.append(f"print(Flow({call}))\n```\n\n")
        out.append(f"```xml\n{Flow(verb).to_xml()}\n```\n")
    return "".join(out)


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
        "--explain CODE` prints the same text.\n\n",
        "The *Dialects* column says which dialects a rule applies to: `legs` (leg actions), "
        "`bridge` (bridge actions), `classic` (the `<Response>` of classic call flows); see "
        "[Dialects](dialects/index.md).\n\n",
        "| Code | Name | Severity | Fixable | Dialects | Summary |\n|---|---|---|---|---|---|\n",
    ]
    for r in RULES:
        fix = "yes" if r.fixable else "no"
        dialects = "all" if len(r.dialects) == 3 else ", ".join(r.dialects)
        out.append(
            f"| [{r.code}](#{r.code.lower()}) | `{r.name}` | {r.severity} | {fix} | "
            f"{dialects} | {_cell(r.summary)} |\n"
        )
    for r in RULES:
        _, _, body = r.doc.strip().partition("\n")
        applies = "" if len(r.dialects) == 3 else f" · {', '.join(r.dialects)} only"
        out.append(f"\n## {r.code}\n\n**{r.name}** · {r.severity}{applies}")
        out.append(" · fixable with `--fix`\n\n" if r.fixable else "\n\n")
        out.append(body.strip() + "\n\n")
        # The fence says what the docs' example checker must find: errors, or warnings only.
        fence = "xml invalid" if r.severity == "error" else "xml warning"
        # the dialect the examples are checked as, when the root alone would not say it
        as_dialect = f" {r.example_dialect}" if r.example_dialect else ""
        out.append(f"Bad:\n\n```{fence}{as_dialect}\n{r.bad}\n```\n\n")
        out.append(f"Good:\n\n```xml{as_dialect}\n{r.good}\n```\n")
    return "".join(out)


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
        "capitals were lost; `go-sdk`: Exotel's Go library for this dialect).\n\n",
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
                rule = a.kind.rule
                out.append(
                    f"| `{a.name}` | `{a.py}` | {_cell(a.kind.label)} | {required} | "
                    f"{default} | {evidence} | {_cell(a.doc)} "
                    f"{_cell(rule[0].upper() + rule[1:])}. |\n"
                )
        out.append(f"\n```xml {d.name}\n{_example_document(spec, d.name)}\n```\n")
    return "".join(out)


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

"""Generate the verb reference (``docs/verbs.md``) and rule reference (``docs/rules.md``)."""

from __future__ import annotations

import re

from ._catalogue import VERBS
from ._examples import example_call
from ._rules import RULES

__all__ = ["rule_reference", "verb_reference"]

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
        "| Code | Name | Severity | Fixable | Summary |\n|---|---|---|---|---|\n",
    ]
    for r in RULES:
        fix = "yes" if r.fixable else "no"
        out.append(
            f"| [{r.code}](#{r.code.lower()}) | `{r.name}` | {r.severity} | {fix} | {r.summary} |\n"
        )
    for r in RULES:
        _, _, body = r.doc.strip().partition("\n")
        out.append(f"\n## {r.code}\n\n**{r.name}** · {r.severity}")
        out.append(" · fixable with `--fix`\n\n" if r.fixable else "\n\n")
        out.append(body.strip() + "\n\n")
        # The fence says what the docs' example checker must find: errors, or warnings only.
        fence = "xml invalid" if r.severity == "error" else "xml warning"
        out.append(f"Bad:\n\n```{fence}\n{r.bad}\n```\n\n")
        out.append(f"Good:\n\n```xml\n{r.good}\n```\n")
    return "".join(out)

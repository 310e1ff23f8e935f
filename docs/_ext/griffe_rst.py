"""A griffe extension: render exoml's reStructuredText-flavoured docstrings as Markdown.

The docstrings are written to read well in ``help()`` and in an editor: Sphinx roles
(``:class:`~exoml.Flow```), ``>>>`` examples and ``::`` literal blocks. mkdocstrings
renders Markdown, so before it does, this extension rewrites

- a role whose target is part of the public API into a cross-reference
  (``[`Flow`][exoml.Flow]``), and any other role into inline code;
- each run of ``>>>`` lines and their output into a ``pycon`` code block;
- a paragraph ending in ``::`` and the indented block after it into a ``python`` block.

Loaded by mkdocs.yml (``extensions: [docs/_ext/griffe_rst.py]``).
"""

from __future__ import annotations

import importlib
import re
import textwrap
from functools import cache
from typing import Any

import griffe

__all__ = ["RstToMarkdown", "to_markdown"]

_ROLE = re.compile(r":(?:py:)?(?P<role>class|func|meth|mod|data|attr|exc|obj):`(?P<target>[^`]+)`")
_FENCE = re.compile(r"^\s*(```|~~~)")


@cache
def _public() -> frozenset[str]:
    """Dotted names the API page documents: ``exoml.X``, ``exoml.testing.X``, ``exoml.lint.X``."""
    names: set[str] = set()
    for module in ("exoml", "exoml.testing", "exoml.lint"):
        names.update(f"{module}.{n}" for n in importlib.import_module(module).__all__)
    return frozenset(names)


def _resolve(target: str) -> str | None:
    """The documented identifier ``target`` names, or None when the API page lacks it."""
    public = _public()
    for candidate in (target, f"exoml.{target}"):
        parts = candidate.split(".")
        # exoml.Flow, exoml.Flow.parse, exoml.testing.FakeLegsAPI.fail_next ...
        for i in range(len(parts), 1, -1):
            if ".".join(parts[:i]) in public:
                return candidate
    return None


def _role(match: re.Match[str]) -> str:
    target = match.group("target").strip()
    short = target.startswith("~")
    target = target.lstrip("~")
    shown = target.rsplit(".", 1)[-1] if short else target
    if match.group("role") in ("func", "meth"):
        shown += "()"
    identifier = _resolve(target)
    return f"[`{shown}`][{identifier}]" if identifier else f"`{shown}`"


def _blocks(text: str) -> str:
    """Fence ``>>>`` runs and ``::`` literal blocks; leave existing fences alone."""
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    in_fence = False
    while i < len(lines):
        line = lines[i]
        if _FENCE.match(line):
            in_fence = not in_fence
            out.append(line)
            i += 1
            continue
        if in_fence:
            out.append(line)
            i += 1
            continue
        stripped = line.lstrip()
        if stripped.startswith(">>>"):
            indent = line[: len(line) - len(stripped)]
            out.append(f"{indent}```pycon")
            while i < len(lines) and lines[i].strip():
                out.append(lines[i])
                i += 1
            out.append(f"{indent}```")
            continue
        if stripped.endswith("::") and not stripped.startswith(".."):
            # "Example::" -> "Example:"; a lone "::" disappears.
            head = line[:-1] if stripped != "::" else ""
            j = i + 1
            while j < len(lines) and not lines[j].strip():
                j += 1
            base = len(line) - len(stripped)
            body: list[str] = []
            while j < len(lines) and (
                not lines[j].strip() or len(lines[j]) - len(lines[j].lstrip()) > base
            ):
                body.append(lines[j])
                j += 1
            while body and not body[-1].strip():
                body.pop()
            if body:
                if head:
                    out.append(head)
                    out.append("")
                indent = " " * base
                out.append(f"{indent}```python")
                out.extend(indent + b for b in textwrap.dedent("\n".join(body)).splitlines())
                out.append(f"{indent}```")
                out.append("")
                i = j
                continue
        out.append(line)
        i += 1
    return "\n".join(out)


def to_markdown(text: str) -> str:
    """The Markdown form of one docstring."""
    return _ROLE.sub(_role, _blocks(text))


class RstToMarkdown(griffe.Extension):
    """Rewrite every docstring griffe loads, before mkdocstrings parses it."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = to_markdown(obj.docstring.value)

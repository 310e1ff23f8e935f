"""The one walk over a parsed document: it calls every registered tree rule.

The walk decides nothing: it resolves each element to its catalogue row (through the
context's dialect) and hands the document, each element and each attribute to the
checks of the rules it is given (:class:`Checks`). What to report is each rule's own
decision, in its module. Two things are the walk's: a document whose root is not the
dialect's root is not entered, and the inside of an element that is no verb, or of a
verb that holds no verbs, is not visited (the rules report what stands there).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from lxml import etree

    from .._catalogue import Attr, VerbSpec
    from .._check import Context
    from ._base import Rule

DocumentCheck = Callable[["Context"], None]
ElementCheck = Callable[["Context", "etree._Element", "VerbSpec | None", "VerbSpec | None"], None]
AttributeCheck = Callable[
    ["Context", "etree._Element", "VerbSpec | None", str, str, "Attr | None"], None
]


class Checks(NamedTuple):
    """The checks of a set of tree rules, by what they look at."""

    rules: tuple[Rule, ...]
    needles: tuple[str, ...]  # every needle of these rules
    errors: bool  # whether any of these rules reports errors
    document: tuple[DocumentCheck, ...]
    element: tuple[ElementCheck, ...]
    attribute: tuple[AttributeCheck, ...]


def root_is_entered(ctx: Context) -> bool:
    """Whether the root is the dialect's root, but perhaps for case."""
    tag = ctx.root.tag  # type: ignore[union-attr]
    return tag.__class__ is str and str(tag).lower() == ctx.names.root_folded


def walk(ctx: Context, checks: Checks) -> None:
    """Call ``checks`` on the parsed document in ``ctx``."""
    for check_document in checks.document:
        check_document(ctx)
    if checks.element or checks.attribute:
        walk_elements(ctx, checks)


def walk_elements(ctx: Context, checks: Checks) -> None:
    """Call the element and attribute ``checks`` on the document in ``ctx`` (the part of
    :func:`walk` after the document checks; the clean path of ``validate`` calls it
    only when such checks are to run)."""
    root = ctx.root
    assert root is not None
    if not root_is_entered(ctx):
        return
    if checks.attribute:
        for qname, value in root.attrib.items():
            for check_attribute in checks.attribute:
                check_attribute(ctx, root, None, qname, value, None)
    _children(ctx, root, None, checks)


def _children(ctx: Context, parent: etree._Element, spec: VerbSpec | None, checks: Checks) -> None:
    names = ctx.names
    for el in parent:
        tag = el.tag
        if tag.__class__ is not str:
            continue  # comments and processing instructions
        child = names.element(str(tag))
        for check_element in checks.element:
            check_element(ctx, el, child, spec)
        if child is None:
            continue  # nothing inside an unknown element is checked
        if checks.attribute:
            attrib = el.attrib
            for qname, value in attrib.items():
                attr = names.attribute(attrib, child, qname)
                for check_attribute in checks.attribute:
                    check_attribute(ctx, el, child, qname, value, attr)
        if child.children:
            _children(ctx, el, child, checks)

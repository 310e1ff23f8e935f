"""The tree walk: structure, names, values, text and children, in one pass."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lxml import etree

from .._catalogue import CLASSIC_ROOT, ROOT, VERBS, VerbSpec
from .._check import insecure_stream, polly_engine_mismatch
from .._diagnostics import Edit, Fix
from . import (
    ex101_root_not_flow as ex101,
)
from . import (
    ex102_classic_dialect as ex102,
)
from . import (
    ex103_empty_flow as ex103,
)
from . import (
    ex104_stray_text as ex104,
)
from . import (
    ex201_unknown_element as ex201,
)
from . import (
    ex202_element_case as ex202,
)
from . import (
    ex203_unknown_attribute as ex203,
)
from . import (
    ex204_attribute_case as ex204,
)
from . import (
    ex205_missing_attribute as ex205,
)
from . import (
    ex301_invalid_value as ex301,
)
from . import (
    ex302_invalid_text as ex302,
)
from . import (
    ex303_text_in_empty_verb as ex303,
)
from . import (
    ex401_child_not_allowed as ex401,
)
from . import (
    ex402_too_many_children as ex402,
)
from . import (
    ex501_multiple_actions as ex501,
)
from . import (
    ex502_polly_voice_engine as ex502,
)
from . import (
    ex503_insecure_stream as ex503,
)

if TYPE_CHECKING:
    from .._check import Context

_XML_WS = " \t\n\r"
_SPECS = {v.element: v for v in VERBS}
_ALL_VERBS = tuple(v.element for v in VERBS)
# Per verb: attribute names by exact name, by lowercased name, and documented aliases.
_ATTRS = {v.element: {a.name: a for a in v.attrs} for v in VERBS}
_ATTRS_FOLDED = {v.element: {a.name.lower(): a.name for a in v.attrs} for v in VERBS}
_ATTR_ALIASES = {v.element: {al: a.name for a in v.attrs for al in a.aliases} for v in VERBS}


def _rename_fix(ctx: Context, el: etree._Element, old: str, new: str) -> Fix | None:
    tag = ctx.tag(el)
    if tag is None:
        return None
    edits = [Edit(tag.name, tag.name + len(old), new)]
    if tag.end_name is not None:
        edits.append(Edit(tag.end_name, tag.end_name + len(old), new))
    return Fix(f"rename <{old}> to <{new}>", tuple(edits))


def _text_of(el: etree._Element) -> tuple[str, bool]:
    """The element's character data (comments and PIs left out), and whether any
    non-comment child element exists."""
    parts = [el.text or ""]
    has_elements = False
    for c in el:
        if isinstance(c.tag, str):
            has_elements = True
        parts.append(c.tail or "")
    return "".join(parts), has_elements


def _stray_text(ctx: Context, el: etree._Element, name: str) -> None:
    # Text in an element-only parent: report the first non-blank run where it stands.
    text = el.text
    if text and text.strip(_XML_WS):
        offset = ctx.text_offset(el)
        if offset is not None:
            offset += len(text) - len(text.lstrip(_XML_WS))
        ctx.add(ex104.RULE, ex104.message(name, text), offset=offset, element=el)
        return
    for child in el:
        text = child.tail
        if text and text.strip(_XML_WS):
            offset = ctx.tail_offset(child)
            if offset is not None:
                # point at the text itself, not at the white space before it
                offset += len(text) - len(text.lstrip(_XML_WS))
            ctx.add(ex104.RULE, ex104.message(name, text), offset=offset, element=el)
            return


def walk(ctx: Context) -> None:
    """Check the parsed document in ``ctx`` and record every diagnostic."""
    root = ctx.root
    assert root is not None
    tag = str(root.tag)
    if tag != ROOT:
        if tag == CLASSIC_ROOT:
            ctx.add(ex102.RULE, ex102.MESSAGE, element=root, hint=ex102.HINT)
            return
        name = ex202.canonical(tag)
        if name != ROOT:
            ctx.add(ex101.RULE, ex101.message(str(tag)), element=root, hint=ex101.HINT)
            return
        ctx.add(
            ex202.RULE,
            ex202.message(tag, ROOT),
            element=root,
            fix=_rename_fix(ctx, root, tag, ROOT),
        )
    for qname in root.attrib:
        if qname not in ex203.ALLOWED_ANYWHERE:
            msg, hint = ex203.message(ROOT, qname, [], {})
            ctx.add(ex203.RULE, msg, offset=ctx.attribute_offset(root, qname), hint=hint)
    _stray_text(ctx, root, ROOT)
    verbs = [c for c in root if isinstance(c.tag, str)]
    if not verbs:
        ctx.add(ex103.RULE, ex103.MESSAGE, element=root)
        return
    if len(verbs) > 1:
        ctx.add(ex501.RULE, ex501.message(len(verbs)), element=verbs[1])
    for child in verbs:
        _visit(ctx, child, ROOT, _ALL_VERBS)


def _visit(ctx: Context, el: etree._Element, parent: str, allowed: tuple[str, ...]) -> None:
    tag = el.tag
    assert isinstance(tag, str)
    spec: VerbSpec | None = _SPECS.get(tag)
    if spec is None:
        name = ex202.canonical(tag)
        if name is not None and name != ROOT:
            spec = _SPECS[name]
            ctx.add(
                ex202.RULE,
                ex202.message(tag, name),
                element=el,
                fix=_rename_fix(ctx, el, tag, name),
            )
        else:
            msg, hint = ex201.message(tag, parent)
            ctx.add(ex201.RULE, msg, element=el, hint=hint)
            return
    element = spec.element
    if element not in allowed:
        ctx.add(
            ex401.RULE,
            ex401.message(element, parent, allowed if parent != ROOT else ()),
            element=el,
        )

    # Attributes: names first, then values, then what is missing.
    known = _ATTRS[element]
    present: set[str] = set()
    for qname, value in el.attrib.items():
        attr = known.get(qname)
        if attr is None:
            if qname in ex203.ALLOWED_ANYWHERE:
                continue
            canonical = _ATTRS_FOLDED[element].get(qname.lower())
            if canonical is not None and canonical not in el.attrib:
                attr = known[canonical]
                tagpos = ctx.tag(el)
                fix = None
                # Two spellings of one name (LANGUAGE and Language): renaming either
                # would write the attribute twice, so neither gets a fix.
                folded = sum(1 for n in el.attrib if n.lower() == canonical.lower())
                if tagpos is not None and qname in tagpos.attrs and folded == 1:
                    start = tagpos.attrs[qname][0]
                    fix = Fix(
                        f"rename {qname} to {canonical}",
                        (Edit(start, start + len(qname), canonical),),
                    )
                ctx.add(
                    ex204.RULE,
                    ex204.message(element, qname, canonical),
                    offset=ctx.attribute_offset(el, qname),
                    fix=fix,
                )
            else:
                msg, hint = ex203.message(element, qname, list(known), _ATTR_ALIASES[element])
                ctx.add(ex203.RULE, msg, offset=ctx.attribute_offset(el, qname), hint=hint)
                continue
        present.add(attr.name)
        rule_text = attr.kind.check_wire(value)
        if rule_text is not None:
            ctx.add(
                ex301.RULE,
                ex301.message(element, attr.name, value, rule_text),
                offset=ctx.attribute_offset(el, qname),
            )
    for attr in spec.attrs:
        if attr.required and attr.name not in present:
            ctx.add(ex205.RULE, ex205.message(element, attr.name, attr.kind.rule), element=el)

    # Content: text verbs, empty verbs, containers.
    if spec.children:
        _stray_text(ctx, el, element)
        children = [c for c in el if isinstance(c.tag, str)]
        limit = spec.max_children
        if limit is not None and len(children) > limit:
            ctx.add(ex402.RULE, ex402.message(element, limit), element=children[limit])
        for child in children:
            _visit(ctx, child, element, spec.children)
    else:
        text, has_elements = _text_of(el)
        if has_elements:
            for child in el:
                if isinstance(child.tag, str):
                    ctx.add(ex401.RULE, ex401.message(str(child.tag), element, ()), element=child)
        if spec.text is not None:
            rule_text = spec.text.kind.check_wire(text)
            if rule_text is not None:
                what = "text" if spec.text.py == "text" else spec.text.py.upper()
                ctx.add(
                    ex302.RULE,
                    ex302.message(element, what, text, rule_text),
                    # an empty <Say/> has no text to point at: point at the element
                    offset=ctx.text_offset(el) if text else None,
                    element=el,
                )
        elif text:
            ctx.add(
                ex303.RULE, ex303.message(element, text), offset=ctx.text_offset(el), element=el
            )

    if element == "Say":
        _warn_say(ctx, el)
    elif element == "StartStream":
        _warn_stream(ctx, el)


# --- warnings: the only rules a schema-valid document can break ----------------------


def _warn_say(ctx: Context, el: etree._Element) -> None:
    engine = polly_engine_mismatch(el)
    if engine is not None:
        ctx.add(ex502.RULE, ex502.message(engine), offset=ctx.attribute_offset(el, "pollyVoiceId"))


def _warn_stream(ctx: Context, el: etree._Element) -> None:
    if insecure_stream(el):
        ctx.add(ex503.RULE, ex503.MESSAGE, offset=ctx.attribute_offset(el, "streamUrl"))


def warnings(ctx: Context) -> None:
    """The warning rules alone, for a document the schema has found valid."""
    root = ctx.root
    assert root is not None
    if len(root) > 1:
        verbs = [c for c in root if c.tag.__class__ is str]
        if len(verbs) > 1:
            ctx.add(ex501.RULE, ex501.message(len(verbs)), element=verbs[1])
    # A substring test in C rules out most documents before any element is touched.
    if "pollyVoiceId" in ctx.text:
        for el in root.iter("Say"):
            _warn_say(ctx, el)
    if "ws://" in ctx.text:
        for el in root.iter("StartStream"):
            _warn_stream(ctx, el)

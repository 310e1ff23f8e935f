"""``exoml.validate`` vs lxml parse + ``XMLSchema`` on the same 2,000 documents.

Both sides get the same bytes, read from the corpus before timing. The floor parses each
document with a hardened lxml parser (no DTD, no entities, no network: what exoml must do
too) and validates it against ``schema/exoml.xsd``, compiled once, outside the timing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .harness import (
    CheckFailed,
    Context,
    RowResult,
    Target,
    alternate,
    alternate_many,
    fmt_time,
    median_seconds,
    profile_call,
)


def schema_is_real(path: Path) -> bool:
    """False while ``schema/exoml.xsd`` is still the placeholder (no ``Flow`` element)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return False
    return 'name="Flow"' in text


def schema_file(ctx: Context) -> Path:
    """The XSD exoml ships: ``exoml.schema_path()`` when it exists, else the repo's."""
    try:
        import exoml

        return Path(exoml.schema_path())
    except (ImportError, AttributeError):
        return ctx.repo / "schema" / "exoml.xsd"


def hardened_parser() -> Any:
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def run(ctx: Context) -> list[RowResult]:
    count = min(200 if ctx.quick else 2_000, ctx.corpus_size)
    row = RowResult(
        key="validate",
        comparison=f"exoml.validate on {count:,} small documents vs lxml parse + XMLSchema",
        baseline_name="lxml fromstring (hardened parser) + XMLSchema.validate",
        ratio_meaning="exoml time / floor time",
        target=Target("<=", 1.4, "within 1.4x"),
    )
    ctx.register(row)
    try:
        from exoml import validate
    except ImportError as exc:
        row.status, row.note = "not available", f"exoml.validate is not importable yet ({exc})"
        return [row]
    xsd = schema_file(ctx)
    if not schema_is_real(xsd):
        row.status, row.note = "not available", f"{xsd.name} is still a placeholder"
        return [row]

    from lxml import etree

    corpus = ctx.corpus()
    # Every step-th file, in phase with the invalid ones so that all of them are in.
    step = max(len(corpus.files) // count, 1)
    first_bad = min(corpus.files.index(f) for f in corpus.invalid)
    names = list(corpus.files[first_bad % step :: step][:count])
    docs = [corpus.read(f) for f in names]
    expected_bad = {i for i, f in enumerate(names) if f in corpus.invalid}

    schema = etree.XMLSchema(etree.parse(str(xsd), hardened_parser()))
    parser = hardened_parser()

    def floor_one(data: bytes) -> bool:
        try:
            return bool(schema.validate(etree.fromstring(data, parser)))
        except etree.XMLSyntaxError:
            return False

    def floor_side() -> None:
        for data in docs:
            floor_one(data)

    def exoml_side() -> None:
        for data in docs:
            validate(data)

    # Both sides must reach the verdict the corpus was built to have, document by document.
    floor_bad = {i for i, data in enumerate(docs) if not floor_one(data)}
    results = [validate(data) for data in docs]
    exoml_bad = {i for i, diags in enumerate(results) if any(d.is_error for d in diags)}
    exoml_warned = {i for i, diags in enumerate(results) if diags} - exoml_bad
    if floor_bad != expected_bad:
        raise CheckFailed(
            f"the XSD's verdicts differ from the corpus's: {len(floor_bad)} invalid, "
            f"expected {len(expected_bad)}: e.g. {[names[i] for i in floor_bad ^ expected_bad][:3]}"
        )
    row.checks.append(
        f"lxml + XSD rejects exactly the {len(expected_bad)} invalid documents of {len(docs)}"
    )
    if exoml_bad != expected_bad:
        differ = sorted(exoml_bad ^ expected_bad)
        row.note = (
            f"exoml.validate disagrees with the XSD on {len(differ)} documents, e.g. "
            + ", ".join(names[i] for i in differ[:3])
        )
        row.details["disagreements"] = [names[i] for i in differ]
    else:
        row.checks.append(
            f"exoml.validate finds errors in exactly the same {len(expected_bad)} documents"
        )
    if exoml_warned:
        row.details["warned"] = [names[i] for i in sorted(exoml_warned)]
        row.note = (row.note + "; " if row.note else "") + (
            f"{len(exoml_warned)} valid documents drew warnings"
        )
    reps = ctx.reps(15, 3)
    blocks = 1 if ctx.quick else 4  # interleaved blocks per repetition (alternate_many)
    alternate(exoml_side, floor_side, 1)  # warm both (first-use compilation, caches)
    t_exoml, t_floor = alternate_many([exoml_side, floor_side], reps, blocks=blocks)
    row.exoml = fmt_time(median_seconds(t_exoml, len(docs) * blocks)) + "/doc"
    row.baseline = fmt_time(median_seconds(t_floor, len(docs) * blocks)) + "/doc"
    row.details.update(
        documents=len(docs), blocks=blocks, exoml_ns=t_exoml, floor_ns=t_floor, schema=str(xsd)
    )
    row.finish(
        [e / f for e, f in zip(t_exoml, t_floor, strict=True)], extra_ok=exoml_bad == expected_bad
    )
    if not row.met and not ctx.quick:
        row.details["profile"] = profile_call(exoml_side)
    return [row]

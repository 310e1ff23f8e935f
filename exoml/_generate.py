"""Regenerate (or, with ``--check``, verify) the files derived from the catalogue.

``python -m exoml._generate`` writes each dialect's schema (``schema/exoml.xsd``,
``schema/exoml-bridge.xsd``, ``schema/exoml-classic.xsd``) and its internal quiet schema
(``exoml/_quiet/``, see :mod:`exoml._xsd`), the builders' generated verb
modules, ``docs/verbs.md`` (and ``docs/verbs-bridge.md``, ``docs/verbs-classic.md``),
``docs/rules.md`` and ``docs/events.md``; ``--check`` exits 1 and names the files that
drifted.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT_DIR = Path(__file__).resolve().parent.parent


def targets() -> dict[Path, Callable[[], str]]:
    """Each generated file and the function that makes its text."""
    from functools import partial

    from ._catalogue import DIALECTS, LEGS
    from ._codegen import BUILDERS, generate_verbs, module_name
    from ._reference import (
        dialect_verb_reference,
        public_names,
        rule_index,
        rule_reference,
        verb_reference,
    )
    from ._xsd import generate_quiet_xsd, generate_xsd
    from .events._reference import event_reference

    found: dict[Path, Callable[[], str]] = {
        ROOT_DIR / "exoml" / "_verbs.py": generate_verbs,
        ROOT_DIR / "exoml" / "_rules" / "_index.py": rule_index,
        ROOT_DIR / "exoml" / "_public.py": public_names,
        ROOT_DIR / "docs" / "verbs.md": verb_reference,
        ROOT_DIR / "docs" / "rules.md": rule_reference,
        ROOT_DIR / "docs" / "events.md": event_reference,
    }
    for d in DIALECTS.values():
        found[ROOT_DIR / "schema" / d.schema_file] = partial(generate_xsd, d)
        found[ROOT_DIR / "exoml" / "_quiet" / d.schema_file] = partial(generate_quiet_xsd, d)
        if d.name != "legs":
            found[ROOT_DIR / "docs" / f"verbs-{d.name}.md"] = partial(
                dialect_verb_reference, d.name
            )
    # Each dialect with a builder of its own (exoml.Flow, exoml.classic.Response).
    for name in BUILDERS:
        d = DIALECTS[name]
        if d is not LEGS:
            found[ROOT_DIR / "exoml" / f"{module_name(d)}.py"] = partial(generate_verbs, d)
    return found


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    check = "--check" in args
    drifted: list[str] = []
    for path, make in targets().items():
        text = make()
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current == text:
            continue
        rel = str(path.relative_to(ROOT_DIR))
        if check:
            drifted.append(rel)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(path.suffix + ".tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(path)
            print(f"wrote {rel}")
    if drifted:
        print("out of date (run `make schema`): " + ", ".join(drifted), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``--select`` and ``--ignore``: which diagnostic codes are reported and which opt-in
rules run; ``--prefer``: the spellings rule EX520 holds a project to."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .._rules import Rule

__all__ = ["is_selected", "opt_in", "parse_codes", "parse_spellings"]


def parse_codes(values: Iterable[str], known: Sequence[str]) -> tuple[str, ...]:
    """Split comma-separated codes or prefixes (``EX2``, ``EX301``) and check each.

    Raises ValueError naming an entry that is the prefix of no known code.
    """
    codes: list[str] = []
    for value in values:
        for part in value.split(","):
            code = part.strip().upper()
            if not code:
                continue
            if not any(k.startswith(code) for k in known):
                raise ValueError(f"unknown rule code or prefix {part.strip()!r}")
            codes.append(code)
    return tuple(codes)


def is_selected(code: str, select: Sequence[str], ignore: Sequence[str]) -> bool:
    """Whether ``code`` is reported: the longest matching prefix decides.

    No ``select`` means every code. A code matched by both lists goes to the more specific
    entry, so ``--select EX3 --ignore EX301`` drops EX301 and ``--ignore EX3 --select EX301``
    keeps it; on a tie, ``ignore`` wins.
    """
    chosen = max((len(p) for p in select if code.startswith(p)), default=-1) if select else 0
    dropped = max((len(p) for p in ignore if code.startswith(p)), default=-1)
    return chosen > dropped


def opt_in(rules: Iterable[Rule], select: Sequence[str], ignore: Sequence[str]) -> tuple[str, ...]:
    """The rules that are off by default and that ``select`` turns on.

    Such a rule runs only when a ``select`` entry names its whole code (``EX520``): a
    prefix (``EX5``, ``EX``) keeps selecting the default rules it covers and does not
    turn an opt-in rule on. ``ignore`` still drops it.
    """
    return tuple(
        r.code
        for r in rules
        if not r.default and r.code in select and is_selected(r.code, select, ignore)
    )


def parse_spellings(values: Iterable[str]) -> tuple[str, ...]:
    """Split comma-separated names and check each is one spelling of a name Exotel spells
    two ways (``Say``, ``StartSay``, ``url``, ``streamUrl``); ValueError otherwise."""
    from .._catalogue import LEGS, spellings

    pairs = spellings(LEGS)
    known = {name for pair in pairs for name in pair[:2]}
    names: list[str] = []
    for value in values:
        for part in value.split(","):
            name = part.strip()
            if not name:
                continue
            if name not in known:
                listed = ", ".join(sorted(known))
                raise ValueError(f"--prefer: {name!r} is not a name with two spellings ({listed})")
            names.append(name)
    for first, second, _ in pairs:
        if first in names and second in names:
            raise ValueError(f"--prefer: {first} and {second} are the same name; prefer one")
    return tuple(names)

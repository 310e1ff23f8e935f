"""``--select`` and ``--ignore``: which diagnostic codes are reported."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = ["is_selected", "parse_codes"]


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

"""Did-you-mean: a suggestion only for what is plausibly a typo of a known name."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from functools import lru_cache


def did_you_mean(name: str, known: Iterable[str], taken: Collection[str] = ()) -> str | None:
    """The name of ``known`` that ``name`` is most plausibly a typo of, or None.

    A suggestion must be close: difflib's ratio of at least 0.6 and an edit distance
    (ignoring case) of at most two, or one more per six further characters of the
    longer name. ``name`` must not itself be a name of ``known`` or ``taken`` (every
    name the catalogue knows, anywhere): one real name is never turned into another.
    """
    return _guess(name, tuple(known), frozenset(taken))


# A document may repeat one unknown name thousands of times: decide each name once.
@lru_cache(maxsize=512)
def _guess(name: str, choices: tuple[str, ...], taken: frozenset[str]) -> str | None:
    if name in choices or name in taken:
        return None
    import difflib

    for guess in difflib.get_close_matches(name, choices, n=3, cutoff=0.6):
        longest = max(len(name), len(guess))
        if _distance(name.lower(), guess.lower()) <= max(2, (longest + 5) // 6):
            return guess
    return None


def _distance(a: str, b: str) -> int:
    """Levenshtein distance (names are short: quadratic is fine)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]

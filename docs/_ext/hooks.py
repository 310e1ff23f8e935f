"""MkDocs hooks for the exoml site (loaded by ``hooks:`` in mkdocs.yml).

Code fences in these docs may carry words that tell the example checker
(``tests/docs/conftest.py``) what to expect: ```` ```xml invalid ````, ```` ```xml warning ````
and ```` ```console exec ````, and the dialect an ExoML block is checked as (```` ```xml
bridge ````; by default its root decides). Python-Markdown's fence parser does not know them, so
this hook turns them into something it renders: a visible title on ExoML blocks that are
meant to fail, nothing for ``exec``.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["on_page_markdown", "rewrite_fences"]

# The titles readers see above an ExoML block that is not clean on purpose.
TITLES = {
    "invalid": "Invalid ExoML: the linter reports errors",
    "warning": "Valid ExoML, with a lint warning",
}
DROPPED = {"exec", "legs", "bridge", "classic"}

_FENCE = re.compile(
    r"^(?P<lead>[ \t]*(?:>[ \t]*)*)(?P<fence>`{3,}|~{3,})(?P<lang>[\w+-]+)"
    r"(?P<words>(?:[ \t]+[a-z]+)+)[ \t]*$",
    re.MULTILINE,
)


def _rewrite(match: re.Match[str]) -> str:
    words = match.group("words").split()
    if any(w not in TITLES and w not in DROPPED for w in words):
        return match.group(0)  # not ours: leave it for the fence parser to judge
    options = "".join(f' title="{TITLES[w]}"' for w in words if w in TITLES)
    return f"{match.group('lead')}{match.group('fence')}{match.group('lang')}{options}"


def rewrite_fences(markdown: str) -> str:
    """Replace the checker's fence words with options Python-Markdown understands."""
    return _FENCE.sub(_rewrite, markdown)


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    """MkDocs event: called with each page's Markdown before it is rendered."""
    return rewrite_fences(markdown)

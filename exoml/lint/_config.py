"""Defaults from ``[tool.exoml.lint]`` in the nearest ``pyproject.toml``.

The nearest ``pyproject.toml`` at or above the current directory is the project's root:
its ``[tool.exoml.lint]`` table (if any) gives defaults, and the search stops there, so a
project never picks up a parent directory's settings by accident. Keys mirror the
command-line options::

    [tool.exoml.lint]
    select = ["EX"]          # or "EX1,EX3"
    ignore = ["EX501"]
    strict = true
    max-bytes = 32768
    format = "text"
    jobs = 4
    no-color = false
    allow-empty = false

Unknown keys and values of the wrong type are errors, so a misspelt key never passes
silently.
"""

from __future__ import annotations

import os
import re
import sys
from typing import Any

__all__ = ["KEYS", "ConfigError", "find_pyproject", "load_config"]

# Each key and the type its value must have. ``select``/``ignore`` also take one
# comma-separated string, as on the command line.
KEYS: dict[str, tuple[type, ...]] = {
    "select": (list, str),
    "ignore": (list, str),
    "strict": (bool,),
    "max-bytes": (int,),
    "format": (str,),
    "jobs": (int,),
    "no-color": (bool,),
    "allow-empty": (bool,),
}
_TYPE_NAMES = {
    list: "a list of strings",
    str: "a string",
    bool: "true or false",
    int: "an integer",
}


_MENTIONS_TABLE = re.compile(rb"exoml[\"']?\s*[.\]=]")
# ``tool`` as the key ``exoml`` hangs from: ``[tool.exoml...]`` or ``tool.exoml... =``, a
# ``[tool]`` table, or ``tool = {...}``. ``[tool.ruff]`` and ``[project.scripts]
# exoml = "..."`` do not count, so a project that only names a script ``exoml`` is not
# parsed either.
_TOOL_SCOPE = re.compile(rb"tool[\"']?\s*(?:\.\s*[\"']?exoml|\]|=)")


#: A pyproject.toml larger than this is refused rather than read whole.
MAX_CONFIG_BYTES = 4 * 1024 * 1024


class ConfigError(Exception):
    """The configuration cannot be used (bad TOML, unknown key, wrong type)."""


def find_pyproject(start: str) -> str | None:
    """Return the nearest ``pyproject.toml`` at or above ``start``, or None."""
    directory = os.path.abspath(start)
    while True:
        candidate = os.path.join(directory, "pyproject.toml")
        if os.path.isfile(candidate):
            return candidate
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def load_config(path: str) -> tuple[dict[str, Any], str | None]:
    """Read ``[tool.exoml.lint]`` from ``path``; returns (settings, warning or None).

    Raises :class:`ConfigError` when the file cannot be read or parsed, or the table holds
    an unknown key or a value of the wrong type.
    """
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path} is larger than {MAX_CONFIG_BYTES} bytes: not read")
    # Most pyproject files have no exoml table: skip the TOML parser (and its import, a
    # few milliseconds of start-up) for them. The table needs ``exoml`` used as a key
    # (``[tool.exoml.lint]``, ``[tool.exoml]``, ``exoml = {...}``, not ``exoml-dsl``)
    # within ``tool``. A quoted key may spell either name with ``\u`` escapes: then parse.
    escaped = b"\\u" in data or b"\\U" in data
    if not escaped and not (_MENTIONS_TABLE.search(data) and _TOOL_SCOPE.search(data)):
        return {}, None
    if sys.version_info >= (3, 11):
        import tomllib as toml
    else:
        try:
            import tomli as toml  # type: ignore[import-not-found,unused-ignore]
        except ImportError:
            return {}, (
                f"ignoring [tool.exoml.lint] in {path}: reading TOML on Python 3.10 "
                "needs the 'tomli' package"
            )
    try:
        document = toml.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, toml.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot parse {path}: {exc}") from None
    table: Any = document.get("tool", {})
    for key in ("exoml", "lint"):
        table = table.get(key, {}) if isinstance(table, dict) else None
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.exoml.lint] must be a table")
    for key, value in table.items():
        types = KEYS.get(key)
        if types is None:
            known = ", ".join(sorted(KEYS))
            raise ConfigError(f"{path}: unknown key {key!r} in [tool.exoml.lint] (known: {known})")
        # bool is an int in Python; an int key must not take ``true``.
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            expected = " or ".join(_TYPE_NAMES[t] for t in types)
            raise ConfigError(f"{path}: [tool.exoml.lint] {key} must be {expected}")
        if isinstance(value, list) and not all(isinstance(item, str) for item in value):
            raise ConfigError(f"{path}: [tool.exoml.lint] {key} must be a list of strings")
    return dict(table), None

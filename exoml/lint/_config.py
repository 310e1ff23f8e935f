"""Defaults from ``[tool.exoml.lint]`` in the nearest ``pyproject.toml``.

The nearest ``pyproject.toml`` at or above the current directory is the project's root:
its ``[tool.exoml.lint]`` table (if any) gives defaults, and the search stops there, so a
project never picks up a parent directory's settings by accident. Keys mirror the
command-line options::

    [tool.exoml.lint]
    select = ["EX"]          # or "EX1,EX3"
    ignore = ["EX501"]
    prefer = ["Say"]         # for the opt-in rule EX520 (default: the cased docs' spelling)
    strict = true
    max-bytes = 32768
    format = "text"
    jobs = 4
    no-color = false
    allow-empty = false
    dialect = "legs"         # legs | bridge | classic; default: from each root
    placeholders = ["jinja"] # check templates: jinja | dollar | format

    [tool.exoml.lint.per-path-dialect]
    "bridges/**" = "bridge"  # glob (relative to this file's directory) = dialect
    "legacy/*.xml" = "classic"

Unknown keys and values of the wrong type are errors, so a misspelt key never passes
silently.
"""

from __future__ import annotations

import os
import re
import sys
from typing import Any

__all__ = ["KEYS", "ConfigError", "find_pyproject", "glob_pattern", "load_config"]

# Each key and the type its value must have. ``select``/``ignore`` also take one
# comma-separated string, as on the command line.
KEYS: dict[str, tuple[type, ...]] = {
    "select": (list, str),
    "ignore": (list, str),
    "prefer": (list, str),
    "strict": (bool,),
    "max-bytes": (int,),
    "format": (str,),
    "jobs": (int,),
    "no-color": (bool,),
    "allow-empty": (bool,),
    "dialect": (str,),
    "placeholders": (list, str),
    "per-path-dialect": (dict,),
}
#: The dialect names (``exoml._catalogue.DIALECTS``, without importing the catalogue).
DIALECT_NAMES = ("legs", "bridge", "classic")
_TYPE_NAMES = {
    list: "a list of strings",
    str: "a string",
    bool: "true or false",
    int: "an integer",
    dict: "a table of glob = dialect",
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
    _check_values(path, table)
    return dict(table), None


def _check_values(path: str, table: dict[str, Any]) -> None:
    """Refuse a dialect or placeholder style that does not exist."""
    known = ", ".join(DIALECT_NAMES)
    name = table.get("dialect")
    if name is not None and name not in DIALECT_NAMES:
        raise ConfigError(f"{path}: [tool.exoml.lint] dialect must be one of {known}: {name!r}")
    if "placeholders" in table:
        from .._placeholders import parse_styles

        try:
            parse_styles(table["placeholders"])
        except ValueError as exc:
            raise ConfigError(f"{path}: [tool.exoml.lint] placeholders: {exc}") from None
    for glob, name in table.get("per-path-dialect", {}).items():
        if not isinstance(name, str) or name not in DIALECT_NAMES:
            raise ConfigError(
                f"{path}: [tool.exoml.lint.per-path-dialect] {glob!r} must be one of {known}"
            )
        if not glob.strip():
            raise ConfigError(f"{path}: [tool.exoml.lint.per-path-dialect] has an empty glob")
        try:
            re.compile(glob_pattern(glob))
        except re.error as exc:
            raise ConfigError(
                f"{path}: [tool.exoml.lint.per-path-dialect] {glob!r} is not a valid glob: {exc}"
            ) from None


def glob_pattern(glob: str) -> str:
    """A regular expression for a path glob, matched against ``/``-separated paths
    relative to the configuration's directory.

    ``*`` and ``?`` stay within one directory, ``**`` crosses directories (``a/**``
    matches everything under ``a``, ``**/x.xml`` any ``x.xml``), ``[...]`` is a class. A
    glob with no ``/`` matches the file name in any directory, as ``.gitignore`` does.

    >>> import re
    >>> bool(re.fullmatch(glob_pattern("bridges/**"), "bridges/eu/refer.xml"))
    True
    >>> bool(re.fullmatch(glob_pattern("*.classic.xml"), "flows/a.classic.xml"))
    True
    """
    glob = glob.strip().replace("\\", "/").lstrip("/")
    if glob.startswith("./"):
        glob = glob[2:]
    if "/" not in glob.rstrip("/"):
        glob = "**/" + glob
    out: list[str] = []
    i = 0
    while i < len(glob):
        ch = glob[i]
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif ch == "*":
            out.append("[^/]*")
            i += 1
        elif ch == "?":
            out.append("[^/]")
            i += 1
        elif ch == "[":
            end = glob.find("]", i + 2)
            if end < 0:
                out.append(re.escape(ch))
                i += 1
            else:
                body = glob[i + 1 : end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = end + 1
        else:
            out.append(re.escape(ch))
            i += 1
    if glob.endswith("/"):
        out.append(".*")
    return "".join(out)

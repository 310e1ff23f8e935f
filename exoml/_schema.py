"""Where each dialect's XSD lives, and compiled copies of them for fast validation."""

from __future__ import annotations

import os
from _thread import allocate_lock as _allocate_lock
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from lxml import etree

__all__ = ["schema_path"]

# os.path rather than pathlib: the linter's start-up does not pay for pathlib's imports.
_HERE = os.path.dirname(os.path.abspath(__file__))

# The schema file of each dialect (as ``Dialect.schema_file`` says; a test holds the two
# to the same names). Here so that finding a file does not import the catalogue.
_FILES = {"legs": "exoml.xsd", "bridge": "exoml-bridge.xsd", "classic": "exoml-classic.xsd"}


def _file_name(dialect: str) -> str:
    """The schema file of a dialect (or a schema file's name, as given)."""
    if isinstance(dialect, str) and dialect in _FILES.values():
        return dialect
    try:
        return _FILES[dialect]
    except (KeyError, TypeError):
        known = ", ".join(_FILES)
        raise ValueError(f"unknown dialect {dialect!r}: expected one of {known}") from None


def _schema_file(dialect: str = "legs") -> str:
    name = _file_name(dialect)
    packaged = os.path.join(_HERE, name)  # inside an installed wheel
    if os.path.isfile(packaged):
        return packaged
    return os.path.join(os.path.dirname(_HERE), "schema", name)  # a source checkout


def schema_path(dialect: str = "legs") -> Path:
    """The path of a dialect's XSD 1.0 schema, generated from its catalogue.

    ``dialect`` is ``"legs"`` (``exoml.xsd``, the Leg Actions API), ``"bridge"``
    (``exoml-bridge.xsd``, the Bridge Actions API) or ``"classic"``
    (``exoml-classic.xsd``, the ``<Response>`` of classic call flows). Use it to
    validate ExoML from other tools, e.g. ``xmllint --schema``:

    >>> from exoml import schema_path
    >>> schema_path().name
    'exoml.xsd'
    >>> schema_path("classic").name
    'exoml-classic.xsd'
    """
    from pathlib import Path

    return Path(_schema_file(dialect))


@cache
def compiled_schema(dialect: str = "legs") -> etree.XMLSchema:
    """The schema, compiled by lxml, shared (use it from one thread at a time)."""
    return compile_schema(dialect)


# libxml2 sets up its built-in schema types lazily and without a lock: two threads that
# compile a schema at once can corrupt them (parse errors, then a corrupted heap). Every
# compilation holds this lock; validating with a compiled schema needs none.
_COMPILING = _allocate_lock()


def compile_schema(dialect: str = "legs", *, quiet: bool = False) -> etree.XMLSchema:
    """A new compiled copy of a dialect's schema (from the committed file, else generated).

    ``dialect`` is a dialect's name or its schema file's name (``"exoml-bridge.xsd"``).
    ``quiet`` compiles the dialect's quiet schema instead: the internal one that accepts
    only documents no default rule speaks about (see :mod:`exoml._xsd`).
    Safe to call from several threads at once (compilations take turns).
    """
    with _COMPILING:
        return _compile(dialect, quiet)


def quiet_schema_file(dialect: str = "legs") -> str:
    """The path of a dialect's quiet schema (inside the package, in ``_quiet/``)."""
    return os.path.join(_HERE, "_quiet", _file_name(dialect))


def _compile(dialect: str, quiet: bool = False) -> etree.XMLSchema:
    from lxml import etree

    path = quiet_schema_file(dialect) if quiet else _schema_file(dialect)
    if os.path.isfile(path):
        doc = etree.parse(path)
    else:
        from ._catalogue import DIALECTS
        from ._xsd import generate_quiet_xsd, generate_xsd

        name = os.path.basename(path)
        found = next(d for d in DIALECTS.values() if d.schema_file == name)
        text = generate_quiet_xsd(found) if quiet else generate_xsd(found)
        doc = etree.fromstring(text.encode()).getroottree()
    return etree.XMLSchema(doc)

"""Where the XSD lives, and a compiled copy of it for fast validation."""

from __future__ import annotations

import os
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from lxml import etree

__all__ = ["schema_path"]

# os.path rather than pathlib: the linter's start-up does not pay for pathlib's imports.
_HERE = os.path.dirname(os.path.abspath(__file__))


def _schema_file(name: str = "exoml.xsd") -> str:
    packaged = os.path.join(_HERE, name)  # inside an installed wheel
    if os.path.isfile(packaged):
        return packaged
    return os.path.join(os.path.dirname(_HERE), "schema", name)  # a source checkout


def schema_path() -> Path:
    """The path of ``exoml.xsd``, the XSD 1.0 schema generated from the catalogue.

    Use it to validate ExoML from other tools, e.g. ``xmllint --schema``:

    >>> from exoml import schema_path
    >>> schema_path().name
    'exoml.xsd'
    """
    from pathlib import Path

    return Path(_schema_file())


@lru_cache(maxsize=1)
def compiled_schema() -> etree.XMLSchema:
    """The schema, compiled by lxml, shared (use it from one thread at a time)."""
    return compile_schema()


def compile_schema(name: str = "exoml.xsd") -> etree.XMLSchema:
    """A new compiled copy of a schema (from the committed file, else generated)."""
    from lxml import etree

    path = _schema_file(name)
    if os.path.isfile(path):
        doc = etree.parse(path)
    else:
        from ._xsd import generate_xsd

        doc = etree.fromstring(generate_xsd().encode()).getroottree()
    return etree.XMLSchema(doc)

"""Where the XSD lives, and a compiled copy of it for fast validation."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lxml import etree

__all__ = ["schema_path"]

_HERE = Path(__file__).resolve().parent


def schema_path() -> Path:
    """The path of ``exoml.xsd``, the XSD 1.0 schema generated from the catalogue.

    Use it to validate ExoML from other tools, e.g. ``xmllint --schema``:

    >>> from exoml import schema_path
    >>> schema_path().name
    'exoml.xsd'
    """
    packaged = _HERE / "exoml.xsd"  # inside an installed wheel
    if packaged.is_file():
        return packaged
    return _HERE.parent / "schema" / "exoml.xsd"  # a source checkout


@lru_cache(maxsize=1)
def compiled_schema() -> etree.XMLSchema:
    """The schema, compiled by lxml, shared (use it from one thread at a time)."""
    return compile_schema()


def compile_schema() -> etree.XMLSchema:
    """A new compiled copy of the schema (from the committed file, else generated)."""
    from lxml import etree

    path = schema_path()
    if path.is_file():
        doc = etree.parse(str(path))
    else:
        from ._xsd import generate_xsd

        doc = etree.fromstring(generate_xsd().encode()).getroottree()
    return etree.XMLSchema(doc)

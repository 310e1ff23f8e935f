"""Every dialect's schema: generated, committed, shipped, loading in lxml, xmlschema and
xmllint, and agreeing with the engine on the dialect's documents."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from lxml import etree

from exoml import schema_path, validate
from exoml._catalogue import DIALECTS, dialect
from exoml._schema import compile_schema, compiled_schema
from exoml._xsd import generate_xsd
from exoml.testing import documents

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"
NAMES = list(DIALECTS)
XMLLINT = shutil.which("xmllint")
needs_xmllint = pytest.mark.skipif(
    XMLLINT is None and not os.environ.get("CI"), reason="xmllint is not installed"
)


@pytest.mark.parametrize("name", NAMES)
def test_schema_path_is_the_committed_generated_file(name: str) -> None:
    path = schema_path(name)
    assert path.name == dialect(name).schema_file
    assert path.read_text(encoding="utf-8") == generate_xsd(dialect(name))


def test_schema_path_defaults_to_legs_and_refuses_unknown_dialects() -> None:
    assert schema_path() == schema_path("legs")
    assert schema_path().name == "exoml.xsd"
    with pytest.raises(ValueError, match="unknown dialect 'twiml'"):
        schema_path("twiml")


@pytest.mark.parametrize("name", NAMES)
def test_loads_in_lxml_and_xmlschema(name: str) -> None:
    import xmlschema

    etree.XMLSchema(etree.parse(str(schema_path(name))))
    xmlschema.XMLSchema10(str(schema_path(name)))
    assert compile_schema(name) is not compiled_schema(name)
    assert compile_schema(dialect(name).schema_file) is not None


@pytest.mark.parametrize("name", NAMES)
def test_the_wheel_ships_it(name: str) -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    file = dialect(name).schema_file
    assert f'"schema/{file}" = "exoml/{file}"' in text


def test_only_the_root_is_global() -> None:
    for name in NAMES:
        schema = compiled_schema(name)
        root = dialect(name).root
        verb = dialect(name).top_level[0]
        assert not schema.validate(etree.fromstring(f"<{verb}/>".encode()))
        assert root in schema_path(name).read_text(encoding="utf-8")


def _clean_corpus(name: str) -> list[Path]:
    """Corpus files that are valid ExoML of dialect ``name`` (no placeholders)."""
    out = []
    for p in sorted(CORPUS.glob("*/*.xml")):
        if not any(d.is_error for d in validate(p.read_bytes(), dialect=name)):
            out.append(p)
    return out


@pytest.mark.parametrize("name", ["bridge", "classic"])
def test_schema_and_engine_agree_on_the_corpus(name: str) -> None:
    import xmlschema

    schema = compiled_schema(name)
    other = xmlschema.XMLSchema10(str(schema_path(name)))
    clean = _clean_corpus(name)
    assert len(clean) >= 3
    for p in sorted(CORPUS.glob("*/*.xml")):
        data = p.read_bytes()
        engine_ok = not any(d.is_error for d in validate(data, dialect=name))
        try:
            root = etree.fromstring(data)
        except etree.XMLSyntaxError:
            assert not engine_ok
            continue
        xsd_ok = bool(schema.validate(root))
        # The classic Dial's text is mixed content: only the engine checks it.
        if xsd_ok and not engine_ok and name == "classic":
            codes = {d.code for d in validate(data, dialect=name) if d.is_error}
            if codes <= {"EX302", "EX104"} and b"<Dial" in data:
                continue
        assert xsd_ok == engine_ok, p
        assert other.is_valid(data.decode("utf-8")) == engine_ok, p


@pytest.mark.parametrize("name", NAMES)
def test_generated_documents_are_valid_under_every_validator(name: str, tmp_path: Path) -> None:
    import xmlschema

    found: list[str] = []

    @settings(max_examples=40, deadline=None, database=None)
    @given(documents(name))
    def collect(xml: str) -> None:
        found.append(xml)

    collect()
    schema = compiled_schema(name)
    other = xmlschema.XMLSchema10(str(schema_path(name)))
    for xml in found:
        assert schema.validate(etree.fromstring(xml.encode())), xml
        assert other.is_valid(xml), xml
        assert not any(d.is_error for d in validate(xml, dialect=name)), xml
    if XMLLINT is None:
        return
    files = []
    for i, xml in enumerate(found):
        path = tmp_path / f"{i}.xml"
        path.write_text(xml, encoding="utf-8")
        files.append(str(path))
    result = subprocess.run(
        [XMLLINT, "--noout", "--schema", str(schema_path(name)), *files],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("validates") == len(files)


@needs_xmllint
@pytest.mark.parametrize(
    ("name", "good", "bad"),
    [
        (
            "bridge",
            '<Flow><Refer bridgeEventEndpoint="grpc://e.example.com"/></Flow>',
            "<Flow><Hangup/></Flow>",
        ),
        (
            "classic",
            '<Response><Say voice="man">Hi</Say></Response>',
            '<Response><Say voice="Aditi">Hi</Say></Response>',
        ),
    ],
)
def test_xmllint_accepts_and_rejects_as_the_engine_does(
    name: str, good: str, bad: str, tmp_path: Path
) -> None:
    assert XMLLINT is not None, "xmllint is required in CI"
    for text, ok in ((good, True), (bad, False)):
        path = tmp_path / "doc.xml"
        path.write_text(text, encoding="utf-8")
        result = subprocess.run(
            [XMLLINT, "--noout", "--schema", str(schema_path(name)), str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert (result.returncode == 0) == ok, result.stderr
        assert (not any(d.is_error for d in validate(text, dialect=name))) == ok

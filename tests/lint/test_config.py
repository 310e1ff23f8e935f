"""Defaults from [tool.exoml.lint] in the nearest pyproject.toml."""

from __future__ import annotations

from pathlib import Path

import pytest

from exoml.lint._config import ConfigError, find_pyproject, load_config


def test_nearest_pyproject_at_or_above(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert find_pyproject(str(deep)) == str(tmp_path / "pyproject.toml")
    (deep / "pyproject.toml").write_text("")
    assert find_pyproject(str(deep)) == str(deep / "pyproject.toml")


def test_table_is_read(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(
        '[tool.exoml.lint]\nselect = ["EX2", "EX3"]\nignore = "EX501"\nstrict = true\n'
        'max-bytes = 1000\nformat = "json"\njobs = 2\nno-color = true\n'
    )
    config, warning = load_config(str(path))
    assert warning is None
    assert config == {
        "select": ["EX2", "EX3"],
        "ignore": "EX501",
        "strict": True,
        "max-bytes": 1000,
        "format": "json",
        "jobs": 2,
        "no-color": True,
    }


def test_file_without_exoml_is_not_parsed(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text("this is [not TOML at all")  # would fail if it were parsed
    assert load_config(str(path)) == ({}, None)


@pytest.mark.parametrize(
    "body",
    [
        '[project.scripts]\nexoml = "exoml.__main__:main"\n[tool.ruff]\nline-length = 100\n',
        '[tool.ruff]\nexclude = ["exoml"]\n[project.entry-points.x]\nexoml = "exoml.y"\n',
    ],
)
def test_exoml_outside_tool_is_not_parsed(tmp_path: Path, body: str) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(body + "this is [not TOML at all")  # would fail if it were parsed
    assert load_config(str(path)) == ({}, None)


def test_escaped_keys_are_parsed(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[tool."\\u0065xoml".lint]\nstrict = true\n')
    assert load_config(str(path)) == ({"strict": True}, None)


def test_other_tools_only(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[project]\nname = "exoml-thing"\n')
    assert load_config(str(path)) == ({}, None)


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ("[tool.exoml.lint]\nselekt = []\n", "unknown key 'selekt'"),
        ("[tool.exoml.lint]\nstrict = 1\n", "strict must be true or false"),
        ("[tool.exoml.lint]\nmax-bytes = true\n", "max-bytes must be an integer"),
        ("[tool.exoml.lint]\nselect = [1]\n", "list of strings"),
        ("[tool.exoml]\nlint = 3\n", "must be a table"),
        ("[tool.exoml.lint\n", "cannot parse"),
    ],
)
def test_bad_config_is_an_error(tmp_path: Path, body: str, match: str) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(body)
    with pytest.raises(ConfigError, match=match):
        load_config(str(path))


def test_python_310_without_tomli_warns_and_skips(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    path = tmp_path / "pyproject.toml"
    path.write_text("[tool.exoml.lint]\nstrict = true\n")
    monkeypatch.setattr(sys, "version_info", (3, 10, 14, "final", 0))
    monkeypatch.setitem(sys.modules, "tomli", None)  # an import of it now fails
    config, warning = load_config(str(path))
    assert config == {}
    assert warning is not None
    assert "needs the 'tomli' package" in warning


@pytest.mark.parametrize(
    "body",
    [
        "[tool.exoml.lint]\nstrict = true\n",
        "[tool.exoml]\nlint = { strict = true }\n",
        "[tool]\nexoml.lint.strict = true\n",
        '[tool."exoml".lint]\nstrict = true\n',
        '[ tool . "exoml" ]\nlint.strict = true\n',
        "[tool]\n'exoml' = { lint = { strict = true } }\n",
    ],
)
def test_every_spelling_of_the_table_is_read(tmp_path: Path, body: str) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[project]\nname = "exoml-dsl"\n' + body)
    assert load_config(str(path)) == ({"strict": True}, None)


@pytest.mark.parametrize(
    "body",
    ["tool.exoml.lint.strict = true\n", "tool = { exoml = { lint = { strict = true } } }\n"],
)
def test_top_level_spellings_are_read(tmp_path: Path, body: str) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(body + '[project]\nname = "exoml-dsl"\n')
    assert load_config(str(path)) == ({"strict": True}, None)


def test_a_huge_pyproject_is_refused_not_read_whole(tmp_path: Path) -> None:
    from exoml.lint._config import MAX_CONFIG_BYTES

    path = tmp_path / "pyproject.toml"
    with open(path, "wb") as file:
        file.write(b"[tool.exoml.lint]\nstrict = true\n")
        file.truncate(4 << 30)  # 4 GiB, sparse
    with pytest.raises(ConfigError, match=f"larger than {MAX_CONFIG_BYTES} bytes"):
        load_config(str(path))

"""EX007 encoding-declaration: the XML declaration names an encoding other than UTF-8.

Bad documents are found at the right line and column; good ones are clean of it.
"""

from __future__ import annotations

import pytest

from exoml import validate

from ._helpers import check_rule_examples, codes, found

CODE = "EX007"


@pytest.mark.parametrize(
    ("document", "line", "column"),
    [
        ('<?xml version="1.0" encoding="ISO-8859-1"?><Flow><Answer/></Flow>', 1, 31),
        ("<?xml version='1.0' encoding='utf-16'?>\n<Flow><Answer/></Flow>", 1, 31),
    ],
)
def test_bad(document: str | bytes, line: int, column: int) -> None:
    assert (CODE, line, column) in found(document)


@pytest.mark.parametrize(
    "document",
    [
        '<?xml version="1.0" encoding="UTF-8"?><Flow><Answer/></Flow>',
        "<?xml version='1.0' encoding='utf-8'?><Flow><Answer/></Flow>",
        '<?xml version="1.0"?><Flow><Answer/></Flow>',
    ],
)
def test_good(document: str | bytes) -> None:
    assert CODE not in codes(document)


def test_rule_examples() -> None:
    check_rule_examples(CODE)


# A file that declares another encoding is usually in it: its bytes are then not UTF-8
# either, and the declaration (EX007) is what to report, not the first odd byte (EX003).
@pytest.mark.parametrize(
    ("document", "line", "column"),
    [
        (b'<?xml version="1.0" encoding="latin-1"?><Flow><Say>caf\xe9</Say></Flow>', 1, 31),
        (b"<?xml version='1.0' encoding='ISO-8859-1'?>\n<Flow><Say>\xe9</Say></Flow>", 1, 31),
        (
            b'<?xml version="1.0"\n  encoding="windows-1252"?><Flow><Say>\x93hi\x94</Say></Flow>',
            2,
            13,
        ),
        (b'\xef\xbb\xbf<?xml version="1.0" encoding="cp1252"?><Flow><Say>\x80</Say></Flow>', 1, 31),
        (b'<?xml version="1.0" encoding="Shift_JIS"?><Flow><Say>\x82\xa0</Say></Flow>', 1, 31),
        (b'<?xml version="1.0" encoding="\xe9"?><Flow/>', 1, 31),
    ],
)
def test_declared_other_encoding_wins_over_bad_bytes(
    document: bytes, line: int, column: int
) -> None:
    assert found(document) == [(CODE, line, column)]


def test_undeclared_latin1_is_still_ex003() -> None:
    assert codes(b"<Flow><Say>caf\xe9</Say></Flow>") == {"EX003"}
    assert codes(b'<?xml version="1.0" encoding="UTF-8"?><Flow><Say>\xe9</Say></Flow>') == {"EX003"}


def test_str_input_never_gets_ex007() -> None:
    # A str is already decoded: its declaration says nothing about bytes.
    assert CODE not in [
        d.code for d in validate('<?xml version="1.0" encoding="latin-1"?><Flow><Answer/></Flow>')
    ]

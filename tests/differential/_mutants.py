"""Mutants of valid documents: small, random, structural edits that judges must agree on.

A mutant is a valid document with one to three edits, each chosen from
:data:`OPERATORS`: attribute values swapped for random strings and numbers, attributes
dropped or added, elements renamed, removed, duplicated or moved under another parent,
text emptied or set (as text or as a CDATA section), stray text between elements,
comments and processing instructions. The edits are made on an lxml tree and
serialised by lxml, so every mutant is well-formed and differences are about ExoML's
rules, not XML's.

Everything is driven by one ``random.Random``, so a seed reproduces a run exactly.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from lxml import etree

from exoml._catalogue import CLASSIC_ROOT, DIALECTS, ROOT
from exoml._values import Choice, IntRange, Pattern

XSI = "{http://www.w3.org/2001/XMLSchema-instance}"
XML_NS = "{http://www.w3.org/XML/1998/namespace}"

# Every dialect's vocabulary: a mutant of one dialect's document may borrow another's.
VERBS = tuple(v for d in DIALECTS.values() for v in d.verbs)
_ELEMENTS = sorted({v.element for v in VERBS})
_ATTR_NAMES = sorted({a.name for v in VERBS for a in v.attrs})
_ALIASES = sorted({al for v in VERBS for a in v.attrs for al in a.aliases})
_ELEMENT_ALIASES = sorted({al for v in VERBS for al in v.aliases})
_KINDS = [a.kind for v in VERBS for a in v.attrs] + [v.text.kind for v in VERBS if v.text]
_CHOICES = sorted({c for k in _KINDS if isinstance(k, Choice) for c in k.values})
_EXAMPLES = sorted({str(k.example()) for k in _KINDS if isinstance(k, Pattern)})
_TYPE_NAMES = [f"{e}Type" for e in _ELEMENTS] + ["FlowType", "xs:string", "Say.text"]

#: Strings that sit on either side of some rule.
NEAR_MISSES: tuple[str, ...] = (
    "",
    " ",
    "\t",
    "\n",
    "\r",
    " \n ",
    "\u00a0",
    "\u2028",
    "\u3000",
    "0",
    "1",
    "2",
    "9",
    "10",
    "11",
    "-1",
    "+1",
    " 1",
    "1 ",
    "01",
    "00",
    "0010",
    "1.0",
    "1e3",
    "0x1",
    "1_0",
    "١",
    "٣",
    "¹",
    "９",
    "9" * 18,
    "1" + "0" * 18,
    "9" * 40,
    "0" * 30 + "5",
    "true",
    "false",
    "True",
    "FALSE",
    " true",
    "yes",
    "#",
    "*",
    "##",
    "a",
    "A",
    "x y",
    " x",
    "x ",
    "x\ny",
    "x\ty",
    "en",
    "hi-IN",
    "e",
    "english",
    "en-",
    "en_US",
    "EN-us-x1",
    "en-\u0661\u0662",
    "https://a",
    "https://example.com/a.wav",
    "http://a/b c",
    "https://",
    "https:///x",
    "https://a/\u00a0",
    "HTTPS://a",
    "ftp://a",
    "https://é.example/ü",
    "wss://bot.example.com/s",
    "ws://a",
    "wss://",
    "wss://a b",
    "grpc://h:1",
    "grpc://h",
    "grpcs://h:99",
    "grpc://h:p",
    "grpc://h:1/x",
    "https://h:8443/e",
    "http://h/e",
    "polly",
    "googletts",
    "Polly",
    "in",
    "out",
    "both",
    "BOTH",
    "wav",
    "mp3",
    "s3",
    "muted",
    "enabled",
    "unidirectional",
    "bidirectional",
    "Aditi",
    " Aditi",
    "Aditi ",
    "A d",
    "\U0001f600",
    "&",
    "<",
    '"',
    "'",
    "]]>",
    *_CHOICES,
    *_EXAMPLES,
)

#: Characters for random strings: XML-legal, from every part of Unicode.
_ALPHABET = (
    " \t\n\rabcxyzABCXYZ0123456789-_:/.?#=&<>'\"*\u00a0\u0085\u00e9\u0661\u2028\u3000"
    "\ufeff\ufffd\U0001f600\U00010000\U0010fffd\ue000"
)


class Mutant(NamedTuple):
    """One mutated document and the edits that made it."""

    data: bytes
    operations: tuple[str, ...]


def random_string(rng: random.Random) -> str:
    """A random XML-legal string, often close to a rule's boundary."""
    roll = rng.random()
    if roll < 0.45:
        return rng.choice(NEAR_MISSES)
    if roll < 0.65:
        base = rng.choice(NEAR_MISSES)
        pos = rng.randrange(len(base) + 1)
        return base[:pos] + rng.choice(_ALPHABET) + base[pos:]
    if roll < 0.8:
        return str(rng.choice([rng.randrange(-5, 25), rng.randrange(10**20), -rng.randrange(99)]))
    return "".join(rng.choice(_ALPHABET) for _ in range(rng.randrange(0, 12)))


def valid_value(rng: random.Random, name: str) -> str:
    """A value valid for some attribute called ``name`` (or any near miss)."""
    kinds = [a.kind for v in VERBS for a in v.attrs if a.name == name]
    if not kinds:
        return random_string(rng)
    kind = rng.choice(kinds)
    if isinstance(kind, IntRange):
        return str(rng.choice([kind.low, kind.max, rng.randint(kind.low, min(kind.max, 99))]))
    if isinstance(kind, Choice):
        return rng.choice(kind.values)
    return str(kind.example())


def _case_variant(rng: random.Random, name: str) -> str:
    variants = {name.lower(), name.upper(), name[:1].swapcase() + name[1:]} - {name}
    return rng.choice(sorted(variants)) if variants else name + "x"


def _elements(root: etree._Element) -> list[etree._Element]:
    return [e for e in root.iter() if isinstance(e.tag, str)]


def _attribute_name(rng: random.Random, el: etree._Element) -> str:
    roll = rng.random()
    own = [a.name for v in VERBS if v.element == el.tag for a in v.attrs]
    if roll < 0.3 and own:
        return rng.choice(own)
    if roll < 0.5:
        return rng.choice(_ATTR_NAMES)
    if roll < 0.6:
        return _case_variant(rng, rng.choice(own or _ATTR_NAMES))
    if roll < 0.65 and _ALIASES:
        return rng.choice(_ALIASES)
    if roll < 0.8:
        return rng.choice(
            [
                f"{XSI}type",
                f"{XSI}nil",
                f"{XSI}schemaLocation",
                f"{XSI}noNamespaceSchemaLocation",
                f"{XML_NS}lang",
                f"{XML_NS}space",
                "{urn:example}loop",
            ]
        )
    return rng.choice(["x", "loops", "num_digits", "language2", "id", "action", "method"])


def _attribute_value(rng: random.Random, name: str) -> str:
    if name == f"{XSI}type":
        return rng.choice(_TYPE_NAMES)
    if name == f"{XSI}nil":
        return rng.choice(["true", "false", "0", "1"])
    if name in (f"{XSI}schemaLocation", f"{XSI}noNamespaceSchemaLocation"):
        return rng.choice(["exoml.xsd", "urn:x exoml.xsd", ""])
    return valid_value(rng, name) if rng.random() < 0.3 else random_string(rng)


def _element_name(rng: random.Random, el: etree._Element) -> str:
    roll = rng.random()
    tag = str(el.tag)
    local = etree.QName(el).localname
    if roll < 0.45:
        return rng.choice(_ELEMENTS)
    if roll < 0.65:
        return _case_variant(rng, tag)
    if roll < 0.75:
        return rng.choice([ROOT, CLASSIC_ROOT, "Play", "Dial", "Record", *_ELEMENT_ALIASES])
    if roll < 0.85:
        return rng.choice(["{urn:example}Say", "{urn:example}" + local, "Speak", "X"])
    return local + rng.choice(["s", "_", "1"])


# --- operators ---------------------------------------------------------------------------
# Each takes the tree and the random source and edits the tree in place; it returns
# False when it found nothing to edit (the mutant then tries another operator).


def _set_attribute_value(root: etree._Element, rng: random.Random) -> bool:
    candidates = [e for e in _elements(root) if e.attrib]
    if not candidates:
        return False
    el = rng.choice(candidates)
    name = rng.choice(list(el.attrib))
    el.set(name, _attribute_value(rng, name))
    return True


def _drop_attribute(root: etree._Element, rng: random.Random) -> bool:
    candidates = [e for e in _elements(root) if e.attrib]
    if not candidates:
        return False
    el = rng.choice(candidates)
    del el.attrib[rng.choice(list(el.attrib))]
    return True


def _add_attribute(root: etree._Element, rng: random.Random) -> bool:
    el = rng.choice(_elements(root))
    name = _attribute_name(rng, el)
    el.set(name, _attribute_value(rng, name))
    return True


def _rename(root: etree._Element, rng: random.Random) -> bool:
    el = rng.choice(_elements(root))
    el.tag = _element_name(rng, el)
    return True


def _remove(root: etree._Element, rng: random.Random) -> bool:
    candidates = _elements(root)[1:]
    if not candidates:
        return False
    el = rng.choice(candidates)
    parent = el.getparent()
    assert parent is not None
    parent.remove(el)
    return True


def _duplicate(root: etree._Element, rng: random.Random) -> bool:
    candidates = _elements(root)[1:]
    if not candidates:
        return False
    el = rng.choice(candidates)
    el.addnext(copy.deepcopy(el))
    return True


def _move(root: etree._Element, rng: random.Random) -> bool:
    candidates = _elements(root)[1:]
    if not candidates:
        return False
    el = rng.choice(candidates)
    targets = [t for t in _elements(root) if t is not el and el not in t.iterancestors()]
    target = rng.choice(targets)
    tail = el.tail
    el.tail = None
    target.insert(rng.randint(0, len(target)), el)
    el.tail = tail if rng.random() < 0.5 else None
    return True


def _empty_text(root: etree._Element, rng: random.Random) -> bool:
    candidates = [e for e in _elements(root) if e.text]
    if not candidates:
        return False
    rng.choice(candidates).text = rng.choice([None, "", " ", "\n  "])
    return True


def _set_text(root: etree._Element, rng: random.Random) -> bool:
    el = rng.choice(_elements(root))
    el.text = random_string(rng) if rng.random() < 0.7 else valid_value(rng, "")
    return True


def _set_tail(root: etree._Element, rng: random.Random) -> bool:
    candidates = _elements(root)[1:]
    if not candidates:
        return False
    rng.choice(candidates).tail = rng.choice([" ", "\n", "x", random_string(rng)])
    return True


def _comment(root: etree._Element, rng: random.Random) -> bool:
    el = rng.choice(_elements(root))
    node: etree._Element = (
        etree.Comment(rng.choice(["c", " note "]))
        if rng.random() < 0.5
        else etree.ProcessingInstruction("pi", "x")
    )
    node.tail = el.text if rng.random() < 0.3 else None
    el.insert(rng.randint(0, len(el)), node)
    return True


def _cdata(root: etree._Element, rng: random.Random) -> bool:
    el = rng.choice(_elements(root))
    text = el.text or ""
    el.text = etree.CDATA(rng.choice(["", " ", "\n", text, text + " "]))
    return True


Operator = Callable[[etree._Element, random.Random], bool]

#: The edits, by name, with their weights.
OPERATORS: dict[str, tuple[Operator, int]] = {
    "attribute-value": (_set_attribute_value, 6),
    "attribute-drop": (_drop_attribute, 2),
    "attribute-add": (_add_attribute, 4),
    "rename": (_rename, 3),
    "remove": (_remove, 2),
    "duplicate": (_duplicate, 2),
    "move": (_move, 3),
    "text-empty": (_empty_text, 2),
    "text-set": (_set_text, 3),
    "stray-text": (_set_tail, 1),
    "comment-or-pi": (_comment, 1),
    "cdata": (_cdata, 1),
}
_NAMES = list(OPERATORS)
_WEIGHTS = [w for _, w in OPERATORS.values()]


def mutate(document: bytes, rng: random.Random, edits: int | None = None) -> Mutant:
    """One mutant of ``document`` (1 to 3 edits unless ``edits`` says)."""
    root = etree.fromstring(document)
    count = edits if edits is not None else rng.choice((1, 1, 1, 2, 2, 3))
    done: list[str] = []
    attempts = 0
    while len(done) < count and attempts < 50:
        attempts += 1
        name = rng.choices(_NAMES, _WEIGHTS)[0]
        operator = OPERATORS[name][0]
        try:
            edited = operator(root, rng)
        except ValueError:  # lxml refused a name or value: try another edit
            continue
        if edited:
            done.append(name)
    return Mutant(etree.tostring(root, encoding="utf-8"), tuple(done))


def mutants(seeds: Sequence[bytes], count: int, rng: random.Random) -> Iterator[Mutant]:
    """``count`` mutants, the seeds taken in turn."""
    for i in range(count):
        yield mutate(seeds[i % len(seeds)], rng)


# --- seeds ---------------------------------------------------------------------------------

ROOT_DIR = Path(__file__).resolve().parents[2]


def corpus_seeds(dialect: str = "legs") -> list[bytes]:
    """Valid documents written by hand: the examples, the corpora of Exotel's own
    examples (tests/corpus) and the reference's samples, valid as ``dialect``."""
    from exoml import validate

    found = [p.read_bytes() for p in sorted((ROOT_DIR / "examples").glob("*.xml"))]
    found += [p.read_bytes() for p in sorted((ROOT_DIR / "tests" / "corpus").glob("*/*.xml"))]
    found += [
        b'<Flow><StartPlay loop="1">https://example.com/audio.wav</StartPlay></Flow>',
        b'<Flow><Say preferredTTSEngine="polly" language="en" pollyVoiceId="Aditi">'
        b"Hello, welcome to Exotel</Say></Flow>",
        b'<Flow><StartRecording direction="both" format="wav" storageType="s3"/></Flow>',
        b'<Flow><Gather numDigits="4" timeoutInSec="10" finishOnKey="#"><Say>Enter your PIN'
        b"</Say></Gather></Flow>",
        b"<Flow><Hold><StartPlay>https://example.com/moh.wav</StartPlay></Hold></Flow>",
        b'<Flow><Mute direction="out"/><UnMute direction="in"/></Flow>',
        b'<Flow><JoinBridge bridgeSid="BRIDGE_SID" absorbDtmf="true"/></Flow>',
        b'<Flow><StartStream streamType="bidirectional" streamUrl="wss://bot.example.com/s"/>'
        b"</Flow>",
        b'<Flow><StartMonitoring monitoringLegSid="LEG_SID" rxAudio="muted"/></Flow>',
        b'<Flow><Refer legEventEndpoint="grpc://new-endpoint:9001"/></Flow>',
        b'<Flow><Refer bridgeEventEndpoint="grpc://events.example.com"/><StopPlay/></Flow>',
        b'<Response><Dial timeout="20"><Number sendDigits="1w2">+919876543210</Number>'
        b"<Number>sip:a@example.com</Number></Dial><Redirect>https://example.com/n</Redirect>"
        b"</Response>",
    ]
    return [d for d in found if not any(x.is_error for x in validate(d, dialect=dialect))]


def generated_seeds(count: int, seed: int, dialect: str = "legs") -> list[bytes]:
    """``count`` valid documents of ``dialect`` from ``exoml.testing``'s strategies
    (``flows``, compact and pretty; for bridges, ``documents``).

    Deterministic for a given ``seed`` (and hypothesis version).
    """
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as fixed_seed
    from hypothesis import strategies as st

    from exoml.testing import documents, flows

    found: list[bytes] = []
    if dialect == "bridge":
        made: st.SearchStrategy[Any] = documents("bridge", max_verbs=4)
    else:
        made = flows(max_verbs=4, dialect=dialect)  # type: ignore[call-overload]

    @fixed_seed(seed)
    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(made, st.booleans())
    def collect(made: Any, pretty: bool) -> None:
        if isinstance(made, str):
            found.append(made.encode())
        else:
            found.append(made.to_xml(pretty=pretty).encode())

    collect()
    return found

"""The three outputs of a run: the printed table, ``latest.json`` and ``performance.md``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .harness import RowResult, Spread, Target

HEADERS = (
    "comparison",
    "baseline",
    "exoml",
    "ratio (median)",
    "spread (p25–p75)",
    "target",
    "met?",
)


def cells(row: RowResult) -> tuple[str, ...]:
    if row.status != "ok" or row.ratio is None:
        state = row.status if row.status != "ok" else "no data"
        return (row.comparison, state, state, "—", "—", row.target.text, "—")
    r = row.ratio
    met = "yes" if row.met else "NO"
    return (
        row.comparison,
        row.baseline,
        row.exoml,
        f"{r.median:.2f}x",
        f"{r.p25:.2f}–{r.p75:.2f}",
        row.target.text,
        met,
    )


def text_table(rows: Sequence[RowResult]) -> str:
    """A plain-text table, aligned, with the notes below it."""
    body = [cells(r) for r in rows]
    widths = [max(len(h), *(len(c[i]) for c in body)) for i, h in enumerate(HEADERS)]
    sep = "  "
    lines = [sep.join(h.ljust(w) for h, w in zip(HEADERS, widths, strict=True)).rstrip()]
    lines.append(sep.join("-" * w for w in widths))
    for c in body:
        lines.append(sep.join(v.ljust(w) for v, w in zip(c, widths, strict=True)).rstrip())
    notes = [f"  {r.key}: {r.note}" for r in rows if r.note]
    if notes:
        lines += ["", "notes:", *notes]
    return "\n".join(lines) + "\n"


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|")


def markdown_table(rows: Sequence[RowResult]) -> str:
    lines = [
        "| " + " | ".join(HEADERS) + " |",
        "|" + "|".join("---" for _ in HEADERS) + "|",
    ]
    for r in rows:
        lines.append("| " + " | ".join(_md_escape(v) for v in cells(r)) + " |")
    return "\n".join(lines) + "\n"


def load_json(path: Path) -> tuple[dict[str, Any], list[RowResult]]:
    """Read back what :func:`write_json` wrote: the run's metadata and its rows."""
    data = json.loads(path.read_text(encoding="utf-8"))
    rows = []
    for r in data.pop("rows"):
        ratio = Spread(**r["ratio"]) if r.get("ratio") else None
        rows.append(RowResult(**{**r, "target": Target(**r["target"]), "ratio": ratio}))
    return data, rows


def write_json(path: Path, run: dict[str, Any], rows: Sequence[RowResult]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {**run, "rows": [r.to_json() for r in rows]}
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


# What each row measures and why its baseline does the same work. Kept here, beside the
# writer, so the published page always describes the code that produced its numbers.
EXPLAIN: dict[str, str] = {
    "build_twilio": (
        "Builds and serialises the representative flow (a `Say` with engine, language and "
        "voice; a `Gather` with `numDigits`, `timeoutInSec`, `finishOnKey` around a nested "
        "`Say`; a `StartPlay` with `loop`; a `Hangup`) from one of 64 input sets per "
        "iteration, to a string. The baseline builds the equivalent TwiML with Twilio's "
        "`VoiceResponse` (`say`, `gather` + nested `say`, `play` with `loop`, `hangup`) and "
        "serialises it with `to_xml()`. Before timing, every input set's two documents are "
        "parsed and compared: same elements (TwiML's `Response`/`Play` mapped to "
        "`Flow`/`StartPlay`), same texts, same shared attributes."
    ),
    "build_floor": (
        "The same exoml build, against a hand-written f-string that escapes every string "
        '(`&`, `<`, `>` in text, and `"` too in attributes) and checks nothing: the least '
        "work that can produce the document. Both take the inputs as one tuple. Before "
        "timing, exoml's and the floor's output are C14N-equal for all 64 input sets, and "
        "the builder must still refuse bad values through the same calls (loop 11, zero "
        "digits, two finish keys, blank or empty text, a NUL character, a bad language "
        "tag, an ftp URL, a misspelt keyword); the target counts as met only if it does."
    ),
    "validate": (
        "`exoml.validate(bytes)` on 2,000 documents of the corpus (every fifth file, the "
        "invalid ones included) vs an lxml parse with a hardened parser (no DTD, no "
        "entities, no network, as exoml's own) plus `XMLSchema.validate` against "
        "`schema/exoml.xsd`, compiled once outside the timing. Same bytes in memory for "
        "both. Before timing, both must reject exactly the documents the corpus made "
        "invalid."
    ),
    "lint": (
        "Whole processes over the 10,000-file corpus: `python -m exoml.lint corpus` "
        "(searching the directory itself) vs `xmllint --noout --schema schema/exoml.xsd` "
        "with every file named on one command line (split only if the argument limit "
        "demands it; the number of invocations is in `latest.json`). Both run in the same "
        "directory and write to files. Every run is checked: exoml must exit 1 and report "
        "exactly the invalid files, xmllint must say `validates` for exactly the others."
    ),
    "lint_j2": (
        "As the row above, with `-j 2` (two worker processes on this two-core machine), "
        "against the same single xmllint process."
    ),
    "lint_memory": (
        "The peak resident set size of the `python -m exoml.lint corpus` process over the "
        "10,000 files, read from `wait4` (`ru_maxrss`) for that process alone, every "
        "repetition; the largest is reported. xmllint's is shown for scale."
    ),
    "startup": (
        "Start-up: `python -m exoml.lint one.xml` on one typical clean file (a `Gather` "
        "around a `Say` prompt) vs "
        '`python -c "import lxml.etree"`, the same interpreter and environment, '
        "alternating whole processes after two warm-up runs of each. Both import from "
        "bytecode: the harness writes exoml's `.pyc` files with `compileall` first, as an "
        "installed copy has them and lxml has its own (a warm-up run writes none when "
        "`PYTHONDONTWRITEBYTECODE` is set). Linting a file cannot start faster than "
        "Python plus libxml2."
    ),
    "client_sequential": (
        "2,000 sequential `LegsClient.send(leg, document)` vs 2,000 "
        "`httpx.Client.post(url, json=body, auth=(key, token))` with a status check and "
        "`.json()` on the answer: what a hand-written client does. The baseline's body is "
        "the very JSON object the client sent (captured by the server), and the server "
        "proves afterwards that all requests of both sides had the same path, auth and "
        "body, and were accepted. A third side, `send(..., validate=False)`, runs in the "
        "same rotation, to tell the cost of checking the document from the rest of the "
        "client; each side's CPU time in this process is recorded too, a second view of "
        "the client's own cost."
    ),
    "client_async": (
        "`AsyncLegsClient.send` with 50 sends in flight (an `asyncio.Semaphore(50)` over "
        "`asyncio.gather`) vs the same client awaiting one send at a time, against a "
        "server that answers each request after 10 ms. Throughput ratio: sequential time "
        "over concurrent time for the same number of sends. The server records how many "
        "requests it held at once, so a client that serialises sends cannot pass. The "
        "sends go to 50 legs, one each in flight: the client serves the sends to one leg "
        "one at a time, as the API asks, so 50 in flight is 50 live calls. After the timed "
        "repetitions, a bare `httpx.AsyncClient` runs the same pattern against the same "
        "server: its rate is the HTTP stack's own ceiling on this machine, the context "
        "for exoml's figure (it is not part of the ratio)."
    ),
    "events_delivery": (
        "A correctness row. `FakeLegsAPI` generates 2,000 events (200 legs, five `Say` "
        "actions each) and delivers them, as Exotel does, to an `EventReceiver` under "
        "uvicorn on 127.0.0.1. A fault layer in front of the receiver fails the first "
        "attempt of one event in five (picked by its sid): half never reach the receiver, "
        "half are handled and then have their acknowledgement replaced by a 503, so "
        "Exotel's retry brings the same event again. The fake retries up to three times; "
        "the target is every event handled exactly once (0 lost, 0 handled twice). The "
        "ratio is the time to deliver and handle everything with the faults over the same "
        "run without them: what the retries cost."
    ),
    "receiver": (
        "One uvicorn process (`bench/exobench/receiverserver.py`, httptools and uvloop as "
        "`uvicorn[standard]` runs, on 127.0.0.1) serves every side at one path, the side "
        "being switched between bursts: `bare`, an ASGI app that reads the body and answers "
        "200, and `events`, an `EventReceiver` with basic auth and the default `MemoryDedup` "
        "whose `async def` handler counts each sid. The benchmark process is the client: 16 "
        "keep-alive connections (each an asyncio protocol on uvloop that writes its next "
        "request from the callback that read the answer) post Exotel-shaped events "
        "(Exotel's headers, Basic auth, a "
        "~570-byte `gather_success` body, a distinct `event_sid` each, over 50 legs) as fast "
        "as the answers come. Each block of 200 events is sent, byte for byte the same, to "
        "every side in turn (the order rotating); a burst's time runs from its first request "
        "to the later of the client reading the last answer and the server's last handler "
        "finishing (which the server notes on the monotonic clock both processes read), so "
        "the handlers' work counts against the receiver. The ratio is the median of the "
        "blocks' receiver/bare ratios "
        "(ten blocks per repetition), with their spread. After every burst, untimed, the "
        "server's counts prove that each event was answered 200 and accepted once, that the "
        "handler saw exactly the burst's sids, each once (a SHA-256 of the sorted sids), with "
        "no duplicate, refusal or handler failure, and that the bare app read every byte. A "
        "third side, `events-sync`, runs a plain-function handler on the receiver's threads "
        "(reported, not targeted)."
    ),
}

INPUTS = (
    "**The flow** (build rows): one of 64 input sets per iteration, the same every run "
    "(`bench/exobench/row_build.py`): greetings in English, Hindi and French, a quarter of "
    "the greetings, prompts and URLs holding characters that must be escaped (`&`, `<`, "
    "`>`, as in real prompts and parameterised media URLs), varying digits, timeouts, "
    "finish keys, loops, languages and voices. Building from varied inputs keeps any side "
    "from answering out of a cache of one document.\n\n"
    "**The corpus** (validate and lint rows): 10,000 files written from a fixed seed by "
    "`bench/exobench/corpus.py`, 20 directories of 500: each a `<Flow>` with one action "
    "(the API's advice, which the linter's EX501 warns about otherwise), drawn from all "
    "the verbs with their attributes (a third `Say`, a fifth each `StartPlay` and "
    "`Gather` with nested prompts, the rest the other verbs), a quarter with an XML "
    "declaration, two fifths indented over several lines. Ten files are invalid, one of "
    'each kind: a bound (`loop="11"`), an unknown verb, a classic `<Response>` '
    'with a TwiML voice, a missing required attribute, `numDigits="0"`, a bad `finishOnKey`, '
    "text in an empty verb, a document that is not well-formed, a bad enumeration value "
    "and an `https://` stream URL. The validate row uses every fifth file (2,000, the ten "
    "invalid ones among them).\n\n"
    "**The document sent** (client rows): the build rows' flow, as a string (about 300 bytes of "
    "JSON body). `LegsClient.send` checks a string with `exoml.validate` before sending "
    "(its default); the sequential row also times `send(..., validate=False)` as a third "
    "side, reported in `latest.json`, to tell the cost of that check from the rest.\n"
)

SERVER_CHOICE = (
    "The client rows use `bench/exobench/fastserver.py`, not `exoml.testing.FakeLegsAPI`. "
    "It runs in its own process, so it takes neither CPU time nor the GIL from the client "
    "under test (the fake runs a thread in the caller's process, so the sequential row "
    "would measure the fake as much as the client); it is a few dozen lines of asyncio, "
    "HTTP/1.1 with keep-alive, so its own cost per request is small and the same for both "
    "sides. It still checks what the API would: the path, Basic auth, a JSON object with "
    "an `exoml` string, and answers 202 with the documented body "
    '(`{"request_id": ..., "http_code": 202, "response": {"data": {"leg_sid": ...}}}`). '
    "For the async row it adds a fixed 10 ms delay, standing for the network and the API "
    "(a real round trip is longer, so the measured gain is a conservative one): with no "
    "latency at all there is nothing for concurrency to overlap, and the row would "
    "measure only CPU."
)


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def baseline_rates(rows: Sequence[RowResult]) -> list[str]:
    """The baselines' own speeds in this run, to set beside figures measured elsewhere."""
    by = {r.key: r for r in rows if r.status == "ok"}
    out: list[str] = []
    r = by.get("build_twilio")
    if r is not None:
        per = r.details["iterations_per_block"] * r.details["blocks"]
        rate = per / (_median(r.details["twilio_ns"]) / 1e9)
        out.append(f"Twilio's `VoiceResponse` built and serialised {rate:,.0f} flows a second")
    r = by.get("validate")
    if r is not None:
        docs = r.details["documents"] * r.details.get("blocks", 1)
        rate = docs / (_median(r.details["floor_ns"]) / 1e9)
        out.append(f"lxml parse + XSD validation ran {rate:,.0f} documents a second in memory")
    r = by.get("lint")
    if r is not None:
        rate = r.details["files"] / (_median(r.details["xmllint_ns"]) / 1e9)
        out.append(f"xmllint validated {rate:,.0f} files a second, start-up included")
    r = by.get("startup")
    if r is not None:
        ms = _median(r.details["baseline_ns"]) / 1e6
        out.append(f'`python -c "import lxml.etree"` took {ms:.1f} ms')
    return out


def _machine_table(machine: dict[str, Any]) -> str:
    lines = ["| | |", "|---|---|"]
    for k, v in machine.items():
        if k == "python_executable":
            continue
        lines.append(f"| {k} | {_md_escape(str(v))} |")
    return "\n".join(lines) + "\n"


def markdown_page(run: dict[str, Any], rows: Sequence[RowResult]) -> str:
    machine = run["machine"]
    out: list[str] = []
    out.append("# Performance\n")
    out.append(
        "<!-- Generated by `make bench` (bench/run.py). Edit bench/exobench/report.py, "
        "not this file. -->\n"
    )
    out.append(
        "Each row compares exoml with a baseline **measured in the same run**, side by "
        "side: the two alternate repetition by repetition (A B, B A, ...), so a slow "
        "moment of the machine falls on both. The ratio is the median of the "
        "per-repetition ratios; the spread is their interquartile range (the minimum and "
        "maximum are in `bench/results/latest.json`, with every raw timing). Absolute "
        "times are shown for orientation only; they move with the machine, the ratios "
        "much less.\n"
    )
    mode = "quick (smoke) run" if run.get("quick") else "full run"
    load = run.get("load_average_1min") or {}
    load_text = ""
    if load.get("before") is not None and load.get("after") is not None:
        load_text = (
            f", 1-minute load average {load['before']:.2f} before and {load['after']:.2f} "
            "after (on this two-core machine, anything near 2 means other work was running)"
        )
    out.append(
        f"Latest {mode}: {run['generated']}, {run['elapsed_s']:.0f} s, commit "
        f"`{machine.get('commit', '?')}`{load_text}.\n"
    )
    out.append(markdown_table(rows))
    rates = baseline_rates(rows)
    if rates:
        out.append(
            "\nFor scale, in this run " + "; ".join(rates) + ". Figures taken on another "
            "day or machine differ in absolute terms; the ratios above are what to compare."
        )
    notes = [r for r in rows if r.note]
    if notes:
        out.append("\nNotes from this run:\n")
        for r in notes:
            out.append(f"- **{r.key}**: {_md_escape(r.note)}")
        out.append("")
    missed = [r for r in rows if r.met is False and r.ratio is not None]
    if missed:
        out.append("\n## Targets missed in this run\n")
        for r in missed:
            out.append(f"- **{r.comparison}**: {shortfall(r)}.{bound_note(r, rows)}")
        out.append(
            "\nEach missed row's profile, taken in the same run (cProfile, own time), is "
            "under *What each row measures* below."
        )
    out.append("\n## The machine\n")
    out.append(_machine_table(machine))
    out.append("\n## How to reproduce\n")
    out.append(
        "```sh\n"
        "make bench                               # everything, about two minutes here\n"
        "make bench BENCH_ARGS=--quick            # a smoke run of every row, seconds\n"
        ".venv/bin/python bench/run.py --rows lint,startup   # some rows only\n"
        ".venv/bin/python bench/run.py --list     # the row keys\n"
        "```\n\n"
        "`make bench` installs the `bench` extra (Twilio's SDK, used only here, never a "
        "runtime dependency), writes a deterministic corpus of 10,000 small ExoML files "
        "(ten of them invalid, one of each kind of mistake) under `bench/.work/` "
        "(git-ignored), runs every row, prints the table and rewrites "
        "`bench/results/latest.json` and this page. A quick run writes to "
        "`bench/.work/quick/` instead, so it never replaces the published figures, and so "
        "does a run of some rows (`bench/.work/partial/`) or one in which a check failed "
        "(`bench/.work/failed/`). "
        "xmllint comes from Debian's `libxml2-utils`; without it the lint rows say "
        "`not available`, and so does any row whose part of exoml is missing.\n"
    )
    out.append("\n## The inputs\n")
    out.append(INPUTS)
    out.append("\n## What each row measures\n")
    for r in rows:
        out.append(f"### {r.comparison}\n")
        out.append(EXPLAIN.get(r.key, "") + "\n")
        out.append(f"Ratio: {r.ratio_meaning}. Target: {r.target.text}.\n")
        if r.checks:
            out.append("Verified in this run:\n")
            out.extend(f"- {_md_escape(c)}" for c in r.checks)
            out.append("")
        if r.context:
            out.append("Also measured in this run:\n")
            out.extend(f"- {_md_escape(c)}" for c in r.context)
            out.append("")
        if r.ratio is not None:
            out.append(
                f"Per-repetition ratios: min {r.ratio.low:.2f}, max {r.ratio.high:.2f}, "
                f"over {r.ratio.n} repetitions.\n"
            )
        profile = r.details.get("profile")
        if profile:
            what = "imports" if r.key == "startup" else "exoml's side"
            out.append(f"Profile of {what} in this run:\n")
            out.append("```text\n" + "\n".join(profile) + "\n```\n")
    out.append("\n## Why this local server\n")
    out.append(SERVER_CHOICE + "\n")
    page = "\n".join(out).rstrip() + "\n"
    while "\n\n\n" in page:
        page = page.replace("\n\n\n", "\n\n")
    return page


def bound_note(row: RowResult, rows: Sequence[RowResult]) -> str:
    """For the Twilio row: what its target means next to the floor measured in this run."""
    if row.key != "build_twilio":
        return ""
    floor = next((r for r in rows if r.key == "build_floor" and r.status == "ok"), None)
    if floor is None or "floor_ns" not in floor.details:
        return ""
    per_t = row.details["iterations_per_block"] * row.details["blocks"]
    per_f = floor.details["iterations_per_block"] * floor.details["blocks"]
    twilio = _median(row.details["twilio_ns"]) / per_t
    bound = twilio / row.target.value
    floor_ns = _median(floor.details["floor_ns"]) / per_f
    return (
        f" Here {row.target.value:g}x Twilio means at most {bound / 1000:.2f} µs a flow, "
        f"{bound / floor_ns:.1f}x the f-string floor's {floor_ns / 1000:.2f} µs measured in "
        "the same run: a tighter bound than the floor row's own target."
    )


def shortfall(row: RowResult) -> str:
    """How far a row is from its target, in words."""
    assert row.ratio is not None
    t = row.target
    if t.on == "exoml":
        return f"exoml {row.exoml} against {t.text}"
    x = row.ratio.median
    if t.op == ">=":
        return f"{x:.2f}x against {t.value:g}x: exoml needs to be {t.value / x:.2f}x faster"
    if x > t.value:
        return f"{x:.2f}x against {t.value:g}x: exoml needs to be {x / t.value:.2f}x faster"
    return f"{x:.2f}x is within {t.value:g}x, but a condition of the target failed ({row.note})"


def write_markdown(path: Path, run: dict[str, Any], rows: Sequence[RowResult]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(markdown_page(run, rows), encoding="utf-8")

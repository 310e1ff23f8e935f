"""The long fuzzing campaign behind ``make fuzz``; prints the counts it reached.

Three parts, each bounded:

1. **differential**: mutants of valid documents (``tests/differential/_mutants.py``),
   each judged by ``exoml.validate``, the engine's rule walk, lxml's XSD validator,
   xmlschema and (in batches) xmllint. A disagreement not in ``EXPLAINED`` is a finding.
2. **parse and check**: random and corrupted bytes through ``check_bytes`` and
   ``Flow.parse``: neither may raise anything but ``ExomlError`` (from ``Flow.parse``),
   diagnostics must be well-formed, a clean document must parse back to itself, and
   no input may take more than a second.
3. **coverage-guided**: ``atheris_target.py`` under libFuzzer for a fixed time, when
   atheris is installed (``pip install -e '.[fuzz]'``); skipped, and said so, when not.

Findings are written to a temporary directory, named in the output, as ``Regression``
lines ready for ``tests/differential/regressions.py``. Exit status 1 when there are
findings or crashes. ``--report docs/reliability.md`` writes the counts into that page.

    python tests/fuzz/campaign.py --mutants 1000000 --atheris-seconds 3600
"""

from __future__ import annotations

import argparse
import importlib.util
import multiprocessing
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

ROOT_DIR = Path(__file__).resolve().parents[2]
if str(ROOT_DIR) not in sys.path:  # run as a script: make ``tests`` importable
    sys.path.insert(0, str(ROOT_DIR))

from exoml import ExomlError, Flow  # noqa: E402
from exoml._check import check_bytes  # noqa: E402
from exoml.classic import Response  # noqa: E402
from tests.differential._judges import (  # noqa: E402
    Judges,
    explanation,
    xmllint,
    xmllint_explained,
    xmllint_verdicts,
)
from tests.differential._mutants import (  # noqa: E402
    Mutant,
    corpus_seeds,
    generated_seeds,
    mutate,
)
from tests.hostile._inputs import random_bytes, report_problem, small_cases  # noqa: E402

XMLLINT_BATCH = 2_000
#: Percent of the differential mutants per dialect.
DIALECT_SHARES = {"legs": 60, "classic": 25, "bridge": 15}
SLOW_SECONDS = 1.0
REPORT_BEGIN = "<!-- fuzz-counts:begin (written by tests/fuzz/campaign.py) -->"
REPORT_END = "<!-- fuzz-counts:end -->"


class Finding(NamedTuple):
    """A mutant the judges disagree on, or an input that crashed a check."""

    kind: str
    data: bytes
    detail: str


class Shard(NamedTuple):
    """One worker's share of the differential part."""

    number: int
    seed: int
    mutants: int
    seeds: list[bytes]
    use_xmllint: bool
    dialect: str = "legs"


class ShardResult(NamedTuple):
    counts: Counter[str]
    findings: list[Finding]


def _differential(shard: Shard) -> ShardResult:
    rng = random.Random(shard.seed * 1_000 + shard.number)
    judges = Judges(dialect=shard.dialect)
    counts: Counter[str] = Counter()
    findings: list[Finding] = []
    batch: list[tuple[Mutant, bool]] = []

    def lint_batch() -> None:
        if not batch:
            return
        verdicts = xmllint_verdicts([m.data for m, _ in batch], judges.xsd_path)
        for (mutant, lxml), says in zip(batch, verdicts, strict=True):
            counts["xmllint judged"] += 1
            if says != lxml and xmllint_explained(mutant.data, says, lxml):
                counts["explained: xmllint and CDATA"] += 1
            elif says != lxml:
                counts["xmllint disagreements"] += 1
                findings.append(Finding("xmllint", mutant.data, f"xmllint={says} lxml={lxml}"))
        batch.clear()

    for i in range(shard.mutants):
        mutant = mutate(shard.seeds[i % len(shard.seeds)], rng)
        counts["mutants"] += 1
        try:
            v = judges.judge(mutant.data)
        except Exception:
            counts["crashes"] += 1
            findings.append(Finding("crash", mutant.data, traceback.format_exc(limit=6)))
            continue
        counts["invalid" if v.lxml else "valid"] += 1
        if not v.agree:
            why = explanation(mutant.data, v)
            if why is None:
                counts["disagreements"] += 1
                detail = f"{mutant.operations} {v._replace(diagnostics=())} codes={v.codes}"
                findings.append(Finding("disagreement", mutant.data, detail))
            else:
                counts[f"explained: {why.name}"] += 1
        if shard.use_xmllint:
            batch.append((mutant, v.lxml))
            if len(batch) >= XMLLINT_BATCH:
                lint_batch()
    lint_batch()
    return ShardResult(counts, findings)


def run_differential(
    mutants: int, seed: int, generated: int, jobs: int, use_xmllint: bool
) -> ShardResult:
    shards: list[Shard] = []
    seed_count = 0
    # Every dialect, in proportion to its vocabulary: most mutants are leg actions.
    for dialect, share in DIALECT_SHARES.items():
        count = mutants * share // 100
        made = max(1, generated * share // 100)
        seeds = corpus_seeds(dialect) + generated_seeds(made, seed, dialect)
        seed_count += len(seeds)
        per = [count // jobs + (1 if i < count % jobs else 0) for i in range(jobs)]
        shards += [
            Shard(len(shards) + i, seed, n, seeds, use_xmllint, dialect)
            for i, n in enumerate(per)
            if n
        ]
    if jobs == 1:
        results = [_differential(s) for s in shards]
    else:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            results = pool.map(_differential, shards)
    counts: Counter[str] = Counter()
    findings: list[Finding] = []
    for r in results:
        counts.update(r.counts)
        findings.extend(r.findings)
    counts["seeds"] = seed_count
    return ShardResult(counts, findings)


# --- parse and check -----------------------------------------------------------------


def _corrupt(data: bytes, rng: random.Random) -> bytes:
    """Byte-level damage: flips, cuts, insertions and splices."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        roll = rng.random()
        pos = rng.randrange(len(out) + 1)
        if roll < 0.3 and out:
            out[min(pos, len(out) - 1)] = rng.randrange(256)
        elif roll < 0.5:
            del out[pos:]
        elif roll < 0.8:
            out[pos:pos] = rng.choice(
                [b"<", b">", b"&", b"]]>", b"<!--", b"\xef\xbb\xbf", b"\x00", b"\xc3", b"'", b'"']
            )
        else:
            other = rng.randrange(len(out) + 1)
            out[pos:pos] = out[other : other + rng.randrange(1, 40)]
    return bytes(out)


def check_one(data: bytes) -> str | None:
    """Run the parse-and-check invariants on ``data``; the broken one, or None."""
    broken = report_problem(data)
    if broken is not None:
        return broken
    report = check_bytes(data)
    # The root decided the dialect: a <Response> is classic, parsed by its own builder.
    classic = report.root is not None and report.root.tag == "Response"
    parse: Any = Response.parse if classic else Flow.parse
    try:
        flow = parse(data)
    except ExomlError:
        if report.ok:
            return "parse refused a clean document"
        return None
    if not report.ok:
        return "parse accepted a document with errors"
    if parse(flow.to_xml()) != flow or parse(flow.to_xml(pretty=True)) != flow:
        return "a parsed document does not survive its own round trip"
    return None


def run_parse_and_check(count: int, seed: int, slow_seconds: float = SLOW_SECONDS) -> ShardResult:
    rng = random.Random(seed)
    seeds = corpus_seeds() + [c.data for c in small_cases()]
    counts: Counter[str] = Counter()
    findings: list[Finding] = []
    for i in range(count):
        if i % 3 == 0:
            data = random_bytes(rng, rng.randrange(0, 600))
        else:
            data = _corrupt(rng.choice(seeds), rng)
        counts["inputs"] += 1
        start = time.perf_counter()
        try:
            broken = check_one(data)
        except Exception:
            counts["crashes"] += 1
            findings.append(Finding("crash", data, traceback.format_exc(limit=6)))
            continue
        if time.perf_counter() - start > slow_seconds:
            counts["slow"] += 1
            findings.append(Finding("slow", data, f"over {slow_seconds:g} s"))
        if broken is not None:
            counts["invariant failures"] += 1
            findings.append(Finding("invariant", data, broken))
    return ShardResult(counts, findings)


# --- coverage-guided -----------------------------------------------------------------

_DONE = re.compile(r"Done (\d+) runs in (\d+) second")
_STATUS = re.compile(r"#(\d+)\s+(?:DONE|pulse|NEW|REDUCE)\s+cov: (\d+)")


def run_atheris(seconds: int, seed: int, workdir: Path) -> ShardResult:
    counts: Counter[str] = Counter()
    if seconds <= 0:
        counts["skipped"] = 1
        return ShardResult(counts, [])
    if importlib.util.find_spec("atheris") is None:
        counts["skipped"] = 1
        return ShardResult(counts, [])
    corpus = workdir / "corpus"
    corpus.mkdir()
    rng = random.Random(seed)
    seeds = corpus_seeds()
    for i, data in enumerate(seeds + [c.data for c in small_cases()][:60]):
        (corpus / f"seed{i:04}").write_bytes(data)
    for i in range(200):
        (corpus / f"mutant{i:04}").write_bytes(mutate(rng.choice(seeds), rng).data)
    artifacts = workdir / "crashes"
    artifacts.mkdir()
    command = [
        sys.executable,
        str(Path(__file__).with_name("atheris_target.py")),
        f"-max_total_time={seconds}",
        f"-seed={seed}",
        "-max_len=8192",
        "-timeout=10",
        "-rss_limit_mb=2048",
        f"-artifact_prefix={artifacts}/",
        "-print_final_stats=1",
        str(corpus),
    ]
    run = subprocess.run(
        command, capture_output=True, text=True, errors="replace", timeout=seconds + 300
    )
    log = run.stdout + run.stderr
    done = _DONE.search(log)
    statuses = _STATUS.findall(log)
    counts["executions"] = int(done.group(1)) if done else int(statuses[-1][0]) if statuses else 0
    counts["coverage"] = int(statuses[-1][1]) if statuses else 0
    findings: list[Finding] = []
    if run.returncode != 0:
        counts["crashes"] += 1
        crash = next(iter(sorted(artifacts.iterdir())), None)
        data = crash.read_bytes() if crash else b""
        findings.append(Finding("atheris", data, log[-3000:]))
    return ShardResult(counts, findings)


# --- reporting -------------------------------------------------------------------------


def _write_findings(findings: Sequence[Finding]) -> Path:
    out = Path(tempfile.mkdtemp(prefix="exoml-fuzz-findings-"))
    lines = []
    for i, f in enumerate(findings):
        (out / f"{i:04}-{f.kind}.xml").write_bytes(f.data)
        (out / f"{i:04}-{f.kind}.txt").write_text(f.detail)
        lines.append(f"    Regression({f'{f.kind} {i}'!r}, {f.data!r}),")
    (out / "regressions.txt").write_text("\n".join(lines) + "\n")
    return out


def _summary(args: argparse.Namespace, parts: dict[str, ShardResult], seconds: float) -> str:
    diff, parse, fuzz = parts["differential"].counts, parts["parse"].counts, parts["atheris"]
    explained = sorted(
        (k[len("explained: ") :], n) for k, n in diff.items() if k.startswith("explained: ")
    )
    crashes = diff["crashes"] + parse["crashes"] + fuzz.counts["crashes"]
    rows = [
        ("mutants tried", f"{diff['mutants']:,}"),
        ("  from seed documents", f"{diff['seeds']:,}"),
        ("  valid / invalid", f"{diff['valid']:,} / {diff['invalid']:,}"),
        ("  judged by xmllint too", f"{diff['xmllint judged']:,}"),
        (
            "disagreements (unexplained)",
            f"{diff['disagreements'] + diff['xmllint disagreements']:,}",
        ),
        *((f"  explained: {name}", f"{n:,}") for name, n in explained),
        ("parse-and-check inputs", f"{parse['inputs']:,}"),
        ("  invariant failures", f"{parse['invariant failures']:,}"),
        (f"  slower than {args.slow_seconds:g} s", f"{parse['slow']:,}"),
    ]
    if fuzz.counts["skipped"]:
        rows.append(("coverage-guided (atheris)", "skipped: atheris is not installed"))
    else:
        rows.append(("coverage-guided executions", f"{fuzz.counts['executions']:,}"))
        rows.append(("  coverage (libFuzzer features)", f"{fuzz.counts['coverage']:,}"))
    rows.append(("crashes", f"{crashes:,}"))
    rows.append(("seed, wall time", f"{args.seed}, {seconds:.0f} s"))
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)


def _update_report(path: Path, summary: str, args: argparse.Namespace) -> None:
    text = path.read_text(encoding="utf-8")
    if REPORT_BEGIN not in text or REPORT_END not in text:
        print(f"{path}: no fuzz-counts markers; not updated", file=sys.stderr)
        return
    command = "make fuzz" + (f" FUZZ_ARGS='{args.args_text}'" if args.args_text else "")
    day = time.strftime("%Y-%m-%d")
    block = f"{REPORT_BEGIN}\n\n`{command}`, on {day}:\n\n```text\n{summary}\n```\n\n{REPORT_END}"
    head, rest = text.split(REPORT_BEGIN, 1)
    _, tail = rest.split(REPORT_END, 1)
    path.write_text(head + block + tail, encoding="utf-8")
    print(f"wrote the counts into {path}")


def _without_report(given: list[str]) -> list[str]:
    """The options as given, less ``--report`` (shown in the page it writes)."""
    shown: list[str] = []
    skip = False
    for arg in given:
        if skip:
            skip = False
        elif arg == "--report":
            skip = True
        elif not arg.startswith("--report="):
            shown.append(arg)
    return shown


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--mutants", type=int, default=100_000, help="differential mutants")
    parser.add_argument("--seeds", type=int, default=1_000, help="generated seed documents")
    parser.add_argument("--inputs", type=int, default=50_000, help="parse-and-check inputs")
    parser.add_argument("--atheris-seconds", type=int, default=60, help="0 to skip")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the campaign")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--no-xmllint", action="store_true", help="do not run xmllint")
    parser.add_argument(
        "--slow-seconds",
        type=float,
        default=SLOW_SECONDS,
        help="a parse-and-check input slower than this is a finding",
    )
    parser.add_argument("--report", type=Path, help="write the counts into this Markdown page")
    given = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(given)
    args.args_text = " ".join(_without_report(given))
    start = time.monotonic()
    use_xmllint = not args.no_xmllint and xmllint() is not None
    print(f"differential: {args.mutants:,} mutants on {args.jobs} worker(s)", flush=True)
    parts = {
        "differential": run_differential(
            args.mutants, args.seed, args.seeds, max(1, args.jobs), use_xmllint
        )
    }
    print(f"parse and check: {args.inputs:,} inputs", flush=True)
    parts["parse"] = run_parse_and_check(args.inputs, args.seed, args.slow_seconds)
    with tempfile.TemporaryDirectory(prefix="exoml-atheris-") as tmp:
        if importlib.util.find_spec("atheris") is None:
            print("coverage-guided: skipped (atheris is not installed)", flush=True)
        else:
            print(f"coverage-guided: atheris for {args.atheris_seconds} s", flush=True)
        parts["atheris"] = run_atheris(args.atheris_seconds, args.seed, Path(tmp))
    summary = _summary(args, parts, time.monotonic() - start)
    print("\n" + summary)
    findings = [f for p in parts.values() for f in p.findings]
    if findings:
        print(f"\n{len(findings)} finding(s) written to {_write_findings(findings)}")
    if args.report is not None:
        _update_report(args.report, summary, args)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())

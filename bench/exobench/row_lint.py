"""``python -m exoml.lint DIR`` vs ``xmllint --schema`` over the same 10,000 files.

Whole processes, alternating. xmllint gets every file on one command line (split only
if the system's argument limit demands it) so it pays its start-up once, as exoml does;
both run in the same directory, write to files, and must flag the same invalid files.
The peak RSS of each process comes from ``wait4``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from .corpus import Corpus
from .harness import (
    CheckFailed,
    Context,
    ProcessRun,
    RowResult,
    Target,
    fmt_time,
    median_seconds,
    peak_rss,
    profile_process,
    run_process,
)
from .row_validate import schema_file, schema_is_real

_DIAGNOSTIC = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d+)\b")
_XMLLINT_OK = re.compile(r"^(?P<path>\S+) validates$")
_CHECKED = re.compile(r"\((?P<n>[\d,]+) files? checked\)")


def files_checked(run: ProcessRun) -> int | None:
    """The count in the text format's summary line ("(10000 files checked)"), if any."""
    m = _CHECKED.search(run.stdout)
    return int(m["n"].replace(",", "")) if m else None


def chunk_args(prefix: Sequence[str], files: Sequence[str], env: dict[str, str]) -> list[list[str]]:
    """Split ``prefix + files`` into as few command lines as the argument limit allows."""
    try:
        arg_max = os.sysconf("SC_ARG_MAX")
    except (ValueError, OSError):
        arg_max = 131072
    env_size = sum(len(k) + len(v) + 2 + 8 for k, v in env.items())
    budget = min(arg_max, 1 << 21) - env_size - sum(len(p) + 9 for p in prefix) - 16384
    if budget <= 0:
        raise CheckFailed("no room for arguments")
    chunks: list[list[str]] = []
    current: list[str] = []
    used = 0
    for f in files:
        cost = len(f.encode()) + 1 + 8  # the string, its NUL, its pointer
        if current and used + cost > budget:
            chunks.append([*prefix, *current])
            current, used = [], 0
        current.append(f)
        used += cost
    if current:
        chunks.append([*prefix, *current])
    return chunks


def lint_available(ctx: Context) -> str | None:
    """None when ``python -m exoml.lint`` can run, else why not."""
    probe = subprocess.run(
        [ctx.python, "-c", "import exoml.lint"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=ctx.env(),
    )
    if probe.returncode != 0:
        last = (probe.stderr.strip().splitlines() or ["?"])[-1]
        return f"exoml.lint is not importable yet ({last})"
    # Timed processes import exoml from bytecode, as an installed copy would.
    ctx.compile_package()
    return None


def flagged_by_exoml(run: ProcessRun, cwd: Path) -> set[str]:
    """The files that ``exoml.lint``'s text output reports, relative to ``cwd``."""
    out: set[str] = set()
    for line in run.stdout.splitlines():
        m = _DIAGNOSTIC.match(line)
        if m:
            path = m["path"]
            if os.path.isabs(path):
                path = os.path.relpath(path, cwd)
            out.add(os.path.normpath(path).replace(os.sep, "/"))
    return out


def flagged_by_xmllint(stderr: str, files: Sequence[str]) -> set[str]:
    """The files xmllint did not say ``validates`` for."""
    ok = {m["path"] for m in map(_XMLLINT_OK.match, stderr.splitlines()) if m}
    return {os.path.normpath(f) for f in files} - {os.path.normpath(p) for p in ok}


class _Sides:
    """The three commands of the lint rows and the verification of each run."""

    def __init__(self, ctx: Context, corpus: Corpus, xmllint: str, xsd: Path) -> None:
        self.ctx = ctx
        self.corpus = corpus
        self.cwd = corpus.root.parent
        self.env = ctx.env()
        self.out = ctx.work / "out"
        self.xmllint_cmds = chunk_args(
            [xmllint, "--noout", "--schema", str(xsd)], corpus.files, self.env
        )
        dirname = corpus.root.name
        self.lint_cmd = [ctx.python, "-m", "exoml.lint", dirname]
        self.lint_j2_cmd = [ctx.python, "-m", "exoml.lint", "-j", "2", dirname]
        self.expected = set(corpus.invalid)
        self.count_seen = False  # whether the last lint run's summary gave a file count

    def xmllint(self) -> ProcessRun:
        total_ns, stderr, worst = 0, [], 0
        for i, cmd in enumerate(self.xmllint_cmds):
            run = run_process(cmd, cwd=self.cwd, out_dir=self.out / f"xmllint{i}", env=self.env)
            total_ns += run.wall_ns
            stderr.append(run.stderr)
            worst = max(worst, run.returncode)
        err = "".join(stderr)
        flagged = flagged_by_xmllint(err, self.corpus.files)
        if flagged != self.expected:
            raise CheckFailed(
                f"xmllint flagged {len(flagged)} files, expected {len(self.expected)}: "
                f"{sorted(flagged ^ self.expected)[:3]}"
            )
        if worst == 0:
            raise CheckFailed("xmllint exited 0 on a corpus with invalid files")
        return ProcessRun(worst, total_ns, "", err)

    def lint(self, cmd: list[str], tag: str) -> tuple[ProcessRun, set[str]]:
        run = run_process(cmd, cwd=self.cwd, out_dir=self.out / tag, env=self.env)
        if run.returncode != 1:
            tail = (run.stderr.strip().splitlines() or [""])[-1]
            raise CheckFailed(f"{' '.join(cmd[1:])} exited {run.returncode}, expected 1: {tail}")
        checked = files_checked(run)
        self.count_seen = checked is not None
        if checked is not None and checked != len(self.corpus.files):
            raise CheckFailed(f"exoml.lint checked {checked} files, not {len(self.corpus.files)}")
        return run, flagged_by_exoml(run, self.cwd)


def run(ctx: Context) -> list[RowResult]:
    n = ctx.corpus_size
    one = RowResult(
        key="lint",
        comparison=f"python -m exoml.lint DIR ({n:,} files) vs xmllint --schema, one process",
        baseline_name="xmllint --noout --schema schema/exoml.xsd FILE...",
        ratio_meaning="exoml time / xmllint time",
        target=Target("<=", 2.0, "within 2x"),
    )
    two = RowResult(
        key="lint_j2",
        comparison=f"python -m exoml.lint -j 2 DIR ({n:,} files) vs xmllint --schema",
        baseline_name="xmllint --noout --schema schema/exoml.xsd FILE...",
        ratio_meaning="exoml -j 2 time / xmllint time",
        target=Target("<=", 1.2, "within 1.2x"),
    )
    memory = RowResult(
        key="lint_memory",
        comparison=f"peak memory linting {n:,} files (python -m exoml.lint DIR)",
        baseline_name="xmllint's peak RSS over the same files (for scale)",
        ratio_meaning="exoml peak RSS / xmllint peak RSS",
        target=Target("<", 100.0, "< 100 MB", on="exoml"),
    )
    rows = ctx.register(one, two, memory)

    def unavailable(why: str) -> list[RowResult]:
        for row in rows:
            row.status, row.note = "not available", why
        return rows

    xmllint = shutil.which("xmllint")
    if xmllint is None:
        return unavailable("xmllint is not installed (Debian: libxml2-utils)")
    xsd = schema_file(ctx)
    if not schema_is_real(xsd):
        return unavailable(f"{xsd.name} is still a placeholder")
    why = lint_available(ctx)
    if why:
        return unavailable(why)

    corpus = ctx.corpus()
    sides = _Sides(ctx, corpus, xmllint, xsd)
    files = len(corpus.files)
    for row in rows:
        row.details["files"] = files
        row.details["xmllint_invocations"] = len(sides.xmllint_cmds)

    # Warm-up (page cache, .pyc files) and the full check of each side's findings.
    sides.xmllint()
    mismatch: dict[str, list[str]] = {}
    for row, cmd, tag in ((one, sides.lint_cmd, "lint"), (two, sides.lint_j2_cmd, "lint-j2")):
        try:
            _, flagged = sides.lint(cmd, tag)
        except CheckFailed as exc:
            row.status, row.note = "error", str(exc)
            if row is one:
                memory.status, memory.note = "error", str(exc)
            continue
        if flagged != sides.expected:
            mismatch[row.key] = sorted(flagged ^ sides.expected)
            row.note = (
                f"exoml.lint flagged {len(flagged)} files, xmllint {len(sides.expected)}; "
                f"they differ on {len(mismatch[row.key])}, e.g. {mismatch[row.key][:2]}"
            )
            row.details["disagreements"] = mismatch[row.key][:50]
        else:
            counted = f", and says it checked all {files}" if sides.count_seen else ""
            row.checks.append(
                f"flags exactly the {len(sides.expected)} invalid files xmllint flags, "
                f"exit 1{counted} (every run)"
            )
    for row in rows:
        if row.status == "ok":
            row.checks.append(
                f"xmllint says 'validates' for the {files - len(sides.expected)} valid files "
                "and not for the invalid ones"
            )
    live = [
        (row, cmd, tag)
        for row, cmd, tag in ((one, sides.lint_cmd, "lint"), (two, sides.lint_j2_cmd, "lint-j2"))
        if row.status == "ok"
    ]
    if not live:
        return rows

    reps = ctx.reps(11, 2)
    t_x: list[int] = []
    t_side: dict[str, list[int]] = {row.key: [] for row, _, _ in live}
    runners: list[tuple[str, list[str] | None, str]] = [("xmllint", None, "xmllint")]
    runners += [(row.key, cmd, tag) for row, cmd, tag in live]
    for rep in range(reps):
        k = rep % len(runners)
        for key, argv, tag in runners[k:] + runners[:k]:  # rotate who goes first
            if argv is None:
                xr = sides.xmllint()
                t_x.append(xr.wall_ns)
            else:
                lr, flagged = sides.lint(argv, tag)
                if flagged != sides.expected and key not in mismatch:
                    raise CheckFailed(f"{tag}: findings changed between runs")
                t_side[key].append(lr.wall_ns)

    for row, _, _ in live:
        times = t_side[row.key]
        row.baseline = fmt_time(median_seconds(t_x))
        row.exoml = fmt_time(median_seconds(times))
        row.details.update(
            exoml_ns=times,
            xmllint_ns=t_x,
            exoml_per_file=fmt_time(median_seconds(times, files)),
            xmllint_per_file=fmt_time(median_seconds(t_x, files)),
        )
        row.finish(
            [e / x for e, x in zip(times, t_x, strict=True)], extra_ok=row.key not in mismatch
        )

    if one.status == "ok":
        measure_memory(ctx, sides, memory)
    if not ctx.quick and any(row.met is False for row, _, _ in live):
        profile = profile_process(
            ctx.python,
            sides.lint_cmd[1:],
            cwd=sides.cwd,
            out_dir=sides.out / "profile",
            env=sides.env,
        )
        for row, _, _ in live:
            if row.met is False:
                row.details["profile"] = profile
    return rows


def measure_memory(ctx: Context, sides: _Sides, row: RowResult) -> None:
    """Peak RSS of one lint process over the corpus, and of xmllint, alternating."""
    env, out = sides.env, sides.out / "rss"
    true = shutil.which("true") or "/bin/true"
    floor_kb, _ = peak_rss([true], python=ctx.python, cwd=sides.cwd, out_dir=out, env=env)
    rss: list[int] = []
    rss_x: list[int] = []
    for rep in range(ctx.reps(3, 1)):
        for side in ("lint", "xmllint") if rep % 2 == 0 else ("xmllint", "lint"):
            if side == "lint":
                kb, code = peak_rss(
                    sides.lint_cmd, python=ctx.python, cwd=sides.cwd, out_dir=out, env=env
                )
                if code != 1:
                    raise CheckFailed(f"exoml.lint exited {code} under the RSS spawner")
                rss.append(kb)
            else:
                # With several invocations (a huge corpus), the largest one counts.
                peaks = [
                    peak_rss(cmd, python=ctx.python, cwd=sides.cwd, out_dir=out, env=env)[0]
                    for cmd in sides.xmllint_cmds
                ]
                rss_x.append(max(peaks))
    peak_mb = max(rss) / 1024
    row.baseline = f"{max(rss_x) / 1024:.1f} MB"
    row.exoml = f"{peak_mb:.1f} MB"
    row.details.update(exoml_maxrss_kb=rss, xmllint_maxrss_kb=rss_x, spawner_floor_kb=floor_kb)
    row.checks.append(
        "peak RSS (ru_maxrss from wait4) of the lint process itself, forked from a small "
        f"spawner whose own size, {floor_kb / 1024:.1f} MB, is the floor of the reading"
    )
    row.finish([e / x for e, x in zip(rss, rss_x, strict=True)], exoml_value=peak_mb)

"""The client rows: ``LegsClient.send`` vs raw ``httpx``, and async concurrency.

Both sides of each row hit the same local server (``fastserver.py``, in its own process,
on 127.0.0.1) with the same path, the same Basic auth and the same JSON body; the server
counts every distinct request it receives, so after the run the harness proves that every
request of both sides was identical and accepted.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .corpus import TYPICAL
from .harness import (
    CheckFailed,
    Context,
    NotAvailable,
    RowResult,
    Target,
    alternate_many,
    fmt_time,
    median_seconds,
    profile_call,
)

ACCOUNT_SID = "benchaccount"
API_KEY = "bench-key"
API_TOKEN = "bench-token"
LEG_SID = "leg-0123456789abcdef"
DOCUMENT = TYPICAL.strip()


@contextlib.contextmanager
def local_server(delay_ms: float, max_seconds: float = 600.0) -> Iterator[str]:
    """Run ``fastserver.py`` in its own process; yield its base URL."""
    script = Path(__file__).with_name("fastserver.py")
    proc = subprocess.Popen(
        [
            sys.executable,
            str(script),
            "--account-sid",
            ACCOUNT_SID,
            "--api-key",
            API_KEY,
            "--api-token",
            API_TOKEN,
            "--delay-ms",
            str(delay_ms),
            "--max-seconds",
            str(max_seconds),
        ],
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.startswith("PORT "):
            raise CheckFailed(f"the local server did not start: {line!r}")
        yield f"http://127.0.0.1:{int(line.split()[1])}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def _admin(base: str, path: str, method: str = "GET") -> dict[str, Any]:
    req = urllib.request.Request(base + path, method=method, data=b"" if method == "POST" else None)
    with urllib.request.urlopen(req, timeout=10) as resp:
        data: dict[str, Any] = json.loads(resp.read())
    return data


def stats(base: str) -> dict[str, Any]:
    return _admin(base, "/__stats")


def reset(base: str) -> None:
    _admin(base, "/__reset", "POST")


def actions_url(base: str) -> str:
    return f"{base}/v2/accounts/{ACCOUNT_SID}/legs/{LEG_SID}/actions"


def _the_one_request(base: str, expected: int, what: str) -> dict[str, Any]:
    """Check the server saw ``expected`` requests, all accepted and all identical."""
    s = stats(base)
    distinct = s["distinct"]
    if s["requests"] != expected or len(distinct) != 1:
        raise CheckFailed(
            f"{what}: server saw {s['requests']} requests ({len(distinct)} distinct), "
            f"expected {expected} identical ones"
        )
    entry: dict[str, Any] = next(iter(distinct.values()))
    if entry["count"] != expected:
        raise CheckFailed(f"{what}: only {entry['count']} of {expected} requests were accepted")
    return {"key": next(iter(distinct)), **entry}


def _client_classes() -> tuple[Any, Any]:
    try:
        import exoml
    except ImportError as exc:
        raise NotAvailable(f"exoml is not importable ({exc})") from exc
    sync = getattr(exoml, "LegsClient", None)
    async_ = getattr(exoml, "AsyncLegsClient", None)
    return sync, async_


def _make(cls: Any, base: str) -> Any:
    return cls(ACCOUNT_SID, API_KEY, API_TOKEN, base_url=base)


def _per_leg(base: str, legs: list[str], per_leg: int, payload: Any, what: str) -> None:
    """Check the server accepted ``per_leg`` identical requests for each of ``legs``."""
    s = stats(base)
    expected = len(legs) * per_leg
    if s["requests"] != expected:
        raise CheckFailed(f"{what}: server saw {s['requests']} requests, expected {expected}")
    by_path = {e["path"]: e for e in s["distinct"].values()}
    want = {f"/v2/accounts/{ACCOUNT_SID}/legs/{leg}/actions" for leg in legs}
    if set(by_path) != want or len(s["distinct"]) != len(legs):
        raise CheckFailed(f"{what}: requests went to {len(by_path)} paths, expected {len(want)}")
    for path, entry in by_path.items():
        if entry["count"] != per_leg or entry["payload"] != payload:
            raise CheckFailed(f"{what}: {path} got {entry['count']} requests or another body")


def run_sequential(ctx: Context) -> list[RowResult]:
    sends = 100 if ctx.quick else 2_000
    row = RowResult(
        key="client_sequential",
        comparison=(
            f"{sends:,} sequential LegsClient.send to a local server vs raw httpx.Client.post"
        ),
        baseline_name="httpx.Client.post(json=same body, auth=same) + status check + .json()",
        ratio_meaning="exoml time / httpx time",
        target=Target("<=", 1.2, "within 1.2x"),
    )
    ctx.register(row)
    sync_cls, _ = _client_classes()
    if sync_cls is None:
        row.status, row.note = "not available", "exoml.LegsClient does not exist yet"
        return [row]
    import httpx

    reps = ctx.reps(9, 2)
    with local_server(delay_ms=0) as base:
        client = _make(sync_cls, base)
        url = actions_url(base)
        # The client's own request, as the server received it: the baseline sends the same.
        reset(base)
        answer = client.send(LEG_SID, DOCUMENT)
        theirs = _the_one_request(base, 1, "LegsClient.send")
        payload = theirs["payload"]
        if payload.get("exoml") != DOCUMENT:
            raise CheckFailed(f"LegsClient sent a different document: {payload!r}")
        if getattr(answer, "request_id", None) != "bench-1":
            raise CheckFailed(f"LegsClient.send did not return the request id: {answer!r}")
        row.checks.append("LegsClient.send returned the server's request id")
        raw = httpx.Client(auth=(API_KEY, API_TOKEN))

        def raw_send() -> Any:
            r = raw.post(url, json=payload)
            if r.status_code != 202:
                raise CheckFailed(f"raw httpx got {r.status_code}")
            return r.json()

        reset(base)
        raw_send()
        ours = _the_one_request(base, 1, "httpx.Client.post")
        if ours["key"] != theirs["key"]:
            raise CheckFailed(f"the baseline's request differs: {ours} vs {theirs}")
        row.checks.append("both sides' requests have the same path, auth and JSON body")

        # Each repetition's sends go in interleaved blocks (see alternate_many).
        blocks = 10
        per_block = sends // blocks

        # This process's CPU time per side: a second view of the client's own cost, apart
        # from the server's and the network stack's share of the wall time.
        cpu = {"exoml": 0, "raw": 0, "unvalidated": 0}

        def exoml_batch() -> None:
            c = time.process_time_ns()
            for _ in range(per_block):
                client.send(LEG_SID, DOCUMENT)
            cpu["exoml"] += time.process_time_ns() - c

        def unvalidated_batch() -> None:
            c = time.process_time_ns()
            for _ in range(per_block):
                client.send(LEG_SID, DOCUMENT, validate=False)
            cpu["unvalidated"] += time.process_time_ns() - c

        def raw_batch() -> None:
            c = time.process_time_ns()
            for _ in range(per_block):
                raw_send()
            cpu["raw"] += time.process_time_ns() - c

        for _ in range(min(sends, 200)):
            client.send(LEG_SID, DOCUMENT)
            raw_send()
        reset(base)
        # The third side, send(validate=False), splits exoml's overhead into checking the
        # document and everything else; it is reported, not targeted.
        t_exoml, t_raw, t_unval = alternate_many(
            [exoml_batch, raw_batch, unvalidated_batch], reps, blocks=blocks
        )
        _the_one_request(base, 3 * sends * reps, "all sides")
        row.details["connections_opened"] = int(stats(base)["connections"])
        row.checks.append(f"all {3 * sends * reps} timed requests were accepted and identical")
        profile = [] if ctx.quick else profile_call(exoml_batch)
        client.close()
        raw.close()
    row.exoml = fmt_time(median_seconds(t_exoml, sends)) + "/send"
    row.baseline = fmt_time(median_seconds(t_raw, sends)) + "/send"
    unval = [u / r for u, r in zip(t_unval, t_raw, strict=True)]
    row.details.update(
        sends=sends,
        exoml_ns=t_exoml,
        httpx_ns=t_raw,
        exoml_validate_false_ns=t_unval,
        validate_false_ratio_median=round(statistics.median(unval), 3),
        exoml_validate_false_per_send=fmt_time(median_seconds(t_unval, sends)),
        body_bytes=theirs["body_bytes"],
        cpu_per_send={k: fmt_time(v / 1e9 / (sends * reps)) for k, v in cpu.items()},
        cpu_ratio=round(cpu["exoml"] / cpu["raw"], 3) if cpu["raw"] else None,
    )
    row.finish([e / r for e, r in zip(t_exoml, t_raw, strict=True)])
    per = row.details["cpu_per_send"]
    row.context.append(
        f"send(..., validate=False): {row.details['exoml_validate_false_per_send']}/send, "
        f"{row.details['validate_false_ratio_median']:.2f}x the raw httpx time"
    )
    row.context.append(
        f"this process's CPU per send: LegsClient.send {per['exoml']}, "
        f"send(validate=False) {per['unvalidated']}, raw httpx {per['raw']}"
    )
    row.context.append(
        f"the server saw {row.details['connections_opened']} connections for "
        f"{3 * sends * reps} requests (keep-alive on both sides)"
    )
    if not row.met and profile:
        per = row.details["cpu_per_send"]
        row.details["profile"] = [
            f"this process's CPU per send: LegsClient.send {per['exoml']}, "
            f"send(validate=False) {per['unvalidated']}, raw httpx {per['raw']}",
            *profile,
        ]
    return [row]


def run_async(ctx: Context) -> list[RowResult]:
    delay_ms = 10.0
    in_flight = 50
    row = RowResult(
        key="client_async",
        comparison=f"AsyncLegsClient: {in_flight} sends in flight vs sequential sends",
        baseline_name=f"the same client, one send at a time (server latency {delay_ms:g} ms)",
        ratio_meaning="throughput in flight / throughput sequential",
        target=Target(">=", 4.0, ">= 4x the throughput"),
    )
    ctx.register(row)
    _, async_cls = _client_classes()
    if async_cls is None:
        row.status, row.note = "not available", "exoml.AsyncLegsClient does not exist yet"
        return [row]
    per_leg = 1 if ctx.quick else 6
    reps = ctx.reps(5, 2)
    # One leg per send in flight: the client serves the sends to one leg one at a time,
    # as the API asks, so 50 sends in flight means 50 live calls, as on a busy server.
    legs = [f"leg-{i:02d}" for i in range(in_flight)]
    order = [leg for _ in range(per_leg) for leg in legs]
    sends = len(order)

    async def main(base: str) -> tuple[list[int], list[int]]:
        client = _make(async_cls, base)
        try:

            async def worker(leg: str) -> None:
                for _ in range(per_leg):
                    await client.send(leg, DOCUMENT)

            async def concurrent() -> int:
                start = time.perf_counter_ns()
                await asyncio.gather(*(worker(leg) for leg in legs))
                return time.perf_counter_ns() - start

            async def sequential() -> int:
                start = time.perf_counter_ns()
                for leg in order:
                    await client.send(leg, DOCUMENT)
                return time.perf_counter_ns() - start

            await concurrent()  # warm-up: opens the pool's connections
            reset(base)
            t_conc: list[int] = []
            t_seq: list[int] = []
            for rep in range(reps):
                if rep % 2:
                    t_seq.append(await sequential())
                    t_conc.append(await concurrent())
                else:
                    t_conc.append(await concurrent())
                    t_seq.append(await sequential())
            return t_conc, t_seq
        finally:
            await client.aclose()

    async def raw_ceiling(base: str) -> list[int]:
        """The same 50-in-flight pattern with a bare httpx.AsyncClient: what the HTTP stack
        itself allows on this machine (context for the row, not part of its ratio)."""
        import httpx

        async with httpx.AsyncClient(auth=(API_KEY, API_TOKEN)) as raw:

            async def worker(leg: str) -> None:
                url = f"{base}/v2/accounts/{ACCOUNT_SID}/legs/{leg}/actions"
                for _ in range(per_leg):
                    r = await raw.post(url, json={"exoml": DOCUMENT})
                    if r.status_code != 202:
                        raise CheckFailed(f"raw httpx got {r.status_code}")
                    r.json()

            await asyncio.gather(*(worker(leg) for leg in legs))
            reset(base)
            times = []
            for _ in range(reps):
                start = time.perf_counter_ns()
                await asyncio.gather(*(worker(leg) for leg in legs))
                times.append(time.perf_counter_ns() - start)
            return times

    with local_server(delay_ms=delay_ms) as base:
        t_conc, t_seq = asyncio.run(main(base))
        _per_leg(base, legs, 2 * per_leg * reps, {"exoml": DOCUMENT}, "AsyncLegsClient")
        final = stats(base)
        server_peak = int(final["peak_in_flight"])
        t_raw = asyncio.run(raw_ceiling(base))
        _per_leg(base, legs, per_leg * reps, {"exoml": DOCUMENT}, "raw httpx.AsyncClient")
    row.details["raw_httpx_in_flight_sends_per_s"] = round(sends / median_seconds(t_raw))
    row.details["raw_httpx_in_flight_ns"] = t_raw
    row.details["server_peak_in_flight"] = server_peak
    row.details["connections_opened"] = int(final["connections"])
    row.checks.append(
        f"all {2 * sends * reps} timed requests were accepted, the same body to each of "
        f"{len(legs)} legs"
    )
    row.checks.append(
        f"the server held up to {server_peak} requests at once; the client opened "
        f"{final['connections']} connections for {2 * sends * reps} requests"
    )
    if server_peak < 2:
        row.note = "the client never had two requests in flight at the server"
    row.exoml = f"{sends / median_seconds(t_conc):,.0f} sends/s"
    row.baseline = f"{sends / median_seconds(t_seq):,.0f} sends/s"
    row.details.update(sends=sends, delay_ms=delay_ms, concurrent_ns=t_conc, sequential_ns=t_seq)
    row.finish([s / c for s, c in zip(t_seq, t_conc, strict=True)])
    row.context.append(
        f"a bare httpx.AsyncClient with the same {in_flight} in flight reached "
        f"{row.details['raw_httpx_in_flight_sends_per_s']:,} sends/s (the HTTP stack's "
        "ceiling here)"
    )
    return [row]

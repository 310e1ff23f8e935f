"""What the figures were measured on."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                kib = int(line.split()[1])
                return f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError):
        pass
    return "unknown"


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def xmllint_path() -> str | None:
    return shutil.which("xmllint")


def _xmllint_version() -> str:
    path = xmllint_path()
    if path is None:
        return "not installed"
    try:
        out = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unavailable"
    first = (out.stderr or out.stdout).splitlines()
    return first[0].strip() if first else "unknown"


def _git_commit(repo: Path) -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(repo), "describe", "--always", "--dirty", "--abbrev=12"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return out.stdout.strip() or "unknown"


def describe(repo: Path) -> dict[str, Any]:
    """A dictionary describing the machine and the software under test."""
    try:
        from lxml import etree

        lxml_version = ".".join(map(str, etree.LXML_VERSION))
        libxml2 = ".".join(map(str, etree.LIBXML_VERSION))
    except ImportError:
        lxml_version = libxml2 = "not installed"
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "cores_usable": affinity,
        "memory": _memory(),
        "os": f"{platform.system()} {platform.release()}",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "python_executable": sys.executable,
        "lxml": lxml_version,
        "libxml2": libxml2,
        "xmllint": _xmllint_version(),
        "httpx": _version("httpx"),
        "twilio": _version("twilio"),
        "exoml": _version("exoml-dsl"),
        "commit": _git_commit(repo),
    }

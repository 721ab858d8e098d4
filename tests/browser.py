"""Real-browser test support: headless Chromium (Debian's `chromium`) driven by Playwright, and
servers started for a test and stopped after it.

Playwright's own browser download does not work on this course's machines (no internet), so the
tests launch the system Chromium instead. Where it is missing, the tests skip and say how to run
them: `apt-get install chromium` (or set MEGANET_CHROMIUM to a Chromium binary), then `make test`.
`.ci/run` installs it, so CI always runs them.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

HOW_TO_RUN = ("browser tests need Chromium: `sudo apt-get install chromium` (Debian/Ubuntu) or set "
              "MEGANET_CHROMIUM=/path/to/chromium, then `make test`; `.ci/run` installs it")

# Without the background-networking flags Chromium keeps trying to reach Google's hosts, which a
# closed network refuses; --no-sandbox because CI runs as root.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str | None:
    """The Chromium binary to drive: $MEGANET_CHROMIUM, else chromium on PATH, else None."""
    candidate = os.environ.get("MEGANET_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    return candidate if candidate and Path(candidate).exists() else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_url(url: str, timeout: float, process: subprocess.Popen | None = None) -> None:
    """Poll `url` until it answers (any HTTP status), or fail naming the URL and the server's output."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server for {url} exited with code {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.25)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


@contextlib.contextmanager
def serve(command: list[str], url: str, *, cwd=None, env=None, timeout: float = 60.0, log: Path | None = None):
    """Start a server process, wait until `url` answers, yield the process; stop it afterwards.

    Its output goes to `log` (a file), so a failing test can show what the server said.
    """
    log = Path(log) if log is not None else None
    out = open(log, "w") if log is not None else subprocess.DEVNULL
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        try:
            wait_for_url(url, timeout, process)
        except (RuntimeError, TimeoutError) as err:
            said = log.read_text()[-3000:] if log is not None and log.exists() else ""
            raise RuntimeError(f"{err}\n--- server output ---\n{said}") from None
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, 15)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()
        if log is not None:
            out.close()


def python_tool(name: str) -> str:
    """A console script installed beside this Python (jupyter, voila, ...)."""
    return str(Path(sys.executable).parent / name)


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium driven by Playwright; skips with HOW_TO_RUN when Chromium is missing."""
    path = chromium_path()
    if path is None:
        pytest.skip(HOW_TO_RUN)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()

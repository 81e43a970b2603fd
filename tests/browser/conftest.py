"""Browser fixtures: the app served in a subprocess, Debian's chromium driven by Playwright.

``live_server`` runs ``k2lab serve --load-examples`` on a free port of 127.0.0.1 with a
fresh SQLite store and the session's food database, and stops it at the end. Playwright
drives the chromium the system installed (``CHROMIUM_PATH`` overrides the path; never
``playwright install``: its download host cannot be reached). Without chromium every
browser test is skipped, with the reason.

Screenshots (``shot``) go to ``docs/screenshots/`` when ``K2LAB_WRITE_SCREENSHOTS=1``
(then reduced to a 256-colour palette to stay small), otherwise to a temporary folder, so a
test run never changes the working tree.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser")
#: Flags for a headless chromium in a closed network, as root in CI (feasibility notes §1).
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}
START_TIMEOUT_S = 90.0


def chromium_path() -> str | None:
    """The chromium binary to drive: ``CHROMIUM_PATH``, else the first one installed."""
    if named := os.environ.get("CHROMIUM_PATH"):
        return named if Path(named).is_file() else None
    for path in CANDIDATES:
        if Path(path).is_file():
            return path
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright's launch arguments, pointed at the system's chromium."""
    path = chromium_path()
    if path is None:
        pytest.skip("no chromium found (apt-get install chromium, or set CHROMIUM_PATH)")
    return {**browser_type_launch_args, "executable_path": path, "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session")
def base_url(live_server: str) -> str:
    """Relative URLs go to the live server. (This replaces pytest-playwright's own fixture,
    a method whose use pytest 9 warns about, and warnings are errors here.)"""
    return live_server


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """Every page starts at the laptop size, in a fixed locale and time zone."""
    return {
        **browser_context_args,
        "viewport": LAPTOP,
        "accept_downloads": True,
        "locale": "en-GB",
        "timezone_id": "UTC",
    }


@pytest.fixture(autouse=True)
def _prompt_failures(page: Any) -> None:
    """Fail within 10 s, not Playwright's 30 s: every page here answers in well under one."""
    page.set_default_timeout(10_000)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _k2lab_command() -> list[str]:
    script = Path(sys.executable).with_name("k2lab")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "from k2lab.cli import main; main()"]


def _wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"k2lab serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/api/v1/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(
        f"k2lab serve did not answer within {START_TIMEOUT_S:g} s:\n{log.read_text()}"
    )


@pytest.fixture(scope="session")
def live_server(food_db_path: Path) -> Iterator[str]:
    """The base URL of ``k2lab serve --load-examples`` on a fresh SQLite store."""
    folder = Path(tempfile.mkdtemp(prefix="k2lab-browser-"))
    port = _free_port()
    env = {
        **os.environ,
        "K2LAB_DATABASE_URL": f"sqlite:///{folder / 'k2lab.sqlite3'}",
        "K2LAB_FOOD_DB": str(food_db_path),
    }
    env.pop("K2LAB_MULTI_USER", None)
    log = folder / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*_k2lab_command(), "serve", "--port", str(port), "--load-examples"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
        shutil.rmtree(folder, ignore_errors=True)


def _compress(path: Path) -> None:
    """Rewrite a screenshot with a 256-colour palette (a third of the size, text stays sharp)."""
    from PIL import Image

    with Image.open(path) as image:
        reduced = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    reduced.save(path, optimize=True)


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``docs/screenshots`` when ``K2LAB_WRITE_SCREENSHOTS=1``, else a temporary folder."""
    if os.environ.get("K2LAB_WRITE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return SCREENSHOTS
    return tmp_path_factory.mktemp("screenshots")


class Shot:
    """``shot(page, name, full_page=False)`` saves ``name.png`` in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __call__(self, page: Any, name: str, *, full_page: bool = False) -> Path:
        path = self.folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page, animations="disabled")
        if self.folder == SCREENSHOTS:
            _compress(path)
        return path


@pytest.fixture
def shot(screenshot_dir: Path) -> Shot:
    """Saves screenshots into ``screenshot_dir``."""
    return Shot(screenshot_dir)

"""Browser tests: the real product (`manage.py serve`, embedded mode) in a subprocess, driven by
Debian's headless Chromium through Playwright.

The server gets its own SQLite file, so tests set up data through the server's own commands
(`live.manage(...)`, `live.shell(code)`), never through the test process's ORM.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
IN_CI = bool(os.environ.get("CI"))

# The browser suite runs beside the date matrix on two shared cores: there Playwright's default 5 s for an
# assertion timed out once on a preview round trip. A passing assertion returns as soon as it holds.
expect.set_options(timeout=15_000)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LiveServer:
    url: str
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    log_path: Path
    _users: set[str] = field(default_factory=set)

    def manage(self, *args: str, timeout: float = 120) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def shell(self, code: str) -> str:
        """Run Python in the server's database (Django set up), return what it printed."""
        return self.manage("shell", "-c", code)

    def create_user(self, username: str, password: str = "pw-secret-123") -> str:
        if username not in self._users:
            self.shell(
                "from django.contrib.auth import get_user_model\n"
                f"U = get_user_model()\nu, _ = U.objects.get_or_create(username={username!r})\n"
                f"u.set_password({password!r}); u.save()"
            )
            self._users.add(username)
        return username

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:]


@pytest.fixture(scope="session")
def live() -> Iterator[LiveServer]:
    workdir = Path(tempfile.mkdtemp(prefix="oms-e2e-"))
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(
        DATABASE_URL=f"sqlite:///{workdir / 'e2e.sqlite3'}",
        DJANGO_SETTINGS_MODULE="oms_project.settings",
        MARKET_FEED_INTERVAL_SECONDS="0.5",
        RISK_LIMITS_ENABLED="false",  # the pages' tests place orders the limits would refuse (tests/conftest.py)
        RISK_MONITOR_ENABLED="false",  # the live monitor's guards would alert on the pages' test positions
        PYTHONUNBUFFERED="1",
    )
    server = LiveServer(url=f"http://127.0.0.1:{port}", env=env, process=None, log_path=workdir / "server.log")  # type: ignore[arg-type]
    server.manage("migrate", "--noinput")
    server.manage("seed_demo")
    log = server.log_path.open("wb")
    server.process = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{server.url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if server.process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"server did not start:\n{server.log()}")
        time.sleep(0.3)
    yield server
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
    log.close()
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    executable = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not executable:
        message = "Debian's chromium is not installed (apt-get install chromium)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return {
        **browser_type_launch_args,
        "executable_path": executable,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


def login(page: Any, live: LiveServer, username: str, password: str = "pw-secret-123") -> None:
    page.goto(f"{live.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


@pytest.fixture
def logged_in_page(page: Any, live: LiveServer) -> Any:
    """A page logged in as a fresh user of its own (named after the test)."""
    username = "e2e_" + str(abs(hash(os.environ.get("PYTEST_CURRENT_TEST", "x"))) % 10**8)
    live.create_user(username)
    login(page, live, username)
    page.username = username
    return page

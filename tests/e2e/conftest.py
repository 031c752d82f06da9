"""Browser tests: a real Chromium (Playwright) against the real server, started as `make run` starts it.

The server runs in a subprocess on its own throwaway SQLite file in a temporary SAMRAAD_VAR_DIR, with
the demo data, so these tests never touch pytest-django's test database. Nothing may leave loopback.
Every browser sends USER_AGENT, so test_privacy_scan.py (run after all the others) can look for it,
and for the browsers' address, in the server's database and log.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Request, sync_playwright

REPO_ROOT = Path(__file__).resolve().parents[2]
E2E_DIR = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
# A user agent no real browser sends, so finding it anywhere on the server is proof it was kept.
USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36 "
    "SamraadPrivacyProbe/7b2f"
)
USER_AGENT_MARK = "SamraadPrivacyProbe"
PRIVACY_SCAN = "test_privacy_scan.py"
CHROMIUM_ARGS = [
    # On the command line rather than per context: every context gets it, also those a test opens
    # with `browser.new_context` itself.
    f"--user-agent={USER_AGENT}",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT = 30.0
WCAG_21_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 360, "height": 740}
_DB_FIXTURES = {"db", "transactional_db", "django_db_setup", "live_server", "client", "admin_client"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Marks every test under tests/e2e as `browser`; refuses any that would use the test database;
    puts the privacy scan last of all."""
    # The scan must see what every other browser test left on the server (which lives for the
    # whole session). Reordering here holds whatever the file names and whichever tests `-k` picks;
    # a finalizer could only fail as an error in another test's teardown.
    scans = [item for item in items if item.path.name == PRIVACY_SCAN and E2E_DIR in item.path.parents]
    items[:] = [item for item in items if item not in scans] + scans
    for item in items:
        if E2E_DIR not in item.path.parents:
            continue
        item.add_marker(pytest.mark.browser)
        fixturenames = set(getattr(item, "fixturenames", ()))
        if item.get_closest_marker("django_db") or fixturenames & _DB_FIXTURES:
            raise pytest.UsageError(
                f"{item.nodeid}: browser tests talk to the server subprocess, not the test database"
            )


# --- Chromium -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests"
        if os.environ.get("SAMRAAD_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason} (SAMRAAD_REQUIRE_BROWSER=1)")
        pytest.skip(reason)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


# --- The server -----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_environment(var_dir: Path) -> dict[str, str]:
    environment = dict(os.environ)
    # Its own SQLite file and in-memory layers, whatever database the rest of the suite uses.
    environment.pop("DATABASE_URL", None)
    environment.pop("REDIS_URL", None)
    environment.update(
        DJANGO_SETTINGS_MODULE="samraad.settings",
        SAMRAAD_DEMO="1",
        SAMRAAD_VAR_DIR=str(var_dir),
        SAMRAAD_HTTPS="0",
        DEBUG="0",
        # Each log line reaches server.log as it is written, for the privacy scan.
        PYTHONUNBUFFERED="1",
        # Every browser in the suite connects from 127.0.0.1.
        SAMRAAD_CHAT_CONNECTIONS_PER_MINUTE="100000",
        SAMRAAD_RESUME_ATTEMPTS_PER_HOUR="100000",
    )
    return environment


def _manage(environment: dict[str, str], *arguments: str) -> None:
    result = subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter
        [sys.executable, "manage.py", *arguments],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"manage.py {' '.join(arguments)} failed:\n{result.stdout}\n{result.stderr}")


def _wait_until_answering(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback http only
                if response.status == 200:
                    return
        except urllib.error.HTTPError as error:
            # It answers, but not with the sign-in page: waiting longer will not help.
            pytest.fail(f"the server answered {url} with {error.code}:\n{log.read_text(errors='replace')}")
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    pytest.fail(
        f"the server did not answer {url} within {SERVER_START_TIMEOUT:.0f} s:\n{log.read_text(errors='replace')}"
    )


@pytest.fixture(scope="session")
def widget_host_port() -> int:
    """A loopback port for a stand-in municipal site that embeds the widget; the server lets
    that origin frame the chat (SAMRAAD_WIDGET_ORIGINS), so the port is chosen before it starts."""
    return _free_port()


@pytest.fixture(scope="session")
def server_var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The server's SAMRAAD_VAR_DIR: its database (samraad.sqlite3) and its output (server.log)."""
    return tmp_path_factory.mktemp("samraad-var")


@pytest.fixture(scope="session")
def server(server_var_dir: Path, widget_host_port: int) -> Iterator[str]:
    """Returns the base URL (ending in "/") of a demo server on a free loopback port."""
    var_dir = server_var_dir
    environment = _server_environment(var_dir)
    environment["SAMRAAD_WIDGET_ORIGINS"] = f"http://127.0.0.1:{widget_host_port}"
    _manage(environment, "setup_demo")
    _manage(environment, "collectstatic", "--noinput", "-v0")

    port = _free_port()
    base_url = f"http://127.0.0.1:{port}/"
    log = var_dir / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - fixed arguments, our own interpreter
            [sys.executable, "-m", "uvicorn", "samraad.asgi:application"]
            + ["--host", "127.0.0.1", "--port", str(port), "--no-access-log"],
            cwd=REPO_ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_answering(f"{base_url}login/", process, log)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


# --- One phone per test ---------------------------------------------------------------------


@dataclass
class Problems:
    """What a page did that the product must never do."""

    origin: str
    # Other origins a test may reach on purpose (a stand-in host page, an intercepted exit site).
    allowed_origins: set[str] = field(default_factory=set)
    console_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        url = message.location.get("url", "")
        self.console_errors.append(f"{message.text} ({url or '?'})")

    def on_page_error(self, error: object) -> None:
        self.console_errors.append(f"uncaught: {error}")

    def on_request(self, request: Request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in {"data", "blob", "about"}:
            return
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin != self.origin and origin not in self.allowed_origins:
            self.foreign_requests.append(f"{request.method} {request.url}")


class Contexts:
    """Opens browser contexts (phones by default) that must log no console error and ask no
    other origin; `check` closes them all and fails on what any of them did."""

    def __init__(self, browser: Browser, server: str) -> None:
        parts = urlsplit(server)
        self.browser = browser
        self.server = server
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.opened: list[tuple[BrowserContext, Problems]] = []
        self.allowed: set[str] = set()

    def new(
        self,
        *,
        viewport: dict[str, int] | None = None,
        locale: str = "da-DK",
        storage_state: Any = None,
    ) -> BrowserContext:
        problems = Problems(origin=self.origin, allowed_origins=self.allowed)
        opened = self.browser.new_context(
            viewport=viewport or PHONE, locale=locale, base_url=self.server, storage_state=storage_state
        )
        opened.set_default_timeout(5_000)
        opened.on("console", problems.on_console)
        opened.on("weberror", lambda web_error: problems.on_page_error(web_error.error))
        opened.on("request", problems.on_request)
        self.opened.append((opened, problems))
        return opened

    def allow_origin(self, origin: str) -> None:
        """Lets every context of this test reach `origin` too (shared set, also for later ones)."""
        self.allowed.add(origin.rstrip("/"))

    def check(self) -> None:
        console_errors: list[str] = []
        foreign_requests: list[str] = []
        for opened, problems in self.opened:
            opened.close()
            console_errors += problems.console_errors
            foreign_requests += problems.foreign_requests
        self.opened = []
        assert console_errors == [], "console errors (CSP violations show here):\n" + "\n".join(console_errors)
        assert foreign_requests == [], "requests to another origin:\n" + "\n".join(foreign_requests)


@pytest.fixture
def contexts(browser: Browser, server: str) -> Iterator[Contexts]:
    """Opens as many checked browser contexts as a test needs (several people at once)."""
    opened = Contexts(browser, server)
    yield opened
    opened.check()


@pytest.fixture
def context(contexts: Contexts) -> BrowserContext:
    """A fresh phone (360 × 740, Danish) that must log no console error and ask no other origin."""
    return contexts.new()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


# --- Accessibility --------------------------------------------------------------------------

_axe = Axe()


def assert_fits_phone_width(page: Page) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= PHONE["width"], f"{page.url} scrolls sideways: {scroll_width} px wide at {PHONE['width']}"


def assert_no_axe_violations(page: Page) -> None:
    """Fails with a readable list if axe-core finds a WCAG 2.1 A or AA violation on the page."""
    options = {"runOnly": {"type": "tag", "values": WCAG_21_AA_TAGS}, "resultTypes": ["violations"]}
    violations = _axe.run(page, options=options).response["violations"]
    if not violations:
        return
    language = page.locator("html").get_attribute("lang")
    lines = [f"{len(violations)} WCAG 2.1 AA violation(s) on {page.url} (html lang={language}):"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    at {' '.join(str(part) for part in node['target'])}")
    pytest.fail("\n".join(lines), pytrace=False)


# --- Staff ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def counselor_state(browser: Browser, server: str) -> Any:
    """The demo counselor in Aarhus, signed in once: the state to open a context with."""
    from tests.e2e.chat_people import sign_in_state

    return sign_in_state(browser, server)

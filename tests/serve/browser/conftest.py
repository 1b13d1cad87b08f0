"""The real-browser harness of ``dtrun serve``'s pages: headless Chromium through Selenium.

What it gives the tests of this folder (and of any folder that puts ``tests/serve/browser``'s
fixtures in reach, e.g. with ``pytest_plugins``):

* ``browser``: one headless Chromium for the whole session (Debian's ``/usr/bin/chromium``
  driven by ``/usr/bin/chromedriver``; ``DTRUN_CHROMIUM`` and ``DTRUN_CHROMEDRIVER`` name
  others), a fresh profile in a temporary folder, its console kept (``goog:loggingPrefs``);
  nothing is downloaded (Selenium Manager is told to stay offline);
* ``serve_app``: serves an ASGI application with uvicorn on a free port of 127.0.0.1 in a
  background thread and gives its base URL (stopped at the session's end); ``serve``: the
  same for ``engine.serve.create_app`` over some workbooks (one server per set of files);
* ``visit``: opens a URL, waits for the page, saves a screenshot into the test's
  ``tmp_path`` and gives the console's messages of level SEVERE since the last visit.

Without the browser, its driver or Selenium, every test here is skipped with that reason
(``.ci/run`` installs ``chromium`` and ``chromium-driver`` with apt when they are missing).
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
ARGUMENTS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
             "--window-size=1400,1000")


def _tool(variable: str, default: str, name: str) -> str | None:
    path = os.environ.get(variable) or default
    return path if Path(path).exists() else shutil.which(name)


CHROMIUM = _tool("DTRUN_CHROMIUM", "/usr/bin/chromium", "chromium")
CHROMEDRIVER = _tool("DTRUN_CHROMEDRIVER", "/usr/bin/chromedriver", "chromedriver")


def missing() -> str:
    """Why the browser tests cannot run here ('' when they can)."""
    try:
        import selenium  # noqa: F401
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as error:
        return f"the browser tests need selenium, starlette and uvicorn (pip install -e '.[test,serve]'): {error}"
    if CHROMIUM is None or CHROMEDRIVER is None:
        absent = " and ".join(n for n, p in (("/usr/bin/chromium", CHROMIUM), ("/usr/bin/chromedriver", CHROMEDRIVER))
                              if p is None)
        return (f"no headless browser: {absent} not found (apt-get install chromium chromium-driver, as .ci/run "
                "does; or set DTRUN_CHROMIUM and DTRUN_CHROMEDRIVER)")
    return ""


MISSING = missing()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if MISSING:
        for item in items:
            if HERE in Path(str(item.fspath)).resolve().parents:
                item.add_marker(pytest.mark.skip(reason=MISSING))


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if MISSING:
        pytest.skip(MISSING)
    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager: never download a browser or driver
    from selenium import webdriver

    profile = tempfile.mkdtemp(prefix="dtrun-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (*ARGUMENTS, f"--user-data-dir={profile}"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=str(CHROMEDRIVER)))
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


class Server:
    """An application served by uvicorn on 127.0.0.1 in a background thread."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"uvicorn did not start on {self.url}")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.socket.close()


@pytest.fixture(scope="session")
def serve_app() -> Iterator[Callable[[Any], str]]:
    """``serve_app(app) -> base URL``: any ASGI application served until the session ends."""
    if MISSING:
        pytest.skip(MISSING)
    servers: list[Server] = []

    def start(app: Any) -> str:
        servers.append(Server(app))
        return servers[-1].url

    try:
        yield start
    finally:
        for server in servers:
            server.stop()


@pytest.fixture(scope="session")
def serve(serve_app: Callable[[Any], str]) -> Callable[..., str]:
    """``serve(*paths) -> base URL``: the models of ``paths`` served by ``create_app`` (one
    server per set of files for the session)."""
    from engine.serve import Models, create_app

    started: dict[tuple[str, ...], str] = {}

    def start(*paths: str | Path) -> str:
        key = tuple(str(p) for p in paths)
        if key not in started:
            started[key] = serve_app(create_app(Models(key)))
        return started[key]

    return start


@pytest.fixture
def visit(browser: Any, tmp_path: Path) -> Callable[[str, str], list[dict[str, Any]]]:
    """``visit(url, name) -> SEVERE console messages``: the page opened, its screenshot saved as
    ``tmp_path / name.png``."""
    browser.get_log("browser")  # what earlier tests left

    def go(url: str, name: str) -> list[dict[str, Any]]:
        browser.get(url)
        return settle(browser, tmp_path, name)

    return go


def settle(browser: Any, tmp_path: Path, name: str) -> list[dict[str, Any]]:
    """After a navigation (a visit, a form sent): wait for the page, save its screenshot, give
    the SEVERE console messages since the last call."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 30).until(lambda d: d.execute_script("return document.readyState") == "complete")
    screenshot(browser, tmp_path / f"{name}.png")
    return [entry for entry in browser.get_log("browser") if entry.get("level") == "SEVERE"]


@pytest.fixture
def settled(browser: Any, tmp_path: Path) -> Callable[[str], list[dict[str, Any]]]:
    """``settled(name)``: ``settle`` after a navigation the test made itself (a form sent)."""
    return lambda name: settle(browser, tmp_path, name)


def screenshot(browser: Any, path: Path, longest: int = 4_000) -> None:
    """The whole page (up to ``longest`` pixels down) as a PNG, through the DevTools protocol;
    the visible part only if that is refused."""
    import base64

    try:
        browser.execute_script("window.scrollTo(0, 0)")
        size = browser.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
        clip = {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], longest), "scale": 1}
        shot = browser.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True,
                                                                   "clip": clip})
        path.write_bytes(base64.b64decode(shot["data"]))
    except Exception:  # an older driver without these commands: what the window shows
        browser.save_screenshot(str(path))
